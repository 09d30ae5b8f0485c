"""FED section 2b: 7-in-7, conversation cooldown, exclusions, soft caps (and the POL call cap)."""

from __future__ import annotations

from datetime import timedelta

from compliance.domain import DecisionOutcome, evaluate
from compliance.domain.context import Consent, ConsentKind, PersonRole
from compliance.domain.results import Outcome

from .factories import (
    CHICAGO,
    EMAIL_TEXT,
    T0,
    approval,
    call,
    debt,
    failing_ids,
    fine,
    local,
    message,
    rebuild,
    result,
    with_approvals,
    with_collector,
    with_content,
    with_history,
    with_person,
    with_proposal,
)


def _calls(n: int, *, start_day: int = 12, **kw):  # type: ignore[no-untyped-def]
    """n calls at 11:00 Chicago on consecutive days from Nov `start_day` (one per day)."""
    return [call(local(CHICAGO, 2026, 11, start_day + i, 11, 0), **kw) for i in range(n)]


def test_allows_the_seventh_call_in_seven_days():
    assert evaluate(with_history(fine(), *_calls(6))).outcome is DecisionOutcome.ALLOW


def test_blocks_the_eighth_call_in_seven_days():
    decision = evaluate(with_history(fine(), *_calls(7)))
    assert "FED-7IN7" in failing_ids(decision)
    # Calls on Nov 12..18: the window ending on the 18th holds 7; the 19th drops the 12th.
    assert decision.retry_at == local(CHICAGO, 2026, 11, 19, 0, 0)


def test_the_seven_day_window_starts_at_local_midnight():
    # Seven calls on Nov 11..17; on Nov 18 the window is Nov 12..18 and holds six.
    ctx = with_history(fine(), *_calls(7, start_day=11))
    assert "FED-7IN7" not in failing_ids(evaluate(ctx))
    # One minute before local midnight of the 18th it is still the 17th: blocked.
    late = with_proposal(ctx, intended_send_at=local(CHICAGO, 2026, 11, 17, 23, 59))
    assert "FED-7IN7" in failing_ids(evaluate(late))


def test_day_boundaries_use_every_candidate_zone():
    # 23:30 Chicago on Nov 11 is already Nov 12 in New York: counted in NY's window for Nov 18.
    from .factories import email, phone

    calls = [call(local(CHICAGO, 2026, 11, 11, 23, 30)), *_calls(6, start_day=13)]
    ctx = with_history(fine(), *calls)
    assert "FED-7IN7" not in failing_ids(evaluate(ctx))
    two_zones = rebuild(
        ctx, endpoints=[phone(), phone("+12125550100", endpoint_id="ph-2"), email()]
    )
    assert "FED-7IN7" in failing_ids(evaluate(two_zones))


def test_unanswered_calls_count():
    ctx = with_history(fine(), *_calls(7, connected=True, conversation=False))
    assert "FED-7IN7" in failing_ids(evaluate(ctx))


def test_calls_not_connected_to_the_dialed_number_are_excluded():
    ctx = with_history(fine(), *_calls(7, connected=False))
    decision = evaluate(ctx)
    assert "FED-7IN7" not in failing_ids(decision)
    assert len(result(decision, "FED-FREQ-EXCL").inputs["excluded_calls"]) == 7


def test_calls_with_unknown_connection_count_fail_closed():
    ctx = with_history(fine(), *_calls(7, connected=None))
    assert "FED-7IN7" in failing_ids(evaluate(ctx))


def test_calls_placed_with_prior_consent_within_seven_days_are_excluded():
    consent = Consent(
        consent_id="c-9",
        kind=ConsentKind.CALL_FREQUENCY,
        given_at=local(CHICAGO, 2026, 11, 12, 9, 0),
        given_directly_to_collector=True,
    )
    ctx = with_person(fine(), consents=[consent])
    ctx = with_history(ctx, *_calls(7, consent_id="c-9"))
    assert "FED-7IN7" not in failing_ids(evaluate(ctx))


def test_the_proposed_call_under_consent_is_not_counted():
    consent = Consent(
        consent_id="c-9",
        kind=ConsentKind.CALL_FREQUENCY,
        given_at=local(CHICAGO, 2026, 11, 18, 9, 0),
        given_directly_to_collector=True,
    )
    ctx = with_person(with_history(fine(), *_calls(7)), consents=[consent])
    decision = evaluate(with_proposal(ctx, consent_id="c-9"))
    assert result(decision, "FED-7IN7").outcome is Outcome.ALLOW
    assert "placed with prior consent" in result(decision, "FED-FREQ-EXCL").explanation


def test_calls_to_the_consumers_attorney_are_excluded():
    ctx = with_history(fine(), *_calls(7, recipient_role=PersonRole.CONSUMER_ATTORNEY))
    assert "FED-7IN7" not in failing_ids(evaluate(ctx))


def test_calls_count_per_debt_not_per_person():
    ctx = rebuild(with_history(fine(), *_calls(7)), debts=[debt(), debt("d-2")])
    other = with_proposal(ctx, debt_ids={"d-2"})
    assert "FED-7IN7" not in failing_ids(evaluate(other))
    both = with_proposal(ctx, debt_ids={"d-1", "d-2"})
    assert "FED-7IN7" in failing_ids(evaluate(both))


def test_a_call_about_two_debts_counts_toward_each():
    ctx = rebuild(
        with_history(fine(), *_calls(7, debt_ids={"d-1", "d-2"})), debts=[debt(), debt("d-2")]
    )
    assert "FED-7IN7" in failing_ids(evaluate(with_proposal(ctx, debt_ids={"d-2"})))


def test_student_loans_under_one_account_count_as_one_debt():
    ctx = rebuild(
        fine(),
        debts=[debt(frequency_group="loan-acct-1"), debt("d-2", frequency_group="loan-acct-1")],
    )
    calls = _calls(4) + _calls(3, start_day=16, debt_ids={"d-2"})
    assert "FED-7IN7" in failing_ids(evaluate(with_history(ctx, *calls)))


def test_texts_and_emails_do_not_count_as_calls():
    texts = [message(local(CHICAGO, 2026, 11, 12 + i, 11, 0)) for i in range(7)]
    assert "FED-7IN7" not in failing_ids(evaluate(with_history(fine(), *texts)))


def test_outstanding_approvals_count_as_calls():
    ctx = with_approvals(with_history(fine(), *_calls(6)), approval(T0 - timedelta(hours=1)))
    assert "FED-7IN7" in failing_ids(evaluate(ctx))


def test_an_approval_already_attempted_is_not_counted_twice():
    granted = approval(T0 - timedelta(hours=1))
    attempt = call(T0 - timedelta(hours=1), approval_id=granted.approval_id)
    ctx = with_approvals(with_history(fine(), *_calls(5), attempt), granted)
    assert "FED-7IN7" not in failing_ids(evaluate(ctx))


def test_a_later_dated_approval_blocks_an_earlier_call_that_would_overfill_its_window():
    # Seven approvals already granted for Nov 19..24: the window Nov 18..24 contains the
    # proposed Nov 18 call and would hold eight, although the trailing window Nov 12..18 is empty.
    days = [19, 19, 20, 21, 22, 23, 24]
    approvals = [approval(local(CHICAGO, 2026, 11, d, 11, 0)) for d in days]
    assert "FED-7IN7" in failing_ids(evaluate(with_approvals(fine(), *approvals)))
    later = [approval(local(CHICAGO, 2026, 11, d, 11, 0)) for d in range(19, 26)]
    assert "FED-7IN7" not in failing_ids(evaluate(with_approvals(fine(), *later)))


# --- FED-CONV-COOLDOWN ----------------------------------------------------------------------


def _talked_on(day: int):  # type: ignore[no-untyped-def]
    return call(local(CHICAGO, 2026, 11, day, 15, 0), conversation=True)


def test_blocks_a_call_on_day_c_plus_6_after_a_conversation():
    ctx = with_history(fine(), _talked_on(12))  # T0 is Nov 18 = c+6
    decision = evaluate(ctx)
    assert "FED-CONV-COOLDOWN" in failing_ids(decision)
    assert decision.retry_at == local(CHICAGO, 2026, 11, 19, 0, 0)


def test_allows_a_call_on_day_c_plus_7_after_a_conversation():
    assert evaluate(with_history(fine(), _talked_on(11))).outcome is DecisionOutcome.ALLOW


def test_blocks_a_second_call_on_the_day_of_the_conversation():
    ctx = with_history(fine(), call(local(CHICAGO, 2026, 11, 18, 9, 0), conversation=True))
    assert "FED-CONV-COOLDOWN" in failing_ids(evaluate(ctx))


def test_a_conversation_the_consumer_initiated_also_starts_the_cooldown():
    talk = call(
        local(CHICAGO, 2026, 11, 16, 9, 0),
        direction="inbound",
        initiated_by="consumer",
        conversation=True,
    )
    assert "FED-CONV-COOLDOWN" in failing_ids(evaluate(with_history(fine(), talk)))


def test_a_conversation_about_another_debt_does_not_start_a_cooldown():
    ctx = rebuild(fine(), debts=[debt(), debt("d-2")])
    ctx = with_history(
        ctx, call(local(CHICAGO, 2026, 11, 16, 9, 0), conversation=True, debt_ids={"d-2"})
    )
    assert "FED-CONV-COOLDOWN" not in failing_ids(evaluate(ctx))


def test_a_voicemail_is_not_a_conversation():
    ctx = with_history(fine(), call(local(CHICAGO, 2026, 11, 16, 9, 0), voicemail="lcm"))
    assert "FED-CONV-COOLDOWN" not in failing_ids(evaluate(ctx))


# --- FED-HARASS-GENERAL and POL -------------------------------------------------------------


def _email_ctx():  # type: ignore[no-untyped-def]
    ctx = with_proposal(fine(), channel="email", endpoint_id="em-1", template_type="REMINDER")
    return with_content(ctx, EMAIL_TEXT)


def test_many_electronic_messages_in_a_week_go_to_review():
    emails = [message(T0 - timedelta(hours=12 * i + 1), channel="email") for i in range(10)]
    decision = evaluate(with_history(_email_ctx(), *emails))
    assert decision.outcome is DecisionOutcome.REVIEW
    assert "FED-HARASS-GENERAL" in failing_ids(decision)


def test_a_few_emails_are_fine():
    emails = [message(T0 - timedelta(days=i + 1), channel="email") for i in range(3)]
    assert evaluate(with_history(_email_ctx(), *emails)).outcome is DecisionOutcome.ALLOW


def test_first_party_creditor_gets_the_policy_call_cap_instead_of_fed():
    ctx = with_collector(with_history(fine(), *_calls(7)), role="creditor_own_name")
    decision = evaluate(ctx)
    assert "FED" not in decision.packs
    assert "POL-CALL-CAP" in failing_ids(decision)


def test_policy_last_dial_blocks_a_call_at_twenty_fifty():
    ctx = with_proposal(fine(), intended_send_at=local(CHICAGO, 2026, 11, 18, 20, 50))
    decision = evaluate(ctx)
    assert failing_ids(decision) == {"POL-LAST-DIAL"}


def test_policy_time_window_applies_to_first_party_creditors():
    ctx = with_collector(fine(), role="creditor_own_name")
    ctx = with_proposal(ctx, intended_send_at=local(CHICAGO, 2026, 11, 18, 7, 0))
    assert "POL-TIME-WINDOW" in failing_ids(evaluate(ctx))


def test_policy_soft_cap_reviews_first_party_texting():
    ctx = with_collector(_email_ctx(), role="creditor_own_name")
    emails = [message(T0 - timedelta(hours=12 * i + 1), channel="email") for i in range(10)]
    assert "POL-SOFT-CAP" in failing_ids(evaluate(with_history(ctx, *emails)))
