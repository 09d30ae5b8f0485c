"""FED sections 2e-2f: validation notice, disputes, original-creditor requests, delivery,
furnishing (no parking) and record retention."""

from __future__ import annotations

from datetime import date, timedelta

from compliance.domain import DecisionOutcome, evaluate
from compliance.domain.context import Dispute, PurgeRequest
from compliance.domain.results import ObligationKind, Outcome
from compliance.domain.rules.validation import VN_ELEMENTS

from .factories import (
    T0,
    call,
    failing_ids,
    fine,
    message,
    result,
    utc,
    with_content,
    with_debt,
    with_history,
    with_proposal,
)

# Provided Tuesday 2026-11-10: receipt assumed after 5 business days skipping Veterans Day
# (11, 12, 13, 16, 17 -> the 17th); the period ends 30 days later, on 2026-12-17.
PROVIDED = utc(2026, 11, 10, 15)


def _in_period():  # type: ignore[no-untyped-def]
    return with_debt(
        fine(), validation_notice_provided_at=PROVIDED, initial_communication_at=PROVIDED
    )


# --- FED-VN-TIMING --------------------------------------------------------------------------


def test_a_first_contact_creates_a_duty_to_send_the_validation_notice_within_5_days():
    ctx = with_debt(fine(), initial_communication_at=None, validation_notice_provided_at=None)
    ctx = with_content(
        ctx,
        "Fairway Recovery LLC. We are attempting to collect a debt and any information "
        "obtained will be used for that purpose.",
    )
    decision = evaluate(ctx)
    assert decision.outcome is DecisionOutcome.ALLOW
    duty = next(o for o in decision.obligations if o.code == "vn_due:d-1")
    assert duty.kind is ObligationKind.DUTY
    assert duty.due_at == T0 + timedelta(days=5)


def test_blocks_collection_while_the_validation_notice_is_overdue():
    ctx = with_debt(
        fine(), initial_communication_at=T0 - timedelta(days=6), validation_notice_provided_at=None
    )
    assert "FED-VN-TIMING" in failing_ids(evaluate(ctx))


def test_the_validation_notice_itself_may_go_out_late():
    ctx = with_debt(
        fine(), initial_communication_at=T0 - timedelta(days=6), validation_notice_provided_at=None
    )
    ctx = with_proposal(ctx, channel="letter", endpoint_id=None, template_type="VN")
    ctx = with_content(
        ctx,
        "Fairway Recovery LLC is a debt collector.",
        envelope_items=[],
        vn_elements=sorted(VN_ELEMENTS),
        validation_period_end_stated=date(2026, 12, 31),
    )
    assert "FED-VN-TIMING" not in failing_ids(evaluate(ctx))


# --- FED-VN-CONTENT and FED-VN-PERIOD --------------------------------------------------------


def _vn(**meta):  # type: ignore[no-untyped-def]
    ctx = with_proposal(fine(), channel="letter", endpoint_id=None, template_type="VN")
    meta.setdefault("envelope_items", [])
    meta.setdefault("vn_elements", sorted(VN_ELEMENTS))
    return with_content(ctx, "Fairway Recovery LLC is a debt collector.", **meta)


def test_a_validation_notice_with_every_element_and_a_correct_end_date_passes():
    # Sent Wed 2026-11-18: receipt after Thu 19, Fri 20, Mon 23, Tue 24, Wed 25 (Thanksgiving is
    # the 26th) -> 2026-11-25 + 30 days = 2026-12-25 (not rolled forward).
    decision = evaluate(_vn(validation_period_end_stated=date(2026, 12, 25)))
    assert decision.outcome is DecisionOutcome.ALLOW


def test_a_validation_notice_missing_an_element_is_blocked():
    elements = sorted(VN_ELEMENTS - {"assume_valid_statement"})
    decision = evaluate(_vn(vn_elements=elements, validation_period_end_stated=date(2026, 12, 25)))
    assert "FED-VN-CONTENT" in failing_ids(decision)


def test_a_validation_notice_stating_too_early_an_end_date_is_blocked():
    decision = evaluate(_vn(validation_period_end_stated=date(2026, 12, 24)))
    assert "FED-VN-PERIOD" in failing_ids(decision)


def test_a_validation_notice_without_an_end_date_is_missing_data():
    decision = evaluate(_vn())
    assert "DATA_MISSING:proposal.content.meta.validation_period_end_stated" in decision.reasons


# --- FED-OVERSHADOW -------------------------------------------------------------------------


def test_a_payment_deadline_inside_the_validation_period_is_blocked():
    ctx = with_content(
        _in_period(), "Fairway Recovery LLC, a debt collector.", payment_deadline=date(2026, 12, 1)
    )
    assert "FED-OVERSHADOW" in failing_ids(evaluate(ctx))


def test_urgent_wording_inside_the_validation_period_goes_to_review():
    ctx = with_content(
        _in_period(), "Fairway Recovery LLC, a debt collector. Pay now to avoid problems."
    )
    decision = evaluate(ctx)
    assert decision.outcome is DecisionOutcome.REVIEW
    assert "FED-OVERSHADOW" in failing_ids(decision)


def test_urgent_wording_after_the_validation_period_is_not_overshadowing():
    ctx = with_content(fine(), "Fairway Recovery LLC, a debt collector. Pay now to avoid problems.")
    assert result(evaluate(ctx), "FED-OVERSHADOW").outcome is Outcome.NOT_APPLICABLE


# --- disputes and original-creditor requests ------------------------------------------------


def _disputed(received, written=True, **kw):  # type: ignore[no-untyped-def]
    dispute = Dispute(
        received_at=received, medium="mail" if written else "telephone", written=written, **kw
    )
    return with_debt(_in_period(), disputes=[dispute])


def test_a_written_dispute_inside_the_validation_period_pauses_collection():
    decision = evaluate(_disputed(utc(2026, 11, 16)))
    assert result(decision, "FED-DISPUTE-HOLD").outcome is Outcome.PAUSE
    assert decision.retry_at is None


def test_verification_may_be_sent_while_paused():
    ctx = with_proposal(
        _disputed(utc(2026, 11, 16)),
        channel="letter",
        endpoint_id=None,
        template_type="VERIFICATION",
    )
    ctx = with_content(ctx, "Fairway Recovery LLC is a debt collector.", envelope_items=[])
    assert result(evaluate(ctx), "FED-DISPUTE-HOLD").outcome is Outcome.ALLOW


def test_the_hold_ends_once_verification_is_sent():
    ctx = _disputed(utc(2026, 11, 16), verification_sent_at=utc(2026, 11, 17))
    assert "FED-DISPUTE-HOLD" not in failing_ids(evaluate(ctx))


def test_a_dispute_after_the_validation_period_does_not_pause_but_marks_the_debt_disputed():
    dispute = Dispute(received_at=utc(2026, 11, 15), medium="mail", written=True)
    ctx = with_debt(fine(), disputes=[dispute])  # period ended 2026-11-07
    decision = evaluate(ctx)
    assert "FED-DISPUTE-HOLD" not in failing_ids(decision)
    assert result(decision, "FED-DISPUTE-LATE").outcome is Outcome.REQUIRE
    assert any(o.code == "mark_disputed" for o in decision.obligations)


def test_an_oral_dispute_inside_the_period_does_not_pause():
    decision = evaluate(_disputed(utc(2026, 11, 16), written=False))
    assert "FED-DISPUTE-HOLD" not in failing_ids(decision)
    assert any(o.code == "mark_disputed" for o in decision.obligations)


def test_a_written_original_creditor_request_pauses_collection():
    ctx = with_debt(_in_period(), oc_request_at=utc(2026, 11, 16))
    assert result(evaluate(ctx), "FED-OC-HOLD").outcome is Outcome.PAUSE
    sent = with_debt(ctx, oc_info_sent_at=utc(2026, 11, 17))
    assert "FED-OC-HOLD" not in failing_ids(evaluate(sent))


# --- FED-DELIVERY ---------------------------------------------------------------------------


def test_an_emailed_validation_notice_needs_esign_consent_or_a_safe_harbour_method():
    ctx = with_proposal(fine(), channel="email", endpoint_id="em-1", template_type="VN")
    elements = sorted(VN_ELEMENTS | {"electronic_dispute_statement"})
    text = "Fairway Recovery LLC is a debt collector. Reply STOP to opt out."
    meta = {"vn_elements": elements, "validation_period_end_stated": date(2026, 12, 25)}
    assert "FED-DELIVERY" in failing_ids(evaluate(with_content(ctx, text, **meta)))
    ok = with_content(ctx, text, delivery_method_ok=True, **meta)
    assert "FED-DELIVERY" not in failing_ids(evaluate(ok))


# --- FED-NO-PARKING and FED-RECORDS ---------------------------------------------------------


def _furnish():  # type: ignore[no-untyped-def]
    return with_proposal(
        fine(), action="furnish", channel=None, endpoint_id=None, template_type=None
    )


def test_blocks_furnishing_before_any_contact_about_the_debt():
    decision = evaluate(_furnish())
    assert "FED-NO-PARKING" in failing_ids(decision)
    assert result(decision, "FED-TIME-WINDOW").outcome is Outcome.NOT_APPLICABLE


def test_furnishing_waits_14_days_after_a_letter():
    letter = message(T0 - timedelta(days=10), channel="letter")
    decision = evaluate(with_history(_furnish(), letter))
    assert "FED-NO-PARKING" in failing_ids(decision)
    assert decision.retry_at == letter.at + timedelta(days=14)
    later = message(T0 - timedelta(days=15), channel="letter")
    assert evaluate(with_history(_furnish(), later)).outcome is DecisionOutcome.ALLOW


def test_a_returned_letter_does_not_count():
    letter = message(
        T0 - timedelta(days=20), channel="letter", undeliverable_at=T0 - timedelta(days=15)
    )
    assert "FED-NO-PARKING" in failing_ids(evaluate(with_history(_furnish(), letter)))


def test_a_conversation_allows_furnishing():
    talk = call(T0 - timedelta(days=1), conversation=True)
    assert evaluate(with_history(_furnish(), talk)).outcome is DecisionOutcome.ALLOW


def test_furnishing_a_disputed_debt_requires_reporting_it_as_disputed():
    talk = call(T0 - timedelta(days=1), conversation=True)
    dispute = Dispute(received_at=utc(2026, 11, 15), medium="telephone", written=False)
    ctx = with_debt(with_history(_furnish(), talk), disputes=[dispute])
    assert "FED-CREDIT-STATEMENTS" in failing_ids(evaluate(ctx))
    assert (
        evaluate(with_proposal(ctx, furnish_reports_disputed=True)).outcome is DecisionOutcome.ALLOW
    )


def _purge(**kw):  # type: ignore[no-untyped-def]
    request = PurgeRequest(record_kind="debt_records", debt_id="d-1", **kw)
    return with_proposal(
        fine(), action="purge", channel=None, endpoint_id=None, template_type=None, purge=request
    )


def test_blocks_purging_records_within_3_years_of_the_last_collection_activity():
    ctx = with_debt(_purge(), last_collection_activity_at=utc(2024, 6, 1))
    decision = evaluate(ctx)
    assert "FED-RECORDS" in failing_ids(decision)
    assert decision.retry_at == utc(2027, 6, 1)


def test_allows_purging_after_3_years():
    ctx = with_debt(_purge(), last_collection_activity_at=utc(2023, 6, 1))
    assert evaluate(ctx).outcome is DecisionOutcome.ALLOW


def test_purge_without_the_last_activity_date_is_missing_data():
    assert "DATA_MISSING:debts[d-1].last_collection_activity_at" in evaluate(_purge()).reasons


def test_call_recordings_are_kept_3_years_after_the_call():
    request = PurgeRequest(
        record_kind="call_recording", debt_id="d-1", recorded_at=utc(2024, 2, 29)
    )
    ctx = with_proposal(_purge(), purge=request)
    assert evaluate(ctx).retry_at == utc(2027, 3, 1)
