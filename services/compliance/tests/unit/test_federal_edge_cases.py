"""Reference edge cases of the federal rules (pack FED) that the audit found untested.

Every case is evaluated with the current pack version (CURRENT_VERSION, 2026.12.1) and asserts
the decision, the rule and its outcome or reason code. Where a case needed a fix, 2026.11.1's
released answer is asserted as well (recorded decisions replay with it, decisions.md D-35).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from compliance.domain import CURRENT_VERSION, DecisionOutcome, evaluate
from compliance.domain.context import (
    AttorneyRep,
    CeaseNotice,
    Consent,
    ConsentKind,
    ContactEvent,
    Dispute,
    EvaluationContext,
    MediumOptOut,
    PersonRole,
)
from compliance.domain.decision import Decision
from compliance.domain.results import Outcome
from compliance.domain.rules.validation import VN_ELEMENTS
from compliance.domain.timezones import validation_period_end

from .factories import (
    CHICAGO,
    EMAIL_TEXT,
    LCM_TEXT,
    NEW_YORK,
    T0,
    address,
    call,
    email,
    failing_ids,
    fine,
    local,
    phone,
    rebuild,
    result,
    utc,
    with_content,
    with_debt,
    with_history,
    with_person,
    with_proposal,
)

RELEASED = "2026.11.1"


def _now(ctx: EvaluationContext) -> Decision:
    return evaluate(ctx, pack_version=CURRENT_VERSION)


def _letter(ctx: EvaluationContext, template: str, text: str | None = None) -> EvaluationContext:
    ctx = with_proposal(ctx, channel="letter", endpoint_id=None, template_type=template)
    return with_content(ctx, text or "Fairway Recovery LLC is a debt collector.", envelope_items=[])


# --- 1. FED-ATTY: a represented consumer who contacted us ----------------------------------


def _represented(**kw: Any) -> EvaluationContext:
    rep = AttorneyRep(known_at=utc(2026, 11, 1), name="J. Doe", address="1 Main St", **kw)
    return with_debt(fine(), attorney=rep)


def test_atty_reply_to_a_represented_consumer_who_called_us_goes_to_review():
    # Reference FED-ATTY: "The federal rule has no explicit consumer-initiated exception:
    # REVIEW" (decisions.md D-16). The inbound call is on record; we propose the reply.
    inbound = call(T0 - timedelta(hours=1), direction="inbound", initiated_by="consumer")
    ctx = with_history(_represented(), inbound)
    ctx = with_proposal(ctx, responding_to_consumer_request=True)
    decision = _now(ctx)
    assert decision.outcome is DecisionOutcome.REVIEW
    assert failing_ids(decision) == {"FED-ATTY"}
    assert result(decision, "FED-ATTY").outcome is Outcome.REVIEW
    assert "no such exception" in result(decision, "FED-ATTY").explanation


def test_atty_without_the_consumer_initiating_it_stays_a_block():
    decision = _now(_represented())
    assert decision.outcome is DecisionOutcome.BLOCK
    assert result(decision, "FED-ATTY").outcome is Outcome.BLOCK
    assert "FED-ATTY" in decision.reasons


# --- 2. FED-CEASE: an email notice is a written notice ---------------------------------------


def test_cease_by_email_recorded_as_written_pauses_the_debt():
    notice = CeaseNotice(received_at=utc(2026, 11, 10), medium="email", written=True)
    decision = _now(with_debt(fine(), cease=notice))
    assert decision.outcome is DecisionOutcome.BLOCK
    assert result(decision, "FED-CEASE").outcome is Outcome.PAUSE
    assert decision.reasons == ("FED-CEASE",)


def test_cease_by_email_pauses_the_debt_even_when_not_flagged_written():
    # Reference FED-CEASE: electronic notice through a channel the collector accepts (email,
    # portal) counts as writing [M]. A notice received by email cannot be oral, so the flag
    # does not decide (decisions.md D-53); 2026.11.1 ignored it (kept for replay).
    notice = CeaseNotice(received_at=utc(2026, 11, 10), medium="email", written=False)
    ctx = with_debt(fine(), cease=notice)
    decision = _now(ctx)
    assert decision.outcome is DecisionOutcome.BLOCK
    assert result(decision, "FED-CEASE").outcome is Outcome.PAUSE
    assert decision.reasons == ("FED-CEASE",)
    assert evaluate(ctx, pack_version=RELEASED).outcome is DecisionOutcome.ALLOW
    # The three notices 1692c(c) permits still go out.
    termination = _now(_letter(ctx, "TERMINATION_NOTICE"))
    assert result(termination, "FED-CEASE").outcome is Outcome.ALLOW
    assert termination.outcome is DecisionOutcome.ALLOW


def test_an_oral_stop_by_telephone_is_still_not_a_written_cease():
    notice = CeaseNotice(received_at=utc(2026, 11, 10), medium="telephone", written=False)
    decision = _now(with_debt(fine(), cease=notice))
    assert decision.outcome is DecisionOutcome.ALLOW
    assert result(decision, "FED-CEASE").outcome is Outcome.NOT_APPLICABLE


# --- 3. FED-MEDIUM-OPTOUT exception (iii): other law requires the medium ---------------------


def _opted_out_of(medium: str) -> EvaluationContext:
    return with_person(
        fine(), medium_optouts=[MediumOptOut(medium=medium, requested_at=utc(2026, 11, 10))]
    )


def test_medium_optout_yields_where_other_applicable_law_requires_that_medium():
    # 1006.14(h)(2)(iii): a letter the law requires by mail goes out despite a mail opt-out.
    ctx = _letter(_opted_out_of("mail"), "STATEMENT_OF_ACCOUNT")
    blocked = _now(ctx)
    assert result(blocked, "FED-MEDIUM-OPTOUT").outcome is Outcome.BLOCK
    assert "FED-MEDIUM-OPTOUT" in blocked.reasons
    required = _now(with_proposal(ctx, required_by_law=True))
    assert result(required, "FED-MEDIUM-OPTOUT").outcome is Outcome.ALLOW
    assert "Other applicable law" in result(required, "FED-MEDIUM-OPTOUT").explanation
    assert required.outcome is DecisionOutcome.ALLOW


def test_the_required_by_law_exception_does_not_open_another_medium():
    # The exception is for the medium the law requires: a telephone opt-out still blocks the
    # call when the proposal says nothing about law.
    decision = _now(_opted_out_of("telephone"))
    assert decision.outcome is DecisionOutcome.BLOCK
    assert failing_ids(decision) == {"FED-MEDIUM-OPTOUT"}


# --- 4. Formal pleadings -----------------------------------------------------------------------


def test_a_formal_pleading_needs_no_mini_miranda():
    # Reference FED-MINI-MIRANDA: "Formal pleadings are exempt" (1006.18(e)(3)); D-18.
    ctx = _letter(fine(), "FORMAL_PLEADING", "Complaint for breach of contract.")
    decision = _now(ctx)
    assert result(decision, "FED-MINI-MIRANDA").outcome is Outcome.NOT_APPLICABLE
    assert "FED-MINI-MIRANDA" not in failing_ids(decision)
    # The same letter as a reminder must carry the disclosure.
    reminder = _now(_letter(fine(), "REMINDER", "Complaint for breach of contract."))
    # An unmet REQUIRE blocks (reference section 0).
    assert result(reminder, "FED-MINI-MIRANDA").outcome is Outcome.BLOCK
    assert "FED-MINI-MIRANDA" in reminder.reasons


def test_a_proof_of_claim_is_exempt_from_the_mini_miranda_and_the_time_barred_rule():
    # FED-TIMEBARRED: "Bankruptcy proofs of claim are excepted" (1006.26(b)).
    ctx = with_debt(fine(), time_barred=True)
    ctx = _letter(ctx, "PROOF_OF_CLAIM", "Proof of claim filed in the bankruptcy lawsuit.")
    decision = _now(ctx)
    assert result(decision, "FED-MINI-MIRANDA").outcome is Outcome.NOT_APPLICABLE
    assert result(decision, "FED-TIMEBARRED").outcome is Outcome.NOT_APPLICABLE


def test_a_formal_pleading_on_a_debt_without_a_validation_notice_is_not_blocked():
    # Reference section 1: the initial communication excludes formal pleadings. The pleading
    # goes out; FED-VN-TIMING records only a duty to send the notice (a duty, not a block: the
    # gate cannot tell whether a later communication will follow, so it keeps the reminder).
    ctx = with_debt(fine(), initial_communication_at=None, validation_notice_provided_at=None)
    decision = _now(_letter(ctx, "FORMAL_PLEADING", "Complaint for breach of contract."))
    assert decision.outcome is DecisionOutcome.ALLOW
    assert result(decision, "FED-VN-TIMING").outcome is Outcome.REQUIRE
    assert "FED-VN-TIMING" not in failing_ids(decision)


# --- 5. Duplicative disputes (FED-DISPUTE-HOLD) ------------------------------------------------

PROVIDED = utc(2026, 11, 10, 15)  # validation period ends 2026-12-17 (see test_validation.py)


def _in_period(*disputes: Dispute) -> EvaluationContext:
    return with_debt(
        fine(),
        validation_notice_provided_at=PROVIDED,
        initial_communication_at=PROVIDED,
        disputes=list(disputes),
    )


def test_a_duplicative_dispute_still_pauses_until_the_duplicative_notice_is_sent():
    # 1006.38(d)(2)(ii): for a duplicative dispute the collector may answer with a notice that
    # refers to the earlier response; until then collection stays paused.
    first = Dispute(
        received_at=utc(2026, 11, 12),
        medium="mail",
        written=True,
        verification_sent_at=utc(2026, 11, 14),
    )
    again = Dispute(received_at=utc(2026, 11, 16), medium="email", written=True, duplicative=True)
    ctx = _in_period(first, again)
    decision = _now(ctx)
    assert decision.outcome is DecisionOutcome.BLOCK
    assert result(decision, "FED-DISPUTE-HOLD").outcome is Outcome.PAUSE
    assert decision.reasons == ("FED-DISPUTE-HOLD",)
    notice = _now(_letter(ctx, "DUPLICATIVE_DISPUTE_NOTICE"))
    assert result(notice, "FED-DISPUTE-HOLD").outcome is Outcome.ALLOW
    assert notice.outcome is DecisionOutcome.ALLOW
    answered = rebuild(again, verification_sent_at=utc(2026, 11, 17))
    assert result(_now(_in_period(first, answered)), "FED-DISPUTE-HOLD").outcome is Outcome.ALLOW


def test_a_dispute_on_one_of_two_debts_pauses_a_contact_about_both():
    # The hold is per debt (or disputed portion): a call about d-1 and d-2 is paused for d-2.
    from .factories import debt

    dispute = Dispute(received_at=utc(2026, 11, 16), medium="mail", written=True)
    d2 = debt(
        "d-2",
        validation_notice_provided_at=PROVIDED,
        initial_communication_at=PROVIDED,
        disputes=[dispute],
    )
    ctx = with_proposal(rebuild(fine(), debts=[debt(), d2]), debt_ids={"d-1", "d-2"})
    decision = _now(ctx)
    assert result(decision, "FED-DISPUTE-HOLD").outcome is Outcome.PAUSE
    assert result(decision, "FED-DISPUTE-HOLD").inputs["debts"] == ["d-2"]


# --- 6. Original creditor = current creditor (FED-OC-HOLD) -----------------------------------


def test_an_oc_request_when_the_original_creditor_is_the_current_one():
    # 1006.38(c): "If the original creditor is the current creditor, a notice saying so
    # satisfies this". That notice (OC_INFORMATION) may go out while paused; once sent the
    # hold ends.
    ctx = with_debt(_in_period(), oc_request_at=utc(2026, 11, 16))
    paused = _now(ctx)
    assert result(paused, "FED-OC-HOLD").outcome is Outcome.PAUSE
    assert paused.reasons == ("FED-OC-HOLD",)
    text = "Fairway Recovery LLC is a debt collector. Acme Bank is the original creditor."
    notice = _now(_letter(ctx, "OC_INFORMATION", text))
    assert result(notice, "FED-OC-HOLD").outcome is Outcome.ALLOW
    assert notice.outcome is DecisionOutcome.ALLOW
    sent = _now(with_debt(ctx, oc_info_sent_at=utc(2026, 11, 17)))
    assert sent.outcome is DecisionOutcome.ALLOW
    assert result(sent, "FED-OC-HOLD").outcome is Outcome.ALLOW


def test_an_oc_request_on_the_last_local_evening_of_the_period_is_timely():
    # The period (notice provided 2026-11-10, Veterans Day skipped) ends on 2026-12-18. A
    # written request received at 21:00 Chicago that day (03:00 UTC on the 19th) is within it,
    # as a dispute received then is (FED-DISPUTE-HOLD): PAUSE (decisions.md D-54).
    assert validation_period_end(date(2026, 11, 10)) == date(2026, 12, 18)
    ctx = with_debt(_in_period(), oc_request_at=local(CHICAGO, 2026, 12, 18, 21, 0))
    ctx = with_proposal(ctx, intended_send_at=local(CHICAGO, 2026, 12, 19, 10, 0))
    decision = _now(ctx)
    assert decision.outcome is DecisionOutcome.BLOCK
    assert result(decision, "FED-OC-HOLD").outcome is Outcome.PAUSE
    assert decision.reasons == ("FED-OC-HOLD",)
    # 2026.11.1 read the UTC date (the 19th) as late; kept for replay.
    assert evaluate(ctx, pack_version=RELEASED).outcome is DecisionOutcome.ALLOW
    # A request received the next local day is late in both versions.
    late = _now(with_debt(ctx, oc_request_at=local(CHICAGO, 2026, 12, 19, 0, 30)))
    assert result(late, "FED-OC-HOLD").outcome is Outcome.ALLOW


def test_an_oc_request_with_no_known_validation_period_pauses():
    # Fail closed: nobody knows when the period ends, so the request is treated as timely.
    ctx = with_debt(
        fine(),
        validation_notice_provided_at=None,
        oc_request_at=utc(2026, 11, 16),
        initial_communication_at=T0 - timedelta(days=1),
    )
    assert result(_now(ctx), "FED-OC-HOLD").outcome is Outcome.PAUSE


# --- 7. FED-FREQ-EXCL and the 7-in-7 count -----------------------------------------------------


def _calls(n: int, start_day: int, **kw: Any) -> list[ContactEvent]:
    return [call(local(CHICAGO, 2026, 11, start_day + i, 11, 0), **kw) for i in range(n)]


def _frequency_consent(given_day: int) -> Consent:
    return Consent(
        consent_id="cf-1",
        kind=ConsentKind.CALL_FREQUENCY,
        given_at=local(CHICAGO, 2026, 11, given_day, 9, 0),
        given_directly_to_collector=True,
    )


def test_a_consent_call_on_day_7_is_excluded_and_on_day_8_counts():
    # 1006.14(b)(3)(i): "within 7 consecutive days of the consent (the consent day is day 1)".
    # Seven counted calls Nov 12..18; consent given Nov 12 (day 1) -> Nov 18 is day 7.
    ctx = with_person(with_history(fine(), *_calls(7, 12)), consents=[_frequency_consent(12)])
    ctx = with_proposal(ctx, consent_id="cf-1")
    day7 = _now(ctx)
    assert result(day7, "FED-FREQ-EXCL").outcome is Outcome.ALLOW
    assert "1006.14(b)(3)(i)" in result(day7, "FED-FREQ-EXCL").explanation
    assert result(day7, "FED-7IN7").outcome is Outcome.ALLOW
    assert day7.outcome is DecisionOutcome.ALLOW
    # Consent given Nov 11: Nov 18 is day 8, the call counts and is the 8th in the window.
    later = with_person(ctx, consents=[_frequency_consent(11)])
    day8 = _now(later)
    assert result(day8, "FED-7IN7").outcome is Outcome.BLOCK
    assert "FED-7IN7" in day8.reasons


def test_a_consent_ends_once_the_requested_conversation_happened():
    # Comment 14(b)(3)(i)-2: the consent is used up by the conversation it asked for.
    talk = call(local(CHICAGO, 2026, 11, 18, 9, 30), conversation=True)
    # Six calls Nov 12..17 plus the 09:30 conversation on the 18th: the proposal is the 8th.
    consent = _frequency_consent(18)
    ctx = with_person(with_history(fine(), *_calls(6, 12), talk), consents=[consent])
    ctx = with_proposal(ctx, consent_id="cf-1")
    decision = _now(ctx)
    assert "prior consent" not in result(decision, "FED-FREQ-EXCL").explanation
    assert {"FED-7IN7", "FED-CONV-COOLDOWN"} <= failing_ids(decision)
    # Before the conversation (same consent, same six calls) the call is excluded.
    before = with_history(with_person(fine(), consents=[consent]), *_calls(6, 12))
    before = with_proposal(before, consent_id="cf-1", intended_send_at=talk.at)
    excluded = _now(before)
    assert "prior consent cf-1" in result(excluded, "FED-FREQ-EXCL").explanation
    assert excluded.outcome is DecisionOutcome.ALLOW


def test_a_withdrawn_consent_excludes_nothing():
    withdrawn = rebuild(_frequency_consent(12), withdrawn_at=local(CHICAGO, 2026, 11, 17, 9, 0))
    ctx = with_person(with_history(fine(), *_calls(7, 12)), consents=[withdrawn])
    decision = _now(with_proposal(ctx, consent_id="cf-1"))
    assert "FED-7IN7" in decision.reasons


def test_the_seven_day_window_counts_local_days_d_minus_6_to_d_exactly():
    # Seven calls Nov 12..18, the first at 00:00 local: on Nov 18 the window is 12..18.
    edges = [call(local(CHICAGO, 2026, 11, 12, 0, 0)), *_calls(6, 13)]
    ctx = with_history(fine(), *edges)
    last = with_proposal(ctx, intended_send_at=local(CHICAGO, 2026, 11, 18, 20, 0))
    blocked = _now(last)
    assert "FED-7IN7" in blocked.reasons
    assert blocked.retry_at == local(CHICAGO, 2026, 11, 19, 0, 0)
    # Nov 19 (day 8 from the first call): the window is 13..19 and holds six.
    next_day = with_proposal(ctx, intended_send_at=local(CHICAGO, 2026, 11, 19, 9, 0))
    assert result(_now(next_day), "FED-7IN7").outcome is Outcome.ALLOW


def test_limited_content_messages_and_unanswered_calls_count_toward_7_in_7():
    # Comment 2(b)-1: an LCM is an attempt and counts; ring-no-answer is connected and counts.
    lcms = [rebuild(c, channel="voicemail", voicemail="lcm") for c in _calls(4, 12)]
    unanswered = _calls(3, 16, connected=True, conversation=False)
    decision = _now(with_history(fine(), *lcms, *unanswered))
    assert result(decision, "FED-7IN7").outcome is Outcome.BLOCK
    assert result(decision, "FED-7IN7").inputs["d-1"]["count"] == 7
    # An LCM is not a conversation: no cooldown.
    assert result(decision, "FED-CONV-COOLDOWN").outcome is Outcome.ALLOW


def test_a_proposed_lcm_counts_as_a_call_itself():
    ctx = with_proposal(fine(), channel="voicemail", template_type="LIMITED_CONTENT_MESSAGE")
    ctx = with_content(
        ctx,
        LCM_TEXT,
        lcm_items=["business_name", "reply_request", "natural_person_name", "callback_number"],
    )
    assert _now(ctx).outcome is DecisionOutcome.ALLOW
    decision = _now(with_history(ctx, *_calls(7, 12)))
    assert result(decision, "FED-7IN7").outcome is Outcome.BLOCK


def test_not_connected_calls_are_excluded_from_both_counters():
    decision = _now(with_history(fine(), *_calls(7, 12, connected=False)))
    assert result(decision, "FED-7IN7").outcome is Outcome.ALLOW
    assert len(result(decision, "FED-FREQ-EXCL").inputs["excluded_calls"]) == 7


def test_location_calls_to_a_third_party_count_toward_that_persons_calls():
    # Reference FED-LOC edge case: location calls count toward that person's call count under
    # 1006.14(b)(1) (1006.10(c)).
    ctx = with_person(fine(), role=PersonRole.THIRD_PARTY, rpc="unverified", person_id="p-9")
    earlier = [
        rebuild(c, person_id="p-9", recipient_role=PersonRole.THIRD_PARTY, location_contact=True)
        for c in _calls(7, 12)
    ]
    ctx = with_history(ctx, *earlier)
    ctx = with_proposal(ctx, location_inquiry=True, location_followup_allowed=True)
    decision = _now(ctx)
    assert result(decision, "FED-7IN7").outcome is Outcome.BLOCK


# --- 8. FED-VN-TIMING: exactly 5 days --------------------------------------------------------


def _vn_pending(initial_at: Any) -> EvaluationContext:
    return with_debt(
        fine(), initial_communication_at=initial_at, validation_notice_provided_at=None
    )


def test_vn_timing_at_exactly_five_days_is_still_due_and_one_microsecond_later_overdue():
    # Five calendar days (5 x 24 h, decisions.md D-14) after the initial communication.
    first = T0 - timedelta(days=5)
    due = _now(_vn_pending(first))
    assert result(due, "FED-VN-TIMING").outcome is Outcome.REQUIRE
    duty = next(o for o in due.obligations if o.code == "vn_due:d-1")
    assert duty.due_at == T0
    assert "FED-VN-TIMING" not in failing_ids(due)
    overdue = _now(_vn_pending(first - timedelta(microseconds=1)))
    assert result(overdue, "FED-VN-TIMING").outcome is Outcome.BLOCK
    assert "FED-VN-TIMING" in overdue.reasons


def test_vn_timing_counts_calendar_days_through_a_weekend_and_holiday():
    # Initial communication Mon 2026-11-23 10:00; Thanksgiving (26th) and the weekend do not
    # extend the 5 days: on Sun 29th 10:00 it is overdue.
    first = local(CHICAGO, 2026, 11, 23, 10, 0)
    ctx = with_proposal(_vn_pending(first), intended_send_at=local(CHICAGO, 2026, 11, 28, 10, 1))
    assert "FED-VN-TIMING" in _now(ctx).reasons


# --- 9. Sundays and holidays ----------------------------------------------------------------


def test_a_sunday_call_at_ten_is_allowed():
    # Reference FED-TIME-WINDOW: Sundays and holidays are not presumptively inconvenient
    # federally (FTC staff view) [S].
    decision = _now(with_proposal(fine(), intended_send_at=local(CHICAGO, 2026, 11, 22, 10, 0)))
    assert decision.outcome is DecisionOutcome.ALLOW
    assert result(decision, "FED-TIME-WINDOW").outcome is Outcome.ALLOW


def test_a_thanksgiving_call_at_ten_is_allowed():
    decision = _now(with_proposal(fine(), intended_send_at=local(CHICAGO, 2026, 11, 26, 10, 0)))
    assert decision.outcome is DecisionOutcome.ALLOW


def test_the_validation_period_skips_weekends_and_holidays_but_is_not_rolled_forward():
    # FED-VN-PERIOD: provided Mon 2026-11-23; receipt after Tue 24, Wed 25, (Thanksgiving 26),
    # Fri 27, Mon 30, Tue Dec 1 -> Dec 1 + 30 = Thu Dec 31.
    assert validation_period_end(date(2026, 11, 23)) == date(2026, 12, 31)
    # Provided Fri 2026-10-30: Nov 2, 3, 4, 5, 6 -> Nov 6 + 30 = Sun Dec 6, not rolled forward.
    assert validation_period_end(date(2026, 10, 30)) == date(2026, 12, 6)
    ctx = with_proposal(
        fine(),
        channel="letter",
        endpoint_id=None,
        template_type="VN",
        intended_send_at=local(CHICAGO, 2026, 10, 30, 10, 0),
    )
    meta = {"envelope_items": [], "vn_elements": sorted(VN_ELEMENTS)}
    text = "Fairway Recovery LLC is a debt collector."
    on_sunday = _now(
        with_content(ctx, text, validation_period_end_stated=date(2026, 12, 6), **meta)
    )
    assert result(on_sunday, "FED-VN-PERIOD").outcome is Outcome.ALLOW
    early = _now(with_content(ctx, text, validation_period_end_stated=date(2026, 12, 5), **meta))
    assert result(early, "FED-VN-PERIOD").outcome is Outcome.BLOCK


# --- 10. Daylight saving time in New York --------------------------------------------------------


def _new_jersey() -> EvaluationContext:
    # America/New_York without a state overlay: a New Jersey address and a 201 cell.
    ctx = with_person(fine(), addresses=[address("NJ", "America/New_York")])
    ctx = rebuild(ctx, endpoints=[phone("+12015550100"), email()])
    # Validated long before March, so only the time rules are in play.
    first = utc(2026, 1, 5, 15)
    return with_debt(ctx, initial_communication_at=first, validation_notice_provided_at=first)


def _ny_calls(year: int, month: int, days: list[int], hour: int = 11) -> list[ContactEvent]:
    return [call(local(NEW_YORK, year, month, d, hour, 0)) for d in days]


def test_seven_calls_across_the_march_change_block_until_local_midnight():
    # 2026-03-08 02:00 EST -> 03:00 EDT. Calls Mar 2..8 at 11:00 local (the last in EDT).
    ctx = with_history(_new_jersey(), *_ny_calls(2026, 3, list(range(2, 9))))
    late = with_proposal(ctx, intended_send_at=local(NEW_YORK, 2026, 3, 8, 20, 0))
    blocked = _now(late)
    assert "FED-7IN7" in blocked.reasons
    assert blocked.retry_at == local(NEW_YORK, 2026, 3, 9, 0, 0) == utc(2026, 3, 9, 4, 0)
    assert result(blocked, "FED-7IN7").inputs["d-1"] == {"zone": "America/New_York", "count": 7}
    morning = with_proposal(ctx, intended_send_at=local(NEW_YORK, 2026, 3, 9, 9, 0))
    assert result(_now(morning), "FED-7IN7").outcome is Outcome.ALLOW


def test_seven_calls_across_the_november_change_block_until_local_midnight():
    # 2026-11-01 02:00 EDT -> 01:00 EST. Calls Oct 26..31 and Nov 1 at 11:00 local.
    calls = _ny_calls(2026, 10, list(range(26, 32))) + _ny_calls(2026, 11, [1])
    ctx = with_history(_new_jersey(), *calls)
    late = with_proposal(ctx, intended_send_at=local(NEW_YORK, 2026, 11, 1, 20, 0))
    blocked = _now(late)
    assert "FED-7IN7" in blocked.reasons
    assert blocked.retry_at == local(NEW_YORK, 2026, 11, 2, 0, 0) == utc(2026, 11, 2, 5, 0)
    morning = with_proposal(ctx, intended_send_at=local(NEW_YORK, 2026, 11, 2, 9, 0))
    assert result(_now(morning), "FED-7IN7").outcome is Outcome.ALLOW


def test_two_calls_in_the_repeated_hour_of_november_1_are_one_local_day():
    # 01:30 EDT (05:30 UTC) and 01:30 EST (06:30 UTC) on Nov 1 are both Nov 1: with five more
    # calls Oct 27..31 that is seven in the window ending Nov 1.
    repeated = [call(utc(2026, 11, 1, 5, 30)), call(utc(2026, 11, 1, 6, 30))]
    ctx = with_history(_new_jersey(), *_ny_calls(2026, 10, list(range(27, 32))), *repeated)
    at = with_proposal(ctx, intended_send_at=local(NEW_YORK, 2026, 11, 1, 12, 0))
    assert "FED-7IN7" in _now(at).reasons


def _ny_at(*args: int) -> Decision:
    return _now(with_proposal(_new_jersey(), intended_send_at=local(NEW_YORK, *args)))


def test_the_window_on_the_march_change_day_is_eight_to_nine_daylight_time():
    assert "FED-TIME-WINDOW" in _ny_at(2026, 3, 8, 8, 0, 0).reasons
    assert _ny_at(2026, 3, 8, 8, 0, 1).outcome is DecisionOutcome.ALLOW
    assert _ny_at(2026, 3, 8, 20, 44, 59).outcome is DecisionOutcome.ALLOW
    assert "FED-TIME-WINDOW" in _ny_at(2026, 3, 8, 21, 0, 0).reasons
    early = _ny_at(2026, 3, 8, 7, 30)
    # 08:00 EDT is 12:00 UTC (it would be 13:00 in EST).
    assert early.retry_at == utc(2026, 3, 8, 12, 0) + timedelta(microseconds=1)


def test_the_window_on_the_november_change_day_is_eight_to_nine_standard_time():
    assert "FED-TIME-WINDOW" in _ny_at(2026, 11, 1, 8, 0, 0).reasons
    assert _ny_at(2026, 11, 1, 8, 0, 1).outcome is DecisionOutcome.ALLOW
    assert "FED-TIME-WINDOW" in _ny_at(2026, 11, 1, 21, 0, 0).reasons
    early = _ny_at(2026, 11, 1, 7, 30)
    assert early.retry_at == utc(2026, 11, 1, 13, 0) + timedelta(microseconds=1)


# --- 11. Portal / email consent disclosure (FED-EMAIL-PROC) ----------------------------------


def _email_by_consent(**consent_kw: Any) -> EvaluationContext:
    consent = Consent.model_validate(
        {
            "consent_id": "c-portal",
            "kind": ConsentKind.EMAIL,
            "given_at": utc(2026, 11, 1),
            "given_directly_to_collector": True,
            "endpoint_id": "em-1",
            "obtained_in_compliant_communication": True,
            **consent_kw,
        }
    )
    ctx = rebuild(fine(), endpoints=[phone(), email(consumer_used_at=None)])
    ctx = with_person(ctx, consents=[consent])
    ctx = with_proposal(ctx, channel="email", endpoint_id="em-1", template_type="REMINDER")
    return with_content(ctx, EMAIL_TEXT)


def test_a_portal_consent_without_the_disclosure_does_not_qualify_the_address():
    # Reference FED-EMAIL-PROC: portal consent counts only with a clear disclosure that the
    # address may be used about the debt [S: comment to 6(d)(4)(i)].
    decision = _now(_email_by_consent(disclosure_shown=False))
    assert decision.outcome is DecisionOutcome.BLOCK
    assert decision.reasons == ("FED-EMAIL-PROC",)


def test_a_portal_consent_with_the_disclosure_qualifies_the_address():
    decision = _now(_email_by_consent(disclosure_shown=True))
    assert decision.outcome is DecisionOutcome.ALLOW
    assert "c-portal" in result(decision, "FED-EMAIL-PROC").explanation


def test_a_portal_consent_with_no_record_of_the_disclosure_is_missing_data():
    decision = _now(_email_by_consent())
    assert decision.reasons == ("DATA_MISSING:person.consents[c-portal].disclosure_shown",)


def test_a_withdrawn_or_indirect_portal_consent_does_not_qualify_the_address():
    withdrawn = _now(_email_by_consent(disclosure_shown=True, withdrawn_at=utc(2026, 11, 10)))
    assert withdrawn.reasons == ("FED-EMAIL-PROC",)
    indirect = _now(_email_by_consent(disclosure_shown=True, given_directly_to_collector=False))
    assert indirect.reasons == ("FED-EMAIL-PROC",)
