"""Judging a reported attempt against its approval (decisions.md D-41) and the facts its outcome
establishes (D-42)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from compliance.service_layer.attempts import contact, violation
from compliance.service_layer.communications import first_communications
from compliance.service_layer.outcomes import facts_of
from compliance.service_layer.state import Approval, PersonState
from goodfaith_events.contracts import ContactAttempted

GRANTED = datetime(2026, 11, 18, 16, 0, tzinfo=UTC)  # 10:00 in Chicago
JUDGED = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)  # 09:00 in Chicago the next day
PHONE = "+13125550100"
HASH = "a" * 64


def _state() -> PersonState:
    state = PersonState("t", "p-1")
    approval = Approval(
        approval_id="ap-1", decision_id="dc-1", request_id="r-1", granted_at=GRANTED,
        expires_at=JUDGED + timedelta(minutes=10), intended_send_at=JUDGED, channel="call",
        endpoint_id="ph-1", debt_ids=("d-1",), recipient_role="consumer", consent_id=None,
        responding=False, consent_request=False, content_hash=HASH, sealed_endpoint="enc")
    state.approvals[approval.approval_id] = approval
    return state


def _attempt(**overrides: Any) -> ContactAttempted:
    values: dict[str, Any] = {
        "attempt_id": "a-1", "approval_id": "ap-1", "person_id": "p-1", "debt_ids": ["d-1"],
        "channel": "call", "endpoint": PHONE, "content_hash": HASH,
        "attempted_at": (JUDGED + timedelta(minutes=1)).isoformat(), "outcome": "no_answer",
        "connected": True, "conversation": False, **overrides}
    return ContactAttempted.model_validate(values)


@pytest.mark.parametrize(("overrides", "reason"), [
    ({}, None),
    ({"attempted_at": JUDGED.isoformat()}, None),  # the judged instant itself
    ({"content_hash": None}, "CONTENT_UNVERIFIED"),
    ({"content_hash": "b" * 64}, "OTHER_CONTENT"),
    # 07:05 in Chicago: granted and not expired, but never judged (and before 08:00).
    ({"attempted_at": "2026-11-19T13:05:00+00:00"}, "BEFORE_JUDGED_TIME"),
    ({"attempted_at": (JUDGED - timedelta(microseconds=1)).isoformat()}, "BEFORE_JUDGED_TIME"),
    ({"attempted_at": (GRANTED - timedelta(seconds=1)).isoformat()}, "BEFORE_APPROVAL"),
    ({"attempted_at": (JUDGED + timedelta(minutes=10)).isoformat()}, "APPROVAL_EXPIRED"),
    ({"endpoint": "+13125550199"}, "OTHER_ENDPOINT"),
    ({"debt_ids": ["d-1", "d-2"]}, "OTHER_DEBTS"),
    ({"channel": "sms", "content_hash": None}, "OTHER_CHANNEL"),
])
def test_an_attempt_must_be_exactly_what_was_judged(
    overrides: dict[str, Any], reason: str | None,
) -> None:
    assert violation(_state(), _attempt(**overrides), PHONE) == reason


def test_no_content_hash_is_unverified_only_when_the_approval_has_one() -> None:
    state = _state()
    approval = state.approvals["ap-1"]
    state.approvals["ap-1"] = dataclasses.replace(approval, content_hash="")
    assert violation(state, _attempt(content_hash=None), PHONE) is None
    assert violation(state, _attempt(content_hash=None, debt_ids=["d-2"]), PHONE) == (
        "OTHER_DEBTS")


@pytest.mark.parametrize(("channel", "medium"), [
    ("sms", "text"), ("call", "telephone"), ("voicemail", "telephone"), ("email", "email"),
    ("letter", "mail"), ("visit", "in_person"), ("social_dm", "social"),
])
def test_an_opt_out_reported_on_an_attempt_is_an_opt_out_of_its_medium(
    channel: str, medium: str,
) -> None:
    now = JUDGED + timedelta(minutes=5)
    (fact,) = facts_of(_attempt(channel=channel, outcome="opted_out"), "ph-1", now)
    assert fact.fact == "medium_optout"
    assert fact.model_dump(mode="json") == {
        "fact": "medium_optout", "medium": medium, "requested_at": "2026-11-19T15:01:00Z",
        "confirmation_sent_at": None}


def test_a_wrong_party_is_recorded_for_the_endpoint_with_the_attempt_as_its_source() -> None:
    (fact,) = facts_of(_attempt(outcome="wrong_party"), "ph-1", JUDGED + timedelta(minutes=5))
    assert fact.model_dump(mode="json") == {
        "fact": "rpc_state", "rpc": "failed", "noted_at": "2026-11-19T15:01:00Z",
        "endpoint_id": "ph-1", "source_contact_id": "a-1"}
    (unknown,) = facts_of(_attempt(outcome="wrong_party"), None, JUDGED)
    assert unknown.model_dump()["endpoint_id"] is None  # the person as a whole (fail closed)


def test_an_attempt_reported_ahead_of_our_clock_restricts_from_now() -> None:
    (fact,) = facts_of(_attempt(outcome="opted_out"), "ph-1", JUDGED)
    assert fact.model_dump()["requested_at"] == JUDGED


@pytest.mark.parametrize("outcome", [
    "delivered", "bounced", "not_connected", "no_answer", "voicemail", "conversation",
    "promise_to_pay"])
def test_other_outcomes_establish_nothing(outcome: str) -> None:
    assert facts_of(_attempt(outcome=outcome), "ph-1", JUDGED) == []


# --- decisions.md D-98: what an attempt's history entry counts as -----------------------------


@pytest.mark.parametrize(("outcome", "flag", "connected"), [
    ("no_answer", False, True),  # ring-no-answer reached the number: it counts
    ("voicemail", False, True),
    ("conversation", False, True),
    ("wrong_party", False, True),
    ("not_connected", False, False),  # busy, network error: FED-FREQ-EXCL (ii)
    ("not_connected", True, True),  # contradicts itself: the stricter reading
    ("delivered", True, True),
])
def test_an_attempt_is_connected_by_its_outcome_not_the_dialers_flag(
    outcome: str, flag: bool, connected: bool,
) -> None:
    entry = contact(_state(), _attempt(outcome=outcome, connected=flag))
    assert entry["connected"] is connected


def test_an_attempt_counts_under_the_role_its_approval_was_judged_for() -> None:
    # A dialer labelling a call to the consumer "creditor" would take it out of every cap.
    assert contact(_state(), _attempt(recipient_role="creditor"))["recipient_role"] == "consumer"
    unapproved = _attempt(approval_id=None, recipient_role="attorney")
    assert contact(_state(), unapproved)["recipient_role"] == "consumer"  # no profile: counts
    state = _state()
    state.profile = {"person": {"role": "spouse"}, "endpoints": []}
    assert contact(state, unapproved)["recipient_role"] == "spouse"


def test_an_attempt_on_a_location_approval_is_a_location_contact() -> None:
    state = _state()
    assert contact(state, _attempt())["location_contact"] is False
    assert contact(state, _attempt(approval_id=None))["location_contact"] is False  # consumer
    approval = state.approvals["ap-1"]
    state.approvals["ap-1"] = dataclasses.replace(
        approval, location_inquiry=True, recipient_role="third_party")
    assert contact(state, _attempt())["location_contact"] is True  # a ring counts (fail closed)
    # No approval: the contact's purpose is unknown, so for a third party it counts too.
    state.profile = {"person": {"role": "third_party"}, "endpoints": []}
    assert contact(state, _attempt(approval_id=None))["location_contact"] is True
    state.approvals["ap-1"] = dataclasses.replace(state.approvals["ap-1"], location_inquiry=False)
    assert contact(state, _attempt())["location_contact"] is False  # an approved other purpose
    # A busy line or a network error communicated nothing (1692b(3); D-103).
    busy = _attempt(outcome="not_connected", connected=False)
    assert contact(state, busy)["location_contact"] is False


@pytest.mark.parametrize("role", ["consumer", "spouse"])
def test_a_location_flag_on_a_contact_with_the_consumer_changes_nothing(role: str) -> None:
    """D-102: otherwise the conversation would not be the initial communication, and the
    validation notice's five days would never start (1006.34(a)(1)(i)(B))."""
    state = _state()
    state.approvals["ap-1"] = dataclasses.replace(
        state.approvals["ap-1"], location_inquiry=True, recipient_role=role)
    event = contact(state, _attempt(outcome="conversation", conversation=True))
    assert event["location_contact"] is False
    assert first_communications([event], {"d-1"}) != {}


def test_an_approval_record_keeps_the_location_flag_and_reads_old_records() -> None:
    approval = dataclasses.replace(_state().approvals["ap-1"], location_inquiry=True)
    record = approval.as_record()
    assert Approval.from_record(record).location_inquiry is True
    old = {k: v for k, v in record.items() if k != "location_inquiry"}  # before 2026-12-07
    assert Approval.from_record(old).location_inquiry is False
