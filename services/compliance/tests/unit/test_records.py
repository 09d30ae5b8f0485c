"""The stored decision record: the compact trace expands to exactly `Decision.as_record()`, and
the stored context document validates into exactly the context that was evaluated."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import TypeAdapter

from compliance.domain import CURRENT_VERSION, DEFAULT_REGISTRY, EvaluationContext, evaluate
from compliance.domain.decision import Decision, combine
from compliance.domain.results import Outcome, RuleResult
from compliance.service_layer import events as ev
from compliance.service_layer.context import Blocked, prepare
from compliance.service_layer.facts import Fact, Profile
from compliance.service_layer.gate import decide
from compliance.service_layer.records import (
    compact_record,
    decision_events,
    expand_record,
    pack_context,
    unpack_context,
)
from compliance.service_layer.requests import GateRequest, content_hash
from compliance.service_layer.state import PersonState

GOLDEN = Path(__file__).parent / "golden" / "decisions.json"
NOW = datetime(2026, 11, 18, 18, 0, tzinfo=UTC)  # 10:00 in Los Angeles, 13:00 in New York
SCRIPT = "Hi, this is Sam with Fairway Recovery LLC. This communication is from a debt collector."


@cache
def _golden() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(GOLDEN.read_text()))


def _roundtrip(decision: Decision) -> dict[str, Any]:
    # Through JSON as it is stored: the compact form must survive the event store.
    stored = orjson.loads(orjson.dumps(compact_record(decision)))
    return expand_record(stored)


def test_every_golden_decision_expands_to_its_record() -> None:
    compacted = 0
    for case in _golden():
        decision = evaluate(EvaluationContext.model_validate(case["context"]),
                            pack_version=case["pack_version"])
        assert _roundtrip(decision) == decision.as_record() == case["record"], case["name"]
        compacted += sum(not isinstance(e, dict) for e in compact_record(decision)["trace"])
    assert compacted > 5_000


def _rule(rule_id: str) -> Any:
    version = DEFAULT_REGISTRY.get(CURRENT_VERSION)
    return next(r for rules in version.rules.values() for r in rules if r.rule_id == rule_id)


def test_results_that_differ_from_the_defaults_keep_what_differs() -> None:
    rule = _rule("FED-7IN7")
    at = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    results = (
        RuleResult(rule.rule_id, rule.citation, Outcome.BLOCK, "Blocked: it raised.",
                   {"error": "ZeroDivisionError()"}, error=True),
        RuleResult(rule.rule_id, "another citation", Outcome.BLOCK, "Over the cap.",
                   {"calls": ("a", "b"), "at": at}, retry_at=at),
        rule.missing_data("history[].at"),
        rule.ok("Fewer counted calls around this day than the cap allows."),
        RuleResult("NOT-A-RULE", "somewhere", Outcome.REVIEW, "Look.", {"x": 1}),
        rule.not_applicable,
        rule.na("Does not apply to this proposal."),  # equal to the shared one, not it
    )
    decision = combine(results, ("FED",), CURRENT_VERSION)
    assert _roundtrip(decision) == decision.as_record()
    trace = compact_record(decision)["trace"]
    assert trace[3] == [rule.rule_id, "ALLOW", results[3].explanation]
    assert trace[4]["rule_id"] == "NOT-A-RULE"  # no rule of the version: stored whole
    assert trace[5] == rule.rule_id


def test_a_gate_block_before_evaluation_expands_to_its_record() -> None:
    state = PersonState("t", "p-1")
    try:
        prepare(state, _request(), NOW)
    except Blocked as exc:
        decision = exc.decision
    assert _roundtrip(decision) == decision.as_record()


# --- the stored context -------------------------------------------------------------------


def _profile() -> dict[str, Any]:
    profile = Profile.model_validate({
        "collector": {"collector_id": "col-1", "role": "third_party_collector",
                      "business_name": "Fairway Recovery LLC", "creditor_id": "cr-1",
                      "creditor_name": "Acme Bank"},
        "person": {"person_id": "p-1", "role": "consumer", "rpc": "verified",
                   "addresses": [{"address_id": "a-1", "kind": "residence", "state": "NY",
                                  "in_nyc": True, "tz": "America/New_York"}]},
        "endpoints": [
            {"kind": "phone", "endpoint_id": "ph-1", "e164": "+12125550100",
             "phone_type": "cell", "owner_confirmed": True},
            {"kind": "phone", "endpoint_id": "ph-2", "e164": "+13125550100",
             "phone_type": "work"},
            {"kind": "email", "endpoint_id": "em-1", "address": "Pat@Example.com",
             "consumer_used_at": "2026-10-05T00:00:00-04:00"}],
        "debts": [{"debt_id": d, "purpose": "consumer", "governing_state": "NY",
                   "time_barred": False, "initial_communication_at": "2026-01-05T15:00:00Z",
                   "validation_notice_provided_at": "2026-01-05T10:00:00-05:00",
                   "nys_initial_disclosure_sent_at": "2026-01-06T15:00:00.123456Z"}
                  for d in ("d-1", "d-2")],
    })
    return orjson.loads(profile.model_dump_json())


_FACTS: list[dict[str, Any]] = [
    {"fact": "consent", "consent_id": "c-1", "kind": "time_place",
     "given_at": "2026-11-01T12:00:00Z", "given_directly_to_collector": True, "debt_ids": ["d-1"],
     "valid_until": "2026-12-01T12:00:00+01:00"},
    {"fact": "inconvenient_time", "weekdays": [5, 6], "start": "07:00:00", "end": "09:30:00",
     "designated_at": "2026-11-02T12:00:00Z"},
    {"fact": "stated_location", "tz": "America/Los_Angeles", "stated_at": "2026-11-10T12:00:00Z"},
    {"fact": "dispute", "debt_id": "d-2", "received_at": "2026-11-03T12:00:00Z",
     "medium": "mail", "written": True},
    {"fact": "inbound_contact", "contact_id": "in-1", "at": "2026-11-15T15:00:00Z",
     "channel": "call", "endpoint_id": "ph-1", "debt_ids": ["d-1"]},
    {"fact": "language_preference", "language": "es", "requested_at": "2026-11-04T12:00:00Z"},
]


def _request(**overrides: Any) -> GateRequest:
    values: dict[str, Any] = {
        "request_id": "r-1", "person_id": "p-1", "debt_ids": ("d-1",), "channel": "call",
        "endpoint": "+1 212 555 0100", "content_hash": content_hash(SCRIPT),
        "content_text": SCRIPT, "template_type": "AGENT_CALL", "source": "kafka",
        "intended_send_at": NOW, "template_meta": {"caller_identity": True}, **overrides}
    return GateRequest(**values)


def _state() -> PersonState:
    state = PersonState("t", "p-1", profile=_profile())
    adapter: TypeAdapter[Any] = TypeAdapter(Fact)
    for fact in _FACTS:
        body = orjson.loads(adapter.dump_json(adapter.validate_python(fact)))
        state.apply(ev.FACT_RECORDED, {"body": body})
    state.history.append({"event_id": "e-1", "at": "2026-11-16T15:00:00-05:00",
                          "channel": "sms", "endpoint_id": "ph-1", "person_id": "p-1",
                          "debt_ids": ["d-2"]})
    return state


@pytest.mark.parametrize("overrides", [
    {}, {"intended_send_at": NOW - timedelta(hours=1)},
    {"channel": "email", "endpoint": "pat@example.com", "content_text": None},
    {"debt_ids": ("d-1", "d-2"), "responding_to_consumer_request": True, "consent_id": "c-1"},
])
def test_the_stored_context_document_validates_into_the_evaluated_context(
    overrides: dict[str, Any],
) -> None:
    state = _state()
    for minutes in (0, 30, 60):  # earlier approvals land in the state, then in the context
        verdict = decide(state, _request(request_id=f"r-{minutes}", **overrides),
                         NOW + timedelta(minutes=minutes), timedelta(minutes=10))
        assert verdict.context is not None and verdict.document is not None
        stored = decision_events(verdict, None)[0].payload["context"]
        again = EvaluationContext.model_validate_json(unpack_context(stored))
        assert again == verdict.context
        assert evaluate(again) == verdict.decision
        if verdict.approval is not None:
            state.apply(ev.DECISION_RECORDED, {
                "request_id": verdict.request.request_id,
                "decision_id": verdict.decision_id, "approval": verdict.approval.as_record()})
    # The loop did put approvals into later contexts (the email lacks its opt-out notice).
    assert state.approvals or overrides.get("channel") == "email"


def test_a_context_stored_before_the_document_still_unpacks() -> None:
    ctx = EvaluationContext.model_validate(_golden()[0]["context"])
    assert unpack_context(pack_context(ctx.model_dump_json())) == ctx.model_dump_json()
    assert unpack_context(ctx.model_dump_json()) == ctx.model_dump_json()  # never packed


def test_the_overlay_leaves_the_recorded_profile_and_facts_as_they_were() -> None:
    import copy

    from compliance.service_layer.overlay import overlay

    state = _state()
    more = [
        {"fact": "consent_withdrawn", "consent_id": "c-1", "withdrawn_at": "2026-11-05T12:00:00Z"},
        {"fact": "cease_notice", "debt_id": "d-1", "received_at": "2026-11-06T12:00:00Z",
         "medium": "mail", "written": True},
        {"fact": "verification_sent", "debt_id": "d-2", "sent_at": "2026-11-07T12:00:00Z"},
        {"fact": "validation_notice_sent", "debt_id": "d-1",
         "provided_at": "2026-11-08T12:00:00Z"},
    ]
    adapter: TypeAdapter[Any] = TypeAdapter(Fact)
    for fact in more:
        state.apply(ev.FACT_RECORDED, {"body": orjson.loads(
            adapter.dump_json(adapter.validate_python(fact)))})
    profile, facts = copy.deepcopy(state.profile), copy.deepcopy(state.facts)
    doc = overlay(state.profile or {}, state.facts)
    assert doc["person"]["consents"][0]["withdrawn_at"]
    assert doc["debts"][0]["cease"] and doc["debts"][1]["disputes"][0]["verification_sent_at"]
    assert state.profile == profile and state.facts == facts
    assert doc != profile
