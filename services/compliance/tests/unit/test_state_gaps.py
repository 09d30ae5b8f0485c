"""State overlay gaps closed in pack version 2026.12.1 (decisions.md D-48 to D-52), and the
boundaries of the WA and MA rules the reference states.

Each behaviour change is shown in both versions: 2026.12.1 answers as the reference says, and
2026.11.1, which recorded decisions replay with, still answers as released (decisions.md D-35).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from compliance.domain import evaluate
from compliance.domain.context import (
    Consent,
    ConsentKind,
    ContactEvent,
    EvaluationContext,
    InconvenientPlace,
    InPersonEndpoint,
    PersonRole,
    PlaceKind,
    TimePlaceLimit,
)
from compliance.domain.decision import Decision
from compliance.domain.results import Outcome

from .factories import (
    EMAIL_TEXT,
    call,
    email,
    fine,
    in_state,
    local,
    message,
    phone,
    rebuild,
    result,
    utc,
    with_collector,
    with_content,
    with_history,
    with_person,
    with_proposal,
)

RELEASED = "2026.11.1"
FIXED = "2026.12.1"
BOSTON = ZoneInfo("America/New_York")
SEATTLE = ZoneInfo("America/Los_Angeles")
DEBTOR_HISTORY = "DATA_MISSING:history[recipient_role=consumer]"


def _both(ctx: EvaluationContext) -> tuple[Decision, Decision]:
    return evaluate(ctx, pack_version=RELEASED), evaluate(ctx, pack_version=FIXED)


def _outcome(decision: Decision, rule_id: str) -> Outcome:
    return result(decision, rule_id).outcome  # type: ignore[no-any-return]


def _debtor(instant: datetime, **kw: Any) -> ContactEvent:
    """A contact with the debtor, carried in another household member's context."""
    return call(instant, person_id="p-debtor", endpoint_id="ph-debtor", **kw)


# === WA-3PW: the debtor or spouse (D-48) ======================================================


def _wa(at: datetime | None = None, **person_kw: Any) -> EvaluationContext:
    ctx = in_state(fine(), "WA", "America/Los_Angeles")
    ctx = rebuild(ctx, endpoints=[phone("+12065550100"), email()])
    if person_kw:
        ctx = with_person(ctx, **person_kw)
    return with_proposal(ctx, intended_send_at=at or local(SEATTLE, 2026, 11, 18, 11, 0))


def _days_ago(days: int, hour: int = 11) -> datetime:
    return local(SEATTLE, 2026, 11, 18 - days, hour, 0)


def _spouse_contact(instant: datetime, **kw: Any) -> ContactEvent:
    return call(instant, person_id="p-spouse", recipient_role="spouse", endpoint_id="ph-s", **kw)


def test_wa_counts_the_spouses_communications_toward_the_debtors_three_a_week():
    ctx = with_history(
        _wa(),
        message(_days_ago(1), channel="email"),
        message(_days_ago(2), channel="email"),
        _spouse_contact(_days_ago(3)),
    )
    released, fixed = _both(ctx)
    assert _outcome(released, "WA-3PW") is Outcome.ALLOW  # the gap, kept for replay
    wa = result(fixed, "WA-3PW")
    assert wa.outcome is Outcome.BLOCK
    assert "communications with the debtor or spouse" in wa.explanation
    assert "WA-3PW" in fixed.reasons
    # The spouse's call (day 15) leaves the rolling week at local midnight of day 22.
    assert wa.retry_at == local(SEATTLE, 2026, 11, 22, 0, 0)


def test_wa_does_not_count_a_spouse_reply_they_asked_for_or_a_third_partys_contact():
    ctx = with_history(
        _wa(),
        message(_days_ago(1), channel="email"),
        message(_days_ago(2), channel="email"),
        _spouse_contact(_days_ago(3), responding_to_consumer_request=True),
        call(_days_ago(3), person_id="p-neighbour", recipient_role="third_party"),
    )
    assert _outcome(evaluate(ctx, pack_version=FIXED), "WA-3PW") is Outcome.ALLOW


def test_wa_spouse_outside_the_rolling_week_does_not_count():
    ctx = with_history(
        _wa(),
        message(_days_ago(1), channel="email"),
        message(_days_ago(2), channel="email"),
        _spouse_contact(_days_ago(7)),
    )
    assert _outcome(evaluate(ctx, pack_version=FIXED), "WA-3PW") is Outcome.ALLOW
    again = with_history(ctx, _spouse_contact(_days_ago(6)))
    assert _outcome(evaluate(again, pack_version=FIXED), "WA-3PW") is Outcome.BLOCK


def test_wa_a_spouses_record_without_the_debtors_contacts_is_missing_data():
    released, fixed = _both(_wa(role=PersonRole.SPOUSE))
    assert _outcome(released, "WA-3PW") is Outcome.ALLOW
    wa = result(fixed, "WA-3PW")
    assert wa.outcome is Outcome.BLOCK
    assert wa.missing == ("history[recipient_role=consumer]",)
    assert DEBTOR_HISTORY in fixed.reasons


def test_wa_a_spouse_is_judged_with_the_debtors_contacts_when_the_context_carries_them():
    spouse = _wa(role=PersonRole.SPOUSE)
    one = with_history(spouse, _debtor(_days_ago(1)))
    assert _outcome(evaluate(one, pack_version=FIXED), "WA-3PW") is Outcome.ALLOW
    three = with_history(one, _debtor(_days_ago(2)), _debtor(_days_ago(3)))
    wa = result(evaluate(three, pack_version=FIXED), "WA-3PW")
    assert wa.outcome is Outcome.BLOCK
    assert wa.missing == ()
    assert "debtor or spouse" in wa.explanation


# === WA-3PW: once a week at work, with D-45 (D-50) ============================================


def _wa_phones(proposal_type: str, earlier_type: str, **proposal_kw: Any) -> EvaluationContext:
    ctx = rebuild(
        _wa(),
        endpoints=[
            phone("+12065550100", phone_type=proposal_type, **proposal_kw),
            phone("+12065550111", endpoint_id="ph-2", phone_type=earlier_type),
            email(),
        ],
    )
    return with_history(ctx, call(_days_ago(2), endpoint_id="ph-2"))


def test_wa_work_cap_a_phone_of_unknown_type_after_a_work_call_is_missing_data():
    released, fixed = _both(_wa_phones("unknown", "work"))
    assert _outcome(released, "WA-3PW") is Outcome.ALLOW  # the gap, kept for replay
    assert result(fixed, "WA-3PW").missing == ("endpoints[ph-1].phone_type",)
    assert "DATA_MISSING:endpoints[ph-1].phone_type" in fixed.reasons


def test_wa_work_cap_a_work_call_after_a_call_to_a_phone_of_unknown_type_is_missing_data():
    fixed = evaluate(_wa_phones("work", "unknown"), pack_version=FIXED)
    assert result(fixed, "WA-3PW").missing == ("endpoints[ph-2].phone_type",)


def test_wa_work_cap_unknown_types_bind_nothing_when_no_work_contact_is_near():
    fixed = evaluate(_wa_phones("unknown", "cell"), pack_version=FIXED)
    assert _outcome(fixed, "WA-3PW") is Outcome.ALLOW


def test_wa_work_cap_a_work_type_phone_is_at_work_whatever_its_default_place():
    # Two calls to work-type numbers whose place was left at the HOME default.
    released, fixed = _both(_wa_phones("work", "work"))
    assert _outcome(released, "WA-3PW") is Outcome.ALLOW  # 2026.11.1 read only place=WORK
    wa = result(fixed, "WA-3PW")
    assert wa.outcome is Outcome.BLOCK
    assert wa.missing == ()
    assert "at the workplace" in wa.explanation


def test_wa_work_cap_does_not_touch_a_known_cell_phone():
    fixed = evaluate(_wa_phones("cell", "work"), pack_version=FIXED)
    assert _outcome(fixed, "WA-3PW") is Outcome.ALLOW


def test_wa_work_cap_is_a_rolling_week_of_local_days():
    ctx = rebuild(
        _wa(), endpoints=[phone("+12065550100", phone_type="work", place="work"), email()]
    )
    six = evaluate(with_history(ctx, call(_days_ago(6))), pack_version=FIXED)
    assert _outcome(six, "WA-3PW") is Outcome.BLOCK
    seven = evaluate(with_history(ctx, call(_days_ago(7))), pack_version=FIXED)
    assert _outcome(seven, "WA-3PW") is Outcome.ALLOW


def test_wa_work_cap_an_employer_provided_email_is_at_work():
    ctx = rebuild(_wa(), endpoints=[phone("+12065550100"), email(employer_provided=True)])
    ctx = with_proposal(ctx, channel="email", endpoint_id="em-1", template_type="REMINDER")
    ctx = with_history(with_content(ctx, EMAIL_TEXT), message(_days_ago(3), channel="email"))
    released, fixed = _both(ctx)
    assert _outcome(released, "WA-3PW") is Outcome.ALLOW
    assert _outcome(fixed, "WA-3PW") is Outcome.BLOCK


# === WA-3PW: the residence between 21:00 and 07:30 (D-11, D-51) ===============================


def _wa_lifted(at: datetime, **proposal_kw: Any) -> EvaluationContext:
    """A consent lifts the federal 8-9 window, so WA's own window is what is left to judge."""
    consent = Consent(
        consent_id="c-tw",
        kind=ConsentKind.TIME_PLACE,
        given_at=utc(2026, 11, 1),
        given_directly_to_collector=True,
        obtained_in_compliant_communication=True,
        scope=frozenset({TimePlaceLimit.TIME_WINDOW}),
    )
    return with_proposal(_wa(at, consents=[consent]), **proposal_kw)


def _wa_window(at: datetime, **proposal_kw: Any) -> Outcome:
    return _outcome(evaluate(_wa_lifted(at, **proposal_kw)), "WA-3PW")


def test_wa_residence_window_includes_both_boundary_instants():
    tiny = timedelta(microseconds=1)
    half_seven = local(SEATTLE, 2026, 11, 18, 7, 30)
    nine = local(SEATTLE, 2026, 11, 18, 21, 0)
    assert _wa_window(half_seven - tiny) is Outcome.BLOCK
    assert _wa_window(half_seven) is Outcome.BLOCK
    assert _wa_window(half_seven + tiny) is Outcome.ALLOW
    assert _wa_window(nine - tiny) is Outcome.ALLOW
    assert _wa_window(nine) is Outcome.BLOCK


def test_wa_residence_window_retries_at_the_first_instant_after_half_past_seven():
    decision = evaluate(_wa_lifted(local(SEATTLE, 2026, 11, 18, 6, 0)))
    wa = result(decision, "WA-3PW")
    assert "between 9 p.m. and 7:30 a.m." in wa.explanation
    assert wa.retry_at == local(SEATTLE, 2026, 11, 18, 7, 30) + timedelta(microseconds=1)
    # The federal window is lifted by the consent: Washington's alone blocks here.
    assert result(decision, "FED-TIME-WINDOW").outcome is not Outcome.BLOCK


def test_wa_residence_window_does_not_judge_a_work_number_or_an_email():
    early = local(SEATTLE, 2026, 11, 18, 7, 0)
    work = rebuild(
        _wa_lifted(early),
        endpoints=[phone("+12065550100", phone_type="work", place="work"), email()],
    )
    assert _outcome(evaluate(work), "WA-3PW") is Outcome.ALLOW
    emailed = with_content(
        _wa_lifted(early, channel="email", endpoint_id="em-1", template_type="REMINDER"),
        EMAIL_TEXT,
    )
    assert _outcome(evaluate(emailed), "WA-3PW") is Outcome.ALLOW


def test_wa_residence_window_binds_a_call_whose_endpoint_is_unknown():
    ctx = _wa_lifted(local(SEATTLE, 2026, 11, 18, 7, 0), endpoint_id=None)
    released, fixed = _both(ctx)
    assert _outcome(released, "WA-3PW") is Outcome.ALLOW  # the gap, kept for replay
    assert _outcome(fixed, "WA-3PW") is Outcome.BLOCK


# === MA-HOUSEHOLD: creditors' calls to the household (D-49) ===================================


def _ma_household(role: PersonRole = PersonRole.THIRD_PARTY, **phone_kw: Any) -> EvaluationContext:
    ctx = in_state(fine(), "MA", "America/New_York")
    ctx = rebuild(ctx, endpoints=[phone("+16175550100", **phone_kw), email()])
    ctx = with_person(with_collector(ctx, role="creditor_own_name"), role=role)
    ctx = with_content(
        ctx, "This is Sam, please call me back at 617-555-0199.", household_script=True
    )
    return with_proposal(ctx, intended_send_at=local(BOSTON, 2026, 11, 18, 11, 0))


def _boston(days_ago: int) -> datetime:
    return local(BOSTON, 2026, 11, 18, 11, 0) - timedelta(days=days_ago)


def test_ma_household_call_without_the_debtors_calls_is_missing_data():
    released, fixed = _both(_ma_household())
    assert _outcome(released, "MA-HOUSEHOLD") is Outcome.REQUIRE  # the gap, kept for replay
    household = result(fixed, "MA-HOUSEHOLD")
    assert household.outcome is Outcome.BLOCK
    assert household.missing == ("history[recipient_role=consumer]",)
    assert fixed.reasons == (DEBTOR_HISTORY,)


def test_ma_household_counts_the_debtors_calls_at_the_residence_two_in_seven_days():
    one = with_history(_ma_household(), _debtor(_boston(3)))
    assert _outcome(evaluate(one), "MA-HOUSEHOLD") is Outcome.REQUIRE
    two = with_history(one, _debtor(_boston(6)))
    household = result(evaluate(two), "MA-HOUSEHOLD")
    assert household.outcome is Outcome.BLOCK
    assert household.missing == ()
    assert "household calls and texts to personal numbers about d-1" in household.explanation
    # Outside the 7-day window (day -7) the residence cap is met again.
    week_ago = with_history(one, _debtor(_boston(7)))
    outcome = _outcome(
        evaluate(rebuild(week_ago, endpoints=[phone("+16175550100"), email()])), "MA-HOUSEHOLD"
    )
    assert outcome is Outcome.REQUIRE


def test_ma_household_counts_the_members_own_texts_with_the_debtors_calls():
    ctx = with_history(
        _ma_household(), _debtor(_boston(40)), message(_boston(1)), message(_boston(2))
    )
    assert _outcome(evaluate(ctx), "MA-HOUSEHOLD") is Outcome.BLOCK


def test_ma_household_counts_per_debt():
    from .factories import debt

    ctx = rebuild(_ma_household(), debts=[debt(governing_state="MA"), debt("d-2")])
    ctx = with_history(
        ctx, _debtor(_boston(1), debt_ids={"d-2"}), _debtor(_boston(2), debt_ids={"d-2"})
    )
    assert _outcome(evaluate(ctx), "MA-HOUSEHOLD") is Outcome.REQUIRE


def test_ma_household_elsewhere_is_two_in_thirty_days():
    work = _ma_household(phone_type="work", place="work")
    mine = [call(_boston(29), endpoint_id="ph-1"), call(_boston(1), endpoint_id="ph-1")]
    blocked = with_history(work, _debtor(_boston(45)), *mine)
    household = result(evaluate(blocked), "MA-HOUSEHOLD")
    assert household.outcome is Outcome.BLOCK
    assert "other numbers" in household.explanation
    older = with_history(work, _debtor(_boston(45)), call(_boston(30), endpoint_id="ph-1"), mine[1])
    assert _outcome(evaluate(older), "MA-HOUSEHOLD") is Outcome.REQUIRE


def test_ma_household_a_reply_they_asked_for_is_not_capped():
    ctx = with_proposal(_ma_household(), responding_to_consumer_request=True)
    assert _outcome(evaluate(ctx), "MA-HOUSEHOLD") is Outcome.REQUIRE


def test_ma_household_a_letter_is_not_a_call_or_text():
    ctx = with_proposal(
        _ma_household(), channel="letter", endpoint_id=None, template_type="REMINDER"
    )
    ctx = with_content(
        ctx, "Please call Sam at 617-555-0199.", household_script=True, envelope_items=[]
    )
    assert _outcome(evaluate(ctx), "MA-HOUSEHOLD") is Outcome.REQUIRE


def test_ma_household_a_message_implying_the_debt_is_blocked_as_before():
    ctx = with_content(_ma_household(), "Please have Pat call about the overdue balance.")
    household = result(evaluate(ctx), "MA-HOUSEHOLD")
    assert household.outcome is Outcome.BLOCK
    assert household.missing == ()
    assert "implies the debt" in household.explanation


def test_ma_household_a_spouse_is_capped_first_then_reviewed():
    spouse = _ma_household(PersonRole.SPOUSE)
    assert evaluate(spouse).reasons == (DEBTOR_HISTORY,)
    known = with_history(spouse, _debtor(_boston(20)))
    assert _outcome(evaluate(known), "MA-HOUSEHOLD") is Outcome.REVIEW


def test_ma_household_does_not_apply_to_a_third_party_collector():
    ctx = with_collector(_ma_household(), role="third_party_collector")
    assert _outcome(evaluate(ctx), "MA-HOUSEHOLD") is Outcome.NOT_APPLICABLE


# === MA-2IN7: aggregate personal numbers, per debt (D-09) =====================================


def _ma(**phone_kw: Any) -> EvaluationContext:
    ctx = in_state(fine(), "MA", "America/New_York")
    ctx = rebuild(
        ctx,
        endpoints=[
            phone("+16175550100", **phone_kw),
            phone("+16175550111", endpoint_id="ph-2", phone_type="landline"),
            email(),
        ],
    )
    return with_proposal(ctx, intended_send_at=local(BOSTON, 2026, 11, 18, 11, 0))


def test_ma_2in7_aggregates_the_cell_and_the_landline_over_seven_local_days():
    six = with_history(_ma(), call(_boston(6), endpoint_id="ph-2"), call(_boston(1)))
    assert result(evaluate(six), "MA-2IN7").outcome is Outcome.BLOCK
    seven = with_history(_ma(), call(_boston(7), endpoint_id="ph-2"), call(_boston(1)))
    assert result(evaluate(seven), "MA-2IN7").outcome is Outcome.ALLOW


def test_ma_2in7_an_unknown_number_counts_in_both_groups():
    # The proposal's phone is of unknown type: the 30-day cap of other numbers binds too.
    ctx = with_history(_ma(phone_type="unknown"), call(_boston(20)), call(_boston(10)))
    found = result(evaluate(ctx), "MA-2IN7")
    assert found.outcome is Outcome.BLOCK
    assert "other numbers" in found.explanation
    assert (
        result(
            evaluate(with_history(_ma(), call(_boston(20)), call(_boston(10)))), "MA-2IN7"
        ).outcome
        is Outcome.ALLOW
    )


# === MA-WORK-REQ: oral requests and their written confirmation ===============================


def _ma_work(place: InconvenientPlace) -> EvaluationContext:
    ctx = rebuild(
        _ma(), endpoints=[phone("+16175550100", phone_type="work", place="work"), email()]
    )
    return with_person(ctx, inconvenient_places=[place])


def _work_request(days: float, **kw: Any) -> InconvenientPlace:
    t = local(BOSTON, 2026, 11, 18, 11, 0)
    return InconvenientPlace(place=PlaceKind.WORK, designated_at=t - timedelta(days=days), **kw)


def test_ma_oral_work_request_lasts_exactly_ten_days():
    assert result(evaluate(_ma_work(_work_request(10))), "MA-WORK-REQ").outcome is Outcome.BLOCK
    later = _work_request(10 + 1 / 86400)
    assert result(evaluate(_ma_work(later)), "MA-WORK-REQ").outcome is Outcome.ALLOW


def test_ma_oral_request_confirmed_in_writing_within_seven_days_does_not_expire():
    at = local(BOSTON, 2026, 11, 18, 11, 0) - timedelta(days=40)
    confirmed = _work_request(40, confirmed_in_writing_at=at + timedelta(days=7))
    assert result(evaluate(_ma_work(confirmed)), "MA-WORK-REQ").outcome is Outcome.BLOCK
    late = _work_request(40, confirmed_in_writing_at=at + timedelta(days=7, seconds=1))
    assert result(evaluate(_ma_work(late)), "MA-WORK-REQ").outcome is Outcome.ALLOW
    written = _work_request(400, written=True)
    assert result(evaluate(_ma_work(written)), "MA-WORK-REQ").outcome is Outcome.BLOCK


def test_ma_work_request_revoked_after_the_send_instant_was_still_live():
    t = local(BOSTON, 2026, 11, 18, 11, 0)
    revoked_later = _work_request(2, revoked_at=t + timedelta(hours=1))
    released, fixed = _both(_ma_work(revoked_later))
    assert _outcome(released, "MA-WORK-REQ") is Outcome.ALLOW  # the gap, kept for replay
    assert _outcome(fixed, "MA-WORK-REQ") is Outcome.BLOCK
    revoked = _work_request(2, revoked_at=t - timedelta(hours=1))
    assert _outcome(evaluate(_ma_work(revoked)), "MA-WORK-REQ") is Outcome.ALLOW


# === MA-VISIT and MA-TIME =====================================================================


def _ma_visit(**endpoint_kw: Any) -> EvaluationContext:
    point = InPersonEndpoint(endpoint_id="v-1", address_id="a-1", **endpoint_kw)
    ctx = rebuild(_ma(), endpoints=[phone("+16175550100"), point])
    return with_proposal(ctx, channel="visit", endpoint_id="v-1", template_type="AGENT_CALL")


def _visit(days_ago: int) -> ContactEvent:
    return call(_boston(days_ago), channel="visit", endpoint_id="v-1")


def test_ma_visit_one_per_thirty_local_days():
    assert _outcome(evaluate(with_history(_ma_visit(), _visit(29))), "MA-VISIT") is Outcome.BLOCK
    assert _outcome(evaluate(with_history(_ma_visit(), _visit(30))), "MA-VISIT") is Outcome.REQUIRE


def test_ma_visit_repossession_visits_are_exempt():
    ctx = with_history(_ma_visit(repossession=True), _visit(2))
    assert _outcome(evaluate(ctx), "MA-VISIT") is Outcome.NOT_APPLICABLE


def test_ma_time_household_members_are_judged_in_eastern_time():
    # A household member in Chicago, a Massachusetts debt: 20:00 Chicago is 21:00 Eastern.
    chicago = ZoneInfo("America/Chicago")
    ctx = with_person(with_collector(fine(), role="creditor_own_name"), role=PersonRole.THIRD_PARTY)
    ctx = rebuild(ctx, debts=[rebuild(ctx.debts[0], governing_state="MA")])
    nine_eastern = local(chicago, 2026, 11, 18, 20, 0)
    late = evaluate(with_proposal(ctx, intended_send_at=nine_eastern))
    assert _outcome(late, "MA-TIME") is Outcome.BLOCK
    assert "Eastern" in result(late, "MA-TIME").explanation
    early = with_proposal(ctx, intended_send_at=nine_eastern - timedelta(microseconds=1))
    assert _outcome(evaluate(early), "MA-TIME") is Outcome.ALLOW


# === The household record (D-55) ==============================================================

DEBTOR_RECORD = {"person_id": "p-debtor", "role": "consumer"}


def test_a_household_record_of_the_debtor_settles_that_they_had_no_contacts():
    """The context says it carries the debtor's whole record: none of their contacts means
    there were none, so a spouse (WA) or household member (MA) is judged, not DATA_MISSING."""
    wa = rebuild(_wa(role=PersonRole.SPOUSE), household=[DEBTOR_RECORD])
    assert _outcome(evaluate(wa, pack_version=FIXED), "WA-3PW") is Outcome.ALLOW
    ma = rebuild(_ma_household(), household=[DEBTOR_RECORD])
    assert _outcome(evaluate(ma, pack_version=FIXED), "MA-HOUSEHOLD") is Outcome.REQUIRE
    # A household record of someone else (another spouse, a lodger) settles nothing.
    lodger = rebuild(_ma_household(), household=[{"person_id": "p-2", "role": "third_party"}])
    assert result(evaluate(lodger), "MA-HOUSEHOLD").missing == (
        "history[recipient_role=consumer]",)


def test_the_debtors_contacts_a_household_record_carries_still_count():
    spouse = rebuild(_wa(role=PersonRole.SPOUSE), household=[DEBTOR_RECORD])
    three = with_history(spouse, _debtor(_days_ago(1)), _debtor(_days_ago(2)),
                         _debtor(_days_ago(3)))
    assert _outcome(evaluate(three, pack_version=FIXED), "WA-3PW") is Outcome.BLOCK
    ma = with_history(rebuild(_ma_household(), household=[DEBTOR_RECORD]),
                      _debtor(_boston(2)), _debtor(_boston(5)))
    assert _outcome(evaluate(ma), "MA-HOUSEHOLD") is Outcome.BLOCK


def test_a_household_record_changes_nothing_for_the_released_version():
    ctx = rebuild(_wa(role=PersonRole.SPOUSE), household=[DEBTOR_RECORD])
    assert evaluate(ctx, pack_version=RELEASED).reasons == evaluate(
        _wa(role=PersonRole.SPOUSE), pack_version=RELEASED).reasons


def test_a_household_names_other_persons_each_once():
    for household in ([{"person_id": "p-1", "role": "spouse"}], [DEBTOR_RECORD, DEBTOR_RECORD]):
        with pytest.raises(ValidationError, match="household names other persons"):
            rebuild(_wa(), household=household)
