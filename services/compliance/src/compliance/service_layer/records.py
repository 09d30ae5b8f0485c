"""The events one decision, attempt or fact appends to the person's stream.

`Pending` names the payload paths holding personal data; the stream adapter seals them under
the person's key in the same transaction. The public ContactApproved's endpoint is sealed too:
the outbox relay opens it just before publishing (the dispatcher verifies the signature over
it, gate step 3), and publishes "[erased]" once the person's key is gone.

The decision record is stored compact: a rule that did not apply and whose result is the rule's
shared NOT_APPLICABLE result (same id, citation, explanation, no inputs) is stored as its rule id
alone, in its place in the trace. `expand_record` gives back exactly `Decision.as_record()`
(the rule's citation comes from the recorded pack version, which is immutable), so
`GET /v1/decisions/{id}` and replay still show and compare every rule. The evaluation context
is stored zlib-compressed (then sealed): it is most of the event's bytes.
"""

from __future__ import annotations

import base64
import dataclasses
import zlib
from dataclasses import dataclass, field
from typing import Any

from compliance.domain import DEFAULT_REGISTRY, Decision, RuleResult, UnknownPackVersion
from compliance.domain.decision import _result_record
from compliance.service_layer import events as ev
from compliance.service_layer.gate import Verdict
from compliance.service_layer.state import Approval
from goodfaith_events.contracts import Topics
from goodfaith_events.ids import new_id


@dataclass(frozen=True)
class Signature:
    key_id: str
    signature: str


@dataclass(frozen=True)
class Pending:
    type: str
    payload: dict[str, Any]
    personal: tuple[str, ...] = ()
    publish_to: tuple[str, str] | None = None
    event_id: Any = field(default_factory=new_id)


def decision_events(verdict: Verdict, signature: Signature | None) -> list[Pending]:
    request, decision = verdict.request, verdict.decision
    approval = verdict.approval
    record: dict[str, Any] = {
        "decision_id": verdict.decision_id, "request_id": request.request_id,
        "person_id": request.person_id, "source": request.source,
        "decided_at": verdict.decided_at.isoformat(), "outcome": decision.outcome.value,
        "pack_version": decision.pack_version, "channel": request.channel,
        "debt_ids": list(request.debt_ids), "template_id": request.template_id,
        "template_type": request.template_type, "content_hash": request.content_hash,
        "endpoint": request.endpoint, "record": compact_record(decision),
        "approval": approval.as_record() if approval else None,
        "context": pack_context(verdict.context.model_dump_json()) if verdict.context else None,
    }
    personal = ("endpoint", "context", *(("approval.sealed_endpoint",) if approval else ()))
    recorded = Pending(ev.DECISION_RECORDED, record, personal)
    key = (Topics.CONTACT_DECIDED, request.person_id)
    if approval is not None and signature is not None:
        # The endpoint is sealed in the log like every other personal field; the relay opens
        # it just before publishing, so the dispatcher still verifies the signature over it
        # and an erasure reaches the stored copy too.
        public = Pending(ev.CONTACT_APPROVED, _approved(verdict, approval, signature),
                         ("endpoint",), publish_to=key)
    else:
        public = Pending(ev.CONTACT_BLOCKED, _blocked(verdict, decision), publish_to=key)
    return [recorded, public]


def _approved(verdict: Verdict, approval: Approval, signature: Signature) -> dict[str, Any]:
    return {
        "request_id": verdict.request.request_id, "decision_id": verdict.decision_id,
        "approval_id": approval.approval_id, "person_id": verdict.request.person_id,
        "channel": approval.channel, "endpoint": verdict.request.endpoint,
        "content_hash": approval.content_hash, "expires_at": approval.expires_at.isoformat(),
        "pack_version": verdict.decision.pack_version,
        "obligations": [o.code for o in verdict.decision.obligations],
        "key_id": signature.key_id, "signature": signature.signature,
    }


def _blocked(verdict: Verdict, decision: Decision) -> dict[str, Any]:
    failing = decision.failing or decision.trace[:1]
    return {
        "request_id": verdict.request.request_id, "decision_id": verdict.decision_id,
        "person_id": verdict.request.person_id,
        # An ALLOW without a signature cannot happen; if it did, it is still a block.
        "outcome": "REVIEW" if decision.outcome.value == "REVIEW" else "BLOCK",
        "failing_rules": [{"rule_id": r.rule_id, "citation": r.citation,
                           "explanation": r.explanation} for r in failing],
        "retry_at": decision.retry_at.isoformat() if decision.retry_at else None,
        "pack_version": decision.pack_version,
        "reasons": list(decision.reasons) or ["GATE-UNSIGNED"],
    }


_NOT_APPLICABLE: dict[str, dict[str, RuleResult]] = {}
_PACKED = "z1:"  # then base64 of the zlib-compressed context JSON


def _not_applicable(pack_version: str) -> dict[str, RuleResult]:
    """Rule id -> the rule's shared NOT_APPLICABLE result, in one pack version."""
    found = _NOT_APPLICABLE.get(pack_version)
    if found is None:
        try:
            version = DEFAULT_REGISTRY.get(pack_version)
        except UnknownPackVersion:
            return {}
        found = {}
        for rules in version.rules.values():
            for rule in rules:
                found.setdefault(rule.rule_id, rule.not_applicable)
        _NOT_APPLICABLE[pack_version] = found
    return found


def compact_record(decision: Decision) -> dict[str, Any]:
    record = dataclasses.replace(decision, trace=()).as_record()
    shared = _not_applicable(decision.pack_version)
    # Only the very shared object is left out, so expanding it gives back the same entry.
    record["trace"] = [r.rule_id if shared.get(r.rule_id) is r else _result_record(r)
                       for r in decision.trace]
    return record


def expand_record(record: dict[str, Any]) -> dict[str, Any]:
    """The full record (Decision.as_record()) of a stored, possibly compact, record."""
    trace = record.get("trace") or []
    if all(isinstance(entry, dict) for entry in trace):
        return record
    shared = _not_applicable(record["pack_version"])
    return {**record, "trace": [entry if isinstance(entry, dict)
                                else _result_record(shared[entry]) for entry in trace]}


def pack_context(context_json: str) -> str:
    return _PACKED + base64.b64encode(zlib.compress(context_json.encode(), 1)).decode()


def unpack_context(text: str) -> str:
    """The context JSON of a stored (unsealed) context; an erased one stays as it is."""
    if not text.startswith(_PACKED):
        return text
    return zlib.decompress(base64.b64decode(text[len(_PACKED):])).decode()
