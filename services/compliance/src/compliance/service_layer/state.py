"""Everything the gate knows about one person, folded from the person's stream.

Pure: the adapter reads the stream, decrypts the sealed parts the fold needs (profile and facts)
and hands over `(type, payload)` pairs, where a profile's or fact's decrypted document is under
"body". Decision and attempt events are folded without decryption.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from compliance.service_layer import events as ev


@dataclass(frozen=True)
class Approval:
    """A granted approval. It counts against caps from the moment it is granted (architecture,
    gate step 5) until an attempt reports its use (decisions.md D-23)."""

    approval_id: str
    decision_id: str
    request_id: str
    granted_at: datetime
    expires_at: datetime
    intended_send_at: datetime
    channel: str
    endpoint_id: str | None
    debt_ids: tuple[str, ...]
    recipient_role: str
    consent_id: str | None
    responding: bool
    consent_request: bool
    content_hash: str
    sealed_endpoint: str  # decrypted only to match an attempt
    # Granted for a location inquiry (1692b): the attempt that uses it is a location contact,
    # which FED-LOC counts (one per person, 1692b(3), 1006.10(c)).
    location_inquiry: bool = False
    # The stored form this approval was read from: written back as it is, since every
    # decision re-reads and re-writes each approval of the person's snapshot.
    record: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def as_record(self) -> dict[str, Any]:
        if self.record is not None:
            return self.record
        return {
            "approval_id": self.approval_id, "decision_id": self.decision_id,
            "request_id": self.request_id, "granted_at": self.granted_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "intended_send_at": self.intended_send_at.isoformat(), "channel": self.channel,
            "endpoint_id": self.endpoint_id, "debt_ids": list(self.debt_ids),
            "recipient_role": self.recipient_role, "consent_id": self.consent_id,
            "responding": self.responding, "consent_request": self.consent_request,
            "content_hash": self.content_hash, "sealed_endpoint": self.sealed_endpoint,
            "location_inquiry": self.location_inquiry,
        }

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> Approval:
        return cls(
            approval_id=r["approval_id"], decision_id=r["decision_id"],
            request_id=r["request_id"], granted_at=datetime.fromisoformat(r["granted_at"]),
            expires_at=datetime.fromisoformat(r["expires_at"]),
            intended_send_at=datetime.fromisoformat(r["intended_send_at"]),
            channel=r["channel"], endpoint_id=r["endpoint_id"], debt_ids=tuple(r["debt_ids"]),
            recipient_role=r["recipient_role"], consent_id=r["consent_id"],
            responding=r["responding"], consent_request=r["consent_request"],
            content_hash=r["content_hash"], sealed_endpoint=r["sealed_endpoint"],
            location_inquiry=r.get("location_inquiry", False),  # absent before 2026-12-07
            record=r,
        )


@dataclass
class PersonState:
    tenant: str
    person_id: str
    version: int = 0
    head_hash: bytes | None = None
    profile: dict[str, Any] | None = None
    facts: list[dict[str, Any]] = field(default_factory=list)
    # ContactEvent documents (domain vocabulary), oldest first.
    history: list[dict[str, Any]] = field(default_factory=list)
    approvals: dict[str, Approval] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)  # approval id -> attempt id
    # request id -> decision id; filled by a replay only (a snapshot leaves it out: the gate
    # asks compliance_decisions, written in the same transaction as each decision).
    decisions: dict[str, str] = field(default_factory=dict)
    attempts: set[str] = field(default_factory=set)

    @property
    def known(self) -> bool:
        return self.profile is not None

    def outstanding(self) -> list[Approval]:
        """Approvals granted and not yet used: they count at their intended instant."""
        return [a for a in self.approvals.values() if a.approval_id not in self.used]

    def apply(self, type_: str, payload: dict[str, Any]) -> None:
        if type_ == ev.PROFILE_RECORDED:
            self.profile = payload["body"]
        elif type_ == ev.FACT_RECORDED:
            self.facts.append(payload["body"])
            if payload["body"].get("fact") == "inbound_contact":
                self.history.append(_inbound(payload["body"], self.person_id))
        elif type_ == ev.DECISION_RECORDED:
            self.decisions[payload["request_id"]] = payload["decision_id"]
            if payload.get("approval"):
                approval = Approval.from_record(payload["approval"])
                self.approvals[approval.approval_id] = approval
        elif type_ == ev.ATTEMPT_RECORDED:
            self.attempts.add(payload["attempt_id"])
            self.history.append(payload["contact"])
            if payload.get("approval_id") and payload["approval_id"] in self.approvals:
                self.used.setdefault(payload["approval_id"], payload["attempt_id"])


def snapshot(state: PersonState) -> dict[str, Any]:
    """What the gate needs of the state, as JSON (sealed whole by the adapter). Everything but
    `decisions`: whether a request was already decided is read from compliance_decisions, which
    is written in the same transaction as the decision's event."""
    return {
        "stream": [state.tenant, state.person_id],
        "version": state.version, "profile": state.profile, "facts": state.facts,
        "history": state.history, "approvals": [a.as_record() for a in state.approvals.values()],
        "used": state.used, "attempts": sorted(state.attempts),
    }


def from_snapshot(
    tenant: str, person_id: str, doc: dict[str, Any], head_hash: bytes,
) -> PersonState | None:
    """The state a snapshot describes, or None when it is not this person's."""
    if doc.get("stream") != [tenant, person_id]:
        return None
    approvals = (Approval.from_record(r) for r in doc["approvals"])
    return PersonState(
        tenant, person_id, version=doc["version"], head_hash=head_hash, profile=doc["profile"],
        facts=doc["facts"], history=doc["history"],
        approvals={a.approval_id: a for a in approvals}, used=doc["used"],
        attempts=set(doc["attempts"]))


def fold(
    tenant: str, person_id: str, events: Iterable[tuple[str, dict[str, Any]]],
) -> PersonState:
    state = PersonState(tenant, person_id)
    for type_, payload in events:
        state.apply(type_, payload)
    return state


def _inbound(fact: dict[str, Any], person_id: str) -> dict[str, Any]:
    return {
        "event_id": fact["contact_id"], "at": fact["at"], "channel": fact["channel"],
        "endpoint_id": fact.get("endpoint_id"), "person_id": person_id,
        "debt_ids": fact["debt_ids"], "direction": "inbound", "initiated_by": "consumer",
        "connected": True, "conversation": fact.get("conversation", False),
    }
