"""The live gate's context from the person's recorded facts (decisions.md D-39, D-40, D-42):
the overlay's cease and right-party rules, the initial communication the history shows, and
that a decision's stored context still replays to the same decision."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from pydantic import TypeAdapter

from compliance.domain import EvaluationContext, evaluate
from compliance.service_layer import events as ev
from compliance.service_layer.communications import conveyed, first_communications
from compliance.service_layer.facts import Fact, Profile
from compliance.service_layer.gate import decide
from compliance.service_layer.overlay import endpoint_rpc, overlay
from compliance.service_layer.records import decision_events, unpack_context
from compliance.service_layer.requests import GateRequest, content_hash
from compliance.service_layer.state import PersonState

NOW = datetime(2026, 11, 18, 16, 0, tzinfo=UTC)  # 10:00 in Chicago
PHONE = "+13125550100"
SCRIPT = ("Hi, this is Sam with Fairway Recovery LLC. This communication is from a debt "
          "collector. We are attempting to collect a debt and any information obtained will be "
          "used for that purpose.")
_FACT: TypeAdapter[Any] = TypeAdapter(Fact)


def _profile(**debt: Any) -> dict[str, Any]:
    doc = Profile.model_validate({
        "collector": {"collector_id": "col-1", "role": "third_party_collector",
                      "business_name": "Fairway Recovery LLC", "creditor_id": "cr-1",
                      "creditor_name": "Acme Bank"},
        "person": {"person_id": "p-1", "role": "consumer", "rpc": "verified",
                   "addresses": [{"address_id": "a-1", "kind": "residence", "state": "IL",
                                  "tz": "America/Chicago"}]},
        "endpoints": [{"kind": "phone", "endpoint_id": "ph-1", "e164": PHONE,
                       "phone_type": "cell", "owner_confirmed": True}],
        "debts": [{"debt_id": "d-1", "purpose": "consumer", "governing_state": "IL",
                   "time_barred": False, **debt}],
    })
    return orjson.loads(doc.model_dump_json())


def _state(*facts: dict[str, Any], **debt: Any) -> PersonState:
    state = PersonState("t", "p-1", profile=_profile(**debt))
    for fact in facts:
        body = orjson.loads(_FACT.dump_json(_FACT.validate_python(fact)))
        state.apply(ev.FACT_RECORDED, {"body": body})
    return state


def _request(**overrides: Any) -> GateRequest:
    values: dict[str, Any] = {
        "request_id": "r-1", "person_id": "p-1", "debt_ids": ("d-1",), "channel": "call",
        "endpoint": PHONE, "content_hash": content_hash(SCRIPT), "content_text": SCRIPT,
        "template_type": "AGENT_CALL", "source": "kafka", "intended_send_at": NOW, **overrides}
    return GateRequest(**values)


def _cease(days_ago: int, written: bool, **extra: Any) -> dict[str, Any]:
    return {"fact": "cease_notice", "debt_id": "d-1", "written": written,
            "medium": "mail" if written else "telephone",
            "received_at": (NOW - timedelta(days=days_ago)).isoformat(), **extra}


def _event(**fields: Any) -> dict[str, Any]:
    return {"event_id": "e-1", "at": (NOW - timedelta(days=20)).isoformat(), "channel": "call",
            "person_id": "p-1", "debt_ids": ["d-1"], **fields}


# --- D-39: cease notices ------------------------------------------------------------------


@pytest.mark.parametrize(("facts", "kept_days_ago"), [
    ((_cease(3, False), _cease(1, True)), 1),  # the letter is not hidden by the oral stop
    ((_cease(2, True), _cease(1, True)), 2),  # the first receipt stays
    ((_cease(1, True), _cease(2, True)), 2),  # ... whatever order the letters are recorded in
    ((_cease(3, True), _cease(1, False)), 3),  # an oral stop replaces nothing
])
def test_the_first_written_cease_notice_is_kept(
    facts: tuple[dict[str, Any], ...], kept_days_ago: int,
) -> None:
    state = _state(*facts)
    cease = overlay(state.profile or {}, state.facts)["debts"][0]["cease"]
    assert cease["written"] is True
    assert datetime.fromisoformat(cease["received_at"]) == NOW - timedelta(days=kept_days_ago)


def test_an_oral_stop_is_an_opt_out_of_its_medium_and_an_oral_refusal_is_not() -> None:
    state = _state(_cease(1, False), _cease(1, False, kind="refuses_to_pay", medium="in_person"))
    person = overlay(state.profile or {}, state.facts)["person"]
    assert [o["medium"] for o in person["medium_optouts"]] == ["telephone"]
    decision = decide(state, _request(), NOW, timedelta(minutes=10)).decision
    assert "FED-MEDIUM-OPTOUT" in decision.reasons and "FED-CEASE" not in decision.reasons


def test_the_written_notice_after_an_oral_stop_pauses_every_channel() -> None:
    state = _state(_cease(3, False), _cease(1, True))
    decision = decide(state, _request(), NOW, timedelta(minutes=10)).decision
    assert "FED-CEASE" in decision.reasons and decision.retry_at is None


# --- D-42: right-party state per endpoint ---------------------------------------------------


def _rpc(rpc: str, endpoint_id: str | None = None) -> dict[str, Any]:
    return {"fact": "rpc_state", "rpc": rpc, "noted_at": NOW.isoformat(),
            "endpoint_id": endpoint_id}


@pytest.mark.parametrize(("person", "facts", "expected"), [
    ("verified", [_rpc("failed", "ph-1")], "failed"),
    ("verified", [_rpc("failed", "ph-2")], "verified"),  # another number
    ("verified", [_rpc("failed", "ph-1"), _rpc("verified", "ph-1")], "verified"),  # cleared
    ("failed", [_rpc("verified", "ph-1")], "failed"),  # an endpoint's record only narrows
    ("verified", [_rpc("unverified", "ph-1")], "unverified"),
])
def test_an_endpoints_right_party_state_only_narrows(
    person: str, facts: list[dict[str, Any]], expected: str,
) -> None:
    assert endpoint_rpc(person, facts, "ph-1") == expected


def test_a_person_wide_rpc_fact_still_sets_the_person() -> None:
    state = _state(_rpc("failed"))
    assert overlay(state.profile or {}, state.facts)["person"]["rpc"] == "failed"
    scoped = _state(_rpc("failed", "ph-1"))
    assert overlay(scoped.profile or {}, scoped.facts)["person"]["rpc"] == "verified"
    decision = decide(scoped, _request(), NOW, timedelta(minutes=10)).decision
    assert "FED-3P" in decision.reasons


# --- D-40: the initial communication from the history ---------------------------------------


@pytest.mark.parametrize(("fields", "expected"), [
    ({"conversation": True, "connected": True}, True),
    ({"voicemail": "full"}, True),
    ({"channel": "voicemail", "connected": True}, True),  # a recorded message drop
    ({"channel": "email"}, True),  # delivery unknown: counts
    ({"channel": "letter", "connected": True}, True),
    ({"channel": "call", "direction": "inbound", "initiated_by": "consumer",
      "conversation": True}, True),
    ({"channel": "visit", "conversation": True}, True),
    ({"connected": True}, False),  # rang, no answer
    ({"connected": False}, False),
    ({"voicemail": "lcm", "template_type": "LIMITED_CONTENT_MESSAGE"}, False),
    ({"template_type": "LIMITED_CONTENT_MESSAGE", "conversation": True}, True),  # answered
    ({"channel": "voicemail", "template_type": "LIMITED_CONTENT_MESSAGE"}, False),
    ({"channel": "email", "undeliverable_at": NOW.isoformat()}, False),
    ({"channel": "sms", "connected": False}, False),
    ({"channel": "email", "direction": "inbound", "initiated_by": "consumer"}, False),
    ({"channel": "letter", "template_type": "FORMAL_PLEADING"}, False),
    ({"conversation": True, "recipient_role": "third_party"}, False),
    ({"conversation": True, "location_contact": True, "recipient_role": "third_party"}, False),
    # D-102: a location flag on a conversation with the consumer does not hide it.
    ({"conversation": True, "location_contact": True}, True),
    ({"channel": "visit", "connected": True}, False),
])
def test_what_conveys_information_to_the_consumer(fields: dict[str, Any], expected: bool) -> None:
    assert conveyed(_event(**fields)) is expected


def test_the_earliest_communication_per_debt_is_found_and_wrong_parties_are_left_out() -> None:
    history = [
        _event(event_id="e-1", at="2026-11-01T15:00:00+00:00", conversation=True),
        _event(event_id="e-2", at="2026-10-30T09:00:00-05:00", channel="email",
               debt_ids=["d-1", "d-2"]),
        _event(event_id="e-3", at="2026-10-01T15:00:00Z", conversation=True),  # wrong party
        _event(event_id="e-4", at="2026-09-01T15:00:00Z", connected=True),  # conveyed nothing
    ]
    found = first_communications(history, {"d-1", "d-2"}, excluded={"e-3"})
    assert found == {"d-1": "2026-10-30T09:00:00-05:00", "d-2": "2026-10-30T09:00:00-05:00"}
    assert first_communications(history, {"d-3"}) == {}


@pytest.mark.parametrize(("recorded", "history", "vn_block"), [
    (None, [_event(conversation=True)], True),
    (None, [_event(connected=True)], False),  # only an unanswered call: the clock is not on
    ((NOW - timedelta(days=1)).isoformat(), [_event(conversation=True)], True),
    ((NOW - timedelta(days=30)).isoformat(), [], True),  # recorded: as before
])
def test_the_vn_clock_starts_at_the_first_communication(
    recorded: str | None, history: list[dict[str, Any]], vn_block: bool,
) -> None:
    state = _state(initial_communication_at=recorded)
    state.history.extend(history)
    recorded_profile = copy.deepcopy(state.profile)
    verdict = decide(state, _request(), NOW, timedelta(minutes=10))
    assert ("FED-VN-TIMING" in verdict.decision.reasons) is vn_block, verdict.decision.reasons
    # Replay reads the stored context: the derived date is in it, so the answer is the same.
    stored = decision_events(verdict, None)[0].payload["context"]
    again = EvaluationContext.model_validate_json(unpack_context(stored))
    assert again == verdict.context and evaluate(again) == verdict.decision
    assert state.profile == recorded_profile  # derived on the copy, never recorded
