"""Pack 2026.12.2, pack selection, state overlays and the service layer's inputs (decisions.md
D-95 onwards): each scenario is answered as 2026.12.1 answered it and as 2026.12.2 does."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest

from compliance.domain import DecisionOutcome, EvaluationContext, evaluate
from compliance.domain.context import (
    Address,
    CollectorRole,
    Consent,
    ConsentKind,
    ContactEvent,
    Content,
    ContentMeta,
    InconvenientTime,
    Licence,
    PostalEndpoint,
)
from compliance.domain.results import Outcome

from .factories import (
    EMAIL_TEXT,
    LCM_TEXT,
    LOS_ANGELES,
    T0,
    at,
    call,
    email,
    fine,
    in_state,
    local,
    phone,
    rebuild,
    utc,
    with_collector,
    with_content,
    with_debt,
    with_history,
    with_person,
    with_proposal,
)

OLD, NEW = "2026.12.1", "2026.12.2"
LCM = Content(text=LCM_TEXT, meta=ContentMeta(lcm_items=frozenset(
    {"business_name", "reply_request", "natural_person_name", "callback_number"})))
NOT_BEFORE_NOON = InconvenientTime(start=time(0), end=time(12), designated_at=utc(2026, 11, 1))


def _living_in(country: str, tz: str, number: str, state: str | None = None,
               **debt: object) -> EvaluationContext:
    """A consumer who asked for no calls before noon, called at 10:00 local."""
    address = Address(address_id="a-1", kind="residence", country=country, state=state, tz=tz)
    ctx = with_person(fine(endpoints=[phone(number)]), inconvenient_times=[NOT_BEFORE_NOON],
                      addresses=[address])
    if debt:
        ctx = with_debt(ctx, **debt)
    return at(ctx, local(ZoneInfo(tz), 2026, 11, 18, 10, 0))


# --- D-95: the FDCPA follows the collector and the debt, not the consumer's country ----------


def test_a_puerto_rico_address_keeps_the_fdcpa() -> None:
    ctx = _living_in("PR", "America/Puerto_Rico", "+17875550100")
    old, new = evaluate(ctx, pack_version=OLD), evaluate(ctx, pack_version=NEW)
    assert old.outcome is DecisionOutcome.ALLOW and "FED" not in old.packs
    assert "FED" in new.packs and new.outcome is DecisionOutcome.BLOCK
    assert "FED-TIME-DESIGNATED" in {r.rule_id for r in new.failing}
    # Puerto Rico stands as its own state: the jurisdiction is known, no overlay applies.
    assert not any(r.startswith("DATA_MISSING") for r in new.reasons)


def test_a_consumer_abroad_with_a_new_york_debt_keeps_fed_and_the_new_york_rules() -> None:
    ctx = _living_in("CA", "America/Toronto", "+14165550100", state="ON", governing_state="NY")
    old, new = evaluate(ctx, pack_version=OLD), evaluate(ctx, pack_version=NEW)
    assert old.outcome is DecisionOutcome.ALLOW and not {"FED", "NYS"} & set(old.packs)
    assert {"FED", "NYS"} <= set(new.packs) and new.outcome is DecisionOutcome.BLOCK


def test_a_consumer_abroad_and_no_governing_state_is_a_jurisdiction_to_find_out() -> None:
    ctx = _living_in("CA", "America/Toronto", "+14165550100", state="ON", governing_state=None)
    new = evaluate(ctx, pack_version=NEW)
    assert new.outcome is DecisionOutcome.BLOCK
    assert "DATA_MISSING:person.addresses[].state" in new.reasons


def test_a_united_kingdom_consumer_still_gets_the_uk_pack_alone() -> None:
    # D-19 stands: a GB address selects UK, and FED only with a US address too.
    ctx = _living_in("GB", "Europe/London", "+447700900123")
    for version in (OLD, NEW):
        decision = evaluate(ctx, pack_version=version)
        assert "UK" in decision.packs and "FED" not in decision.packs, version


def test_a_creditor_collecting_its_own_debt_from_puerto_rico_still_has_no_fed() -> None:
    ctx = with_collector(_living_in("PR", "America/Puerto_Rico", "+17875550100"),
                         role=CollectorRole.CREDITOR_OWN_NAME)
    assert "FED" not in evaluate(ctx, pack_version=NEW).packs


# --- D-96: WA-3PW, a response still keeps out of the residence's night hours ----------------


def _washington_reply(hour: int, minute: int) -> EvaluationContext:
    """The consumer called at 06:40; a voicemail reply they asked for, to their home cell."""
    wa = in_state(fine(endpoints=[phone("+12065550100")]), "WA", "America/Los_Angeles")
    inbound = ContactEvent(event_id="i1", at=local(LOS_ANGELES, 2026, 11, 18, 6, 40),
                           channel="call", endpoint_id="ph-1", person_id="p-1",
                           debt_ids=frozenset({"d-1"}), direction="inbound",
                           initiated_by="consumer", connected=True)
    return with_proposal(with_history(wa, inbound), channel="voicemail",
                         template_type="LIMITED_CONTENT_MESSAGE", content=LCM,
                         intended_send_at=local(LOS_ANGELES, 2026, 11, 18, hour, minute),
                         responding_to_consumer_request=True)


def test_a_washington_reply_at_seven_reaches_no_residence() -> None:
    ctx = _washington_reply(7, 0)
    old, new = evaluate(ctx, pack_version=OLD), evaluate(ctx, pack_version=NEW)
    wa = {r.rule_id: r for r in old.trace}["WA-3PW"]
    assert wa.explanation == "Responding to the debtor does not count."
    assert "WA-3PW" not in {r.rule_id for r in old.failing}
    assert "WA-3PW" in {r.rule_id for r in new.failing}
    assert new.outcome is DecisionOutcome.BLOCK


def test_a_washington_reply_after_half_past_seven_is_still_not_counted() -> None:
    ctx = _washington_reply(7, 31)
    wa = {r.rule_id: r for r in evaluate(ctx, pack_version=NEW).trace}["WA-3PW"]
    assert wa.outcome is Outcome.ALLOW, wa.explanation


# --- D-97: CA-1812.700, a returned letter was no first written notice -----------------------

CA_ENVELOPE = frozenset({"collector_address", "debtor_name_address", "postage"})


def _california_letter(*history: ContactEvent) -> EvaluationContext:
    ctx = fine(endpoints=[phone("+13105550100"),
                          PostalEndpoint(endpoint_id="po-1", address_id="a-1")])
    ctx = with_person(ctx, addresses=[Address(address_id="a-1", kind="residence", state="CA",
                                              tz="America/Los_Angeles")])
    ctx = with_collector(with_debt(ctx, governing_state="CA"),
                         licences=[Licence(state="CA", number="CA-12345")])
    ctx = with_proposal(at(ctx, local(LOS_ANGELES, 2026, 11, 18, 10, 0)), channel="letter",
                        endpoint_id="po-1", template_type="REMINDER")
    ctx = with_content(ctx, "Fairway Recovery LLC, licence CA-12345, is a debt collector. "
                       "Your balance is $120.", envelope_items=CA_ENVELOPE)
    return with_history(ctx, *history)


def _letter(days_ago: int, returned: bool) -> ContactEvent:
    return call(T0 - timedelta(days=days_ago), channel="letter", endpoint_id="po-1",
                connected=False,
                undeliverable_at=T0 - timedelta(days=days_ago - 2) if returned else None)


def test_after_a_returned_letter_the_next_california_letter_is_still_the_first() -> None:
    ctx = _california_letter(_letter(5, returned=True))
    old, new = (evaluate(ctx, pack_version=v) for v in (OLD, NEW))
    rules = ({r.rule_id: r for r in d.trace}["CA-1812.700"] for d in (old, new))
    before, after = rules
    assert before.outcome is Outcome.ALLOW and before.explanation == "Not the first written notice."
    assert after.outcome is not Outcome.ALLOW
    assert "CA-1812.700" in {r.rule_id for r in new.failing}


def test_after_a_delivered_letter_the_paragraph_is_not_asked_again() -> None:
    ctx = _california_letter(_letter(5, returned=False))
    rule = {r.rule_id: r for r in evaluate(ctx, pack_version=NEW).trace}["CA-1812.700"]
    assert rule.outcome is Outcome.ALLOW


# --- D-99: NYS-EMAIL, the written consent names the address ---------------------------------


def _new_york_email(consent_endpoint: str | None) -> EvaluationContext:
    ctx = in_state(fine(), "NY", "America/New_York")
    ctx = rebuild(ctx, endpoints=[phone("+12125550100"),
                                  email(consumer_provided_voluntarily=True)])
    consent = Consent(consent_id="e-1", kind=ConsentKind.EMAIL, given_at=utc(2026, 10, 1),
                      given_directly_to_collector=True, written=True,
                      endpoint_id=consent_endpoint, debt_ids=frozenset({"d-1"}))
    ctx = with_person(ctx, consents=[consent], language_pref_requested_at=utc(2026, 10, 1))
    ctx = with_debt(ctx, nys_initial_disclosure_sent_at=utc(2026, 10, 2))
    ctx = with_proposal(ctx, channel="email", endpoint_id="em-1", template_type="REMINDER")
    return with_content(ctx, EMAIL_TEXT)


def _nys_email(ctx: EvaluationContext, version: str) -> Outcome:
    return {r.rule_id: r for r in evaluate(ctx, pack_version=version).trace}["NYS-EMAIL"].outcome


def test_a_new_york_email_consent_naming_no_address_covers_none() -> None:
    ctx = _new_york_email(None)
    assert _nys_email(ctx, OLD) is Outcome.ALLOW
    assert _nys_email(ctx, NEW) is Outcome.BLOCK


def test_a_new_york_email_consent_for_this_address_still_covers_it() -> None:
    assert _nys_email(_new_york_email("em-1"), NEW) is Outcome.ALLOW


def test_an_email_or_text_consent_is_refused_when_recorded_without_its_endpoint() -> None:
    # D-70 would block every later email or text on it as DATA_MISSING: the fact API says so
    # when it is recorded instead.
    import pydantic

    from compliance.service_layer.facts import ConsentFact

    base = {"fact": "consent", "consent_id": "c-1", "given_at": "2026-11-01T12:00:00Z",
            "given_directly_to_collector": True}
    for kind in ("email", "text"):
        with pytest.raises(pydantic.ValidationError, match="names the endpoint"):
            ConsentFact.model_validate({**base, "kind": kind})
        assert ConsentFact.model_validate({**base, "kind": kind, "endpoint_id": "em-1"})
    assert ConsentFact.model_validate({**base, "kind": "call_frequency"})


def test_a_new_york_email_consent_for_this_address_counts_whatever_came_before_it() -> None:
    ctx = _new_york_email(None)
    named = Consent(consent_id="e-2", kind=ConsentKind.EMAIL, given_at=utc(2026, 10, 2),
                    given_directly_to_collector=True, written=True, endpoint_id="em-1",
                    debt_ids=frozenset({"d-1"}))
    ctx = with_person(ctx, consents=[*ctx.person.consents, named])
    assert _nys_email(ctx, NEW) is Outcome.ALLOW
