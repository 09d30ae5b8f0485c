"""Pack version 2026.12.1: the fail-closed fixes of decisions.md D-43 to D-47.

Each scenario: given these facts, when this contact is proposed at this instant, then this
decision and these rule ids, in 2026.12.1; and 2026.11.1, which recorded decisions replay with,
still gives the answer it gave when it was released (decisions.md D-35).
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from compliance.domain import CURRENT_VERSION, DEFAULT_REGISTRY, DecisionOutcome, evaluate
from compliance.domain.context import (
    Address,
    AddressKind,
    Consent,
    ConsentKind,
    EvaluationContext,
    InconvenientPlace,
    InconvenientTime,
    PlaceKind,
    PostalEndpoint,
    TimePlaceLimit,
)
from compliance.domain.decision import Decision
from compliance.domain.results import Outcome
from compliance.domain.timezones import candidate_tz

from .factories import (
    CHICAGO,
    EMAIL_TEXT,
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
FIXED = "2026.12.1"


def _both(ctx: EvaluationContext) -> tuple[Decision, Decision]:
    return evaluate(ctx, pack_version=RELEASED), evaluate(ctx, pack_version=FIXED)


# --- the version itself ---------------------------------------------------------------------


def test_2026_12_1_and_2026_11_1_are_still_registered():
    # 2026.12.2 followed (test_pack_2026_12_2.py); the older versions still replay.
    assert DEFAULT_REGISTRY.versions[:2] == (RELEASED, FIXED)
    assert CURRENT_VERSION == DEFAULT_REGISTRY.versions[-1] != FIXED
    assert evaluate(fine(), pack_version=FIXED).pack_version == FIXED


def test_2026_12_1_keeps_every_rule_id_in_the_same_order():
    released, fixed = DEFAULT_REGISTRY.get(RELEASED), DEFAULT_REGISTRY.get(FIXED)
    assert released.rule_ids() == fixed.rule_ids()
    # 2026.11.1's policy switches keep their released behaviour.
    assert not released.policy.address_zone_required
    assert not released.policy.email_consent_disclosure_required
    assert not released.policy.cease_written_by_medium  # D-53
    assert not released.policy.oc_request_local_date  # D-54


# --- D-43: an address without a time zone ---------------------------------------------------


def _ca_address_without_zone_and_212_cell(tz: str | None = None) -> EvaluationContext:
    ctx = with_person(fine(), addresses=[address("CA", tz)])
    ctx = rebuild(ctx, endpoints=[phone("+12125550100"), email()])
    # 09:00 in New York is 06:00 in California.
    return with_proposal(ctx, intended_send_at=local(NEW_YORK, 2026, 11, 18, 9, 0))


def test_an_address_without_a_zone_blocks_though_a_phone_gives_another_zone():
    released, fixed = _both(_ca_address_without_zone_and_212_cell())
    assert released.outcome is DecisionOutcome.ALLOW  # the defect, kept for replay
    assert fixed.outcome is DecisionOutcome.BLOCK
    assert "DATA_MISSING:person.addresses[0].tz" in fixed.reasons
    assert {"FED-TZ-ALL", "FED-TIME-WINDOW", "FED-7IN7"} <= failing_ids(fixed)
    assert fixed.retry_at is None  # nothing to retry until someone records the zone


def test_with_the_zone_recorded_both_versions_block_the_six_am_call():
    for decision in _both(_ca_address_without_zone_and_212_cell("America/Los_Angeles")):
        assert decision.outcome is DecisionOutcome.BLOCK
        assert "FED-TIME-WINDOW" in failing_ids(decision)
        assert not any(r.startswith("DATA_MISSING") for r in decision.reasons)


def test_a_first_party_creditor_is_blocked_too_by_the_policy_window():
    ctx = with_person(_ca_address_without_zone_and_212_cell(), addresses=[address("IL", None)])
    ctx = rebuild(ctx, collector=rebuild(ctx.collector, role="creditor_own_name"))
    released, fixed = _both(ctx)
    assert released.outcome is DecisionOutcome.ALLOW
    assert "FED" not in fixed.packs
    assert "DATA_MISSING:person.addresses[0].tz" in fixed.reasons
    assert "POL-TIME-WINDOW" in failing_ids(fixed)


def test_candidate_zones_list_addresses_without_a_zone_only_when_asked():
    person = with_person(fine(), addresses=[address("CA", None)]).person
    phones = [phone("+12125550100")]
    assert candidate_tz(person, phones).missing == ()
    found = candidate_tz(person, phones, address_zone_required=True)
    assert found.missing == ("person.addresses[0].tz",)
    assert found.names == ("America/New_York",)


def test_a_toll_free_number_still_adds_nothing_and_blocks_nothing():
    # decisions.md D-05 is unchanged: a phone without a location is not an unknown location.
    ctx = rebuild(fine(), endpoints=[phone(), phone("+18005550100", endpoint_id="ph-2"), email()])
    assert evaluate(ctx, pack_version=FIXED).outcome is DecisionOutcome.ALLOW


# --- D-44: a US address without a state -----------------------------------------------------


def _ma_resident_third_call(state: str | None) -> EvaluationContext:
    ctx = with_person(fine(), addresses=[address(state, "America/New_York")])
    ctx = rebuild(ctx, endpoints=[phone("+16175550100"), email()])
    ctx = with_debt(ctx, governing_state="IL")
    t = local(NEW_YORK, 2026, 11, 18, 10, 0)
    ctx = with_history(ctx, call(t - timedelta(days=3)), call(t - timedelta(days=1)))
    return with_proposal(ctx, intended_send_at=t)


def test_a_us_address_without_a_state_blocks_though_the_debt_names_a_state():
    released, fixed = _both(_ma_resident_third_call(None))
    assert released.outcome is DecisionOutcome.ALLOW  # the defect, kept for replay
    assert fixed.outcome is DecisionOutcome.BLOCK
    assert fixed.reasons == ("DATA_MISSING:person.addresses[0].state",)
    assert failing_ids(fixed) == {"GATE-INPUTS"}


def test_with_the_state_recorded_both_versions_apply_the_massachusetts_cap():
    for decision in _both(_ma_resident_third_call("MA")):
        assert decision.outcome is DecisionOutcome.BLOCK
        assert "MA-2IN7" in failing_ids(decision)


def test_an_address_without_a_state_blocks_beside_one_with_a_state():
    ctx = with_person(
        fine(),
        addresses=[address("IL", "America/Chicago"), address(None, "America/Chicago")],
    )
    released, fixed = _both(ctx)
    assert released.outcome is DecisionOutcome.ALLOW
    assert fixed.reasons == ("DATA_MISSING:person.addresses[1].state",)


def test_a_foreign_address_needs_no_us_state():
    gb = Address(address_id="a-gb", kind=AddressKind.MAILING, country="GB", tz="Europe/London")
    ctx = with_person(fine(), addresses=[*fine().person.addresses, gb])
    assert "GATE-INPUTS" not in failing_ids(evaluate(ctx, pack_version=FIXED))


# --- D-45: an endpoint not known to be away from work ---------------------------------------


def _prohibited_at_work(**phone_kw: Any) -> EvaluationContext:
    ctx = with_person(fine(), employer_prohibits=True)
    return rebuild(ctx, endpoints=[phone(**phone_kw), email()])


def test_a_phone_of_unknown_type_blocks_when_the_employer_prohibits_calls_at_work():
    released, fixed = _both(_prohibited_at_work(phone_type="unknown"))
    assert released.outcome is DecisionOutcome.ALLOW  # the defect, kept for replay
    assert fixed.outcome is DecisionOutcome.BLOCK
    assert fixed.reasons == ("DATA_MISSING:endpoints[ph-1].phone_type",)
    assert failing_ids(fixed) == {"FED-EMPLOYER"}


def test_a_known_cell_or_work_phone_is_judged_as_before():
    for decision in _both(_prohibited_at_work(phone_type="cell")):
        assert decision.outcome is DecisionOutcome.ALLOW
    for decision in _both(_prohibited_at_work(phone_type="work")):
        assert failing_ids(decision) == {"FED-EMPLOYER"}
        assert decision.reasons == ("FED-EMPLOYER",)


def test_a_letter_to_a_work_address_is_at_work_when_the_employer_prohibits_it():
    work = Address(address_id="a-w", kind=AddressKind.WORK, state="IL", tz="America/Chicago")
    ctx = with_person(fine(), employer_prohibits=True, addresses=[*fine().person.addresses, work])
    ctx = rebuild(
        ctx, endpoints=[*ctx.endpoints, PostalEndpoint(endpoint_id="po-1", address_id="a-w")]
    )
    ctx = with_proposal(ctx, channel="letter", endpoint_id="po-1", template_type="REMINDER")
    released, fixed = _both(ctx)
    assert result(released, "FED-EMPLOYER").outcome is Outcome.ALLOW
    assert result(fixed, "FED-EMPLOYER").outcome is Outcome.BLOCK


def _ma_work_request(**phone_kw: Any) -> EvaluationContext:
    ctx = with_person(fine(), addresses=[address("MA", "America/New_York")])
    ctx = with_debt(ctx, governing_state="MA")
    oral = InconvenientPlace(place=PlaceKind.WORK, designated_at=T0 - timedelta(days=2))
    ctx = with_person(ctx, inconvenient_places=[oral])
    return rebuild(ctx, endpoints=[phone("+16175550100", **phone_kw), email()])


def test_a_massachusetts_work_request_blocks_a_phone_of_unknown_type():
    released, fixed = _both(_ma_work_request(phone_type="unknown"))
    assert released.outcome is DecisionOutcome.ALLOW  # the defect, kept for replay
    assert fixed.outcome is DecisionOutcome.BLOCK
    # MA-WORK-REQ, and the same designation federally (FED-PLACE has no expiry).
    assert failing_ids(fixed) == {"MA-WORK-REQ", "FED-PLACE"}
    assert set(fixed.reasons) == {"DATA_MISSING:endpoints[ph-1].phone_type"}


def test_a_massachusetts_work_request_does_not_touch_a_known_cell_phone():
    for decision in _both(_ma_work_request(phone_type="cell")):
        assert decision.outcome is DecisionOutcome.ALLOW
        assert result(decision, "MA-WORK-REQ").outcome is Outcome.NOT_APPLICABLE


def test_a_work_request_blocks_a_work_phone_federally_too_from_2026_12_1():
    # A work-type number whose place was left at its default (HOME) is at work (D-45).
    released, fixed = _both(_ma_work_request(phone_type="work"))
    assert failing_ids(released) == {"MA-WORK-REQ"}
    assert failing_ids(fixed) == {"MA-WORK-REQ", "FED-PLACE"}
    assert set(fixed.reasons) == {"MA-WORK-REQ", "FED-PLACE"}


def test_an_unknown_type_phone_without_any_work_limit_is_still_allowed():
    ctx = rebuild(fine(), endpoints=[phone(phone_type="unknown"), email()])
    assert evaluate(ctx, pack_version=FIXED).outcome is DecisionOutcome.ALLOW


# --- D-46: consent facts and scope ----------------------------------------------------------


def _works_nights(*consents: Consent) -> EvaluationContext:
    # "I work nights: don't call before noon" (as in test_time_place).
    nights = InconvenientTime(start=time(0), end=time(12), designated_at=utc(2026, 11, 1))
    return with_person(fine(), inconvenient_times=[nights], consents=list(consents))


def _tp_consent(**kw: Any) -> Consent:
    base: dict[str, Any] = {
        "consent_id": "c-1",
        "kind": ConsentKind.TIME_PLACE,
        "given_at": utc(2026, 11, 17),
        "given_directly_to_collector": True,
    }
    return Consent.model_validate({**base, **kw})


def test_a_consent_without_scope_or_lawfulness_record_no_longer_lifts_the_limits():
    released, fixed = _both(_works_nights(_tp_consent()))
    assert released.outcome is DecisionOutcome.ALLOW  # the defect, kept for replay
    assert fixed.outcome is DecisionOutcome.BLOCK
    assert failing_ids(fixed) == {"FED-TIME-DESIGNATED"}
    assert fixed.retry_at == local(CHICAGO, 2026, 11, 18, 12, 0)
    tp = result(fixed, "FED-TP-EXCEPT")
    assert tp.outcome is Outcome.NOT_APPLICABLE
    assert "c-1" in tp.inputs["consents_not_used"]
    assert "obtained in a lawful communication" in tp.explanation


def test_a_lawful_consent_without_scope_lifts_nothing():
    fixed = evaluate(_works_nights(_tp_consent(obtained_in_compliant_communication=True)))
    assert failing_ids(fixed) == {"FED-TIME-DESIGNATED"}
    tp = result(fixed, "FED-TP-EXCEPT")
    assert tp.inputs["consents_not_used"] == {"c-1": "it has no recorded scope"}


def test_a_consent_lifts_only_the_limits_in_its_scope():
    wrong = _tp_consent(
        obtained_in_compliant_communication=True, scope={TimePlaceLimit.TIME_WINDOW}
    )
    released, fixed = _both(_works_nights(wrong))
    assert released.outcome is DecisionOutcome.ALLOW
    assert failing_ids(fixed) == {"FED-TIME-DESIGNATED"}
    right = _tp_consent(
        obtained_in_compliant_communication=True, scope={TimePlaceLimit.DESIGNATED_TIME}
    )
    fixed = evaluate(_works_nights(wrong, right.model_copy(update={"consent_id": "c-2"})))
    assert fixed.outcome is DecisionOutcome.ALLOW
    assert result(fixed, "FED-TP-EXCEPT").inputs["lifted"] == {
        "time_window": "prior consent c-1 given directly to the collector",
        "designated_time": "prior consent c-2 given directly to the collector",
    }


def test_a_workplace_consent_does_not_lift_the_time_window():
    consent = _tp_consent(
        obtained_in_compliant_communication=True, scope={TimePlaceLimit.WORKPLACE}
    )
    ctx = with_person(_prohibited_at_work(phone_type="work"), consents=[consent])
    assert evaluate(ctx).outcome is DecisionOutcome.ALLOW
    early = with_proposal(ctx, intended_send_at=local(CHICAGO, 2026, 11, 18, 7, 0))
    released, fixed = _both(early)
    assert "FED-TIME-WINDOW" not in failing_ids(released)
    assert "FED-TIME-WINDOW" in failing_ids(fixed)


def test_an_unrecorded_lawfulness_still_reads_as_lawful_in_2026_11_1_only():
    scoped = _tp_consent(scope={TimePlaceLimit.DESIGNATED_TIME})
    released, fixed = _both(_works_nights(scoped))
    assert released.outcome is DecisionOutcome.ALLOW
    assert failing_ids(fixed) == {"FED-TIME-DESIGNATED"}


def test_absent_consent_facts_parse_as_unknown_and_recorded_ones_as_recorded():
    assert _tp_consent().obtained_in_compliant_communication is None
    assert _tp_consent().disclosure_shown is None
    assert _tp_consent().scope is None
    # Stored contexts are dumps of the full model: the former defaults are written out.
    stored = _tp_consent(obtained_in_compliant_communication=True, disclosure_shown=True)
    again = Consent.model_validate_json(stored.model_dump_json())
    assert again == stored and again.obtained_in_compliant_communication is True


def _email_by_consent(**consent_kw: Any) -> EvaluationContext:
    consent = Consent.model_validate(
        {
            "consent_id": "c-e",
            "kind": ConsentKind.EMAIL,
            "given_at": utc(2026, 11, 1),
            "given_directly_to_collector": True,
            "endpoint_id": "em-1",
            **consent_kw,
        }
    )
    ctx = rebuild(fine(), endpoints=[phone(), email(consumer_used_at=None)])
    ctx = with_person(ctx, consents=[consent])
    ctx = with_proposal(ctx, channel="email", endpoint_id="em-1", template_type="REMINDER")
    return with_content(ctx, EMAIL_TEXT)


def test_an_email_consent_without_a_recorded_disclosure_does_not_qualify_the_address():
    released, fixed = _both(_email_by_consent())
    assert released.outcome is DecisionOutcome.ALLOW  # the defect, kept for replay
    assert fixed.outcome is DecisionOutcome.BLOCK
    assert fixed.reasons == ("DATA_MISSING:person.consents[c-e].disclosure_shown",)
    assert failing_ids(fixed) == {"FED-EMAIL-PROC"}


def test_an_email_consent_with_the_disclosure_shown_qualifies_the_address():
    for decision in _both(_email_by_consent(disclosure_shown=True)):
        assert decision.outcome is DecisionOutcome.ALLOW
    for decision in _both(_email_by_consent(disclosure_shown=False)):
        assert decision.reasons == ("FED-EMAIL-PROC",)
