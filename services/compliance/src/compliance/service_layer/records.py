"""The events one decision, attempt or fact appends to the person's stream.

`Pending` names the payload paths holding personal data; the stream adapter seals them under
the person's key in the same transaction. The public ContactApproved's endpoint is sealed too:
the outbox relay opens it just before publishing (the dispatcher verifies the signature over
it, gate step 3), and publishes "[erased]" once the person's key is gone.

The decision record is stored compact. A rule that did not apply and whose result is the rule's
shared NOT_APPLICABLE result (same id, citation, explanation, no inputs) is stored as its rule id
alone, in its place in the trace. Every other result of a rule of the recorded pack version is
stored as `[rule id, outcome, explanation]`, plus a fourth element holding only what differs
from the defaults: `inputs` (default none), `retry_at` (none), `reason_codes` (none for ALLOW,
else the rule id) and `citation` (the rule's own). A result of no rule of the version (the
gate's own GATE-REQUEST, a GATE-SELECT failure) is stored whole. `expand_record` gives back
exactly `Decision.as_record()` (the citations come from the recorded pack version, which is
immutable), so `GET /v1/decisions/{id}` and replay still show and compare every rule. The
evaluation context is stored as the JSON document the gate validated into the context (it
validates into the same context again: that is how replay reads it), zlib-compressed, then
sealed: it is most of the event's bytes.
"""

from __future__ import annotations

import base64
import dataclasses
import zlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from compliance.domain import DEFAULT_REGISTRY, Decision, RuleResult, UnknownPackVersion
from compliance.domain.decision import _jsonable, _result_record
from compliance.domain.results import Outcome
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
        "context": _context(verdict),
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


def _context(verdict: Verdict) -> str | None:
    """The document the context was validated from (a plain JSON dump, several times cheaper
    than the model's); the model's own dump when there is none or it is not plain JSON."""
    if verdict.context is None:
        return None
    if verdict.document is not None:
        try:
            return pack_context(orjson.dumps(verdict.document))
        except TypeError:
            pass
    return pack_context(verdict.context.model_dump_json())


def _approved(verdict: Verdict, approval: Approval, signature: Signature) -> dict[str, Any]:
    return {
        "request_id": verdict.request.request_id, "decision_id": verdict.decision_id,
        "approval_id": approval.approval_id, "person_id": verdict.request.person_id,
        "channel": approval.channel, "endpoint": verdict.request.endpoint,
        "content_hash": approval.content_hash, "expires_at": approval.expires_at.isoformat(),
        "pack_version": verdict.decision.pack_version,
        "obligations": [o.code for o in verdict.decision.obligations],
        "key_id": signature.key_id, "signature": signature.signature,
        "not_before": approval.intended_send_at.isoformat(),
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


_PACKED = "z1:"  # then base64 of the zlib-compressed context JSON
_OUTCOMES = {o.value: o for o in Outcome}


@dataclass(frozen=True)
class _Version:
    """What expanding needs of one pack version: each rule's NOT_APPLICABLE result and
    citation (rule id -> value; the first rule of an id wins, as in the trace)."""

    not_applicable: dict[str, RuleResult]
    citations: dict[str, str]


_VERSIONS: dict[str, _Version] = {}
_UNKNOWN = _Version({}, {})


def _version(pack_version: str) -> _Version:
    found = _VERSIONS.get(pack_version)
    if found is None:
        try:
            version = DEFAULT_REGISTRY.get(pack_version)
        except UnknownPackVersion:
            return _UNKNOWN
        found = _Version({}, {})
        for rules in version.rules.values():
            for rule in rules:
                found.not_applicable.setdefault(rule.rule_id, rule.not_applicable)
                found.citations.setdefault(rule.rule_id, rule.citation)
        _VERSIONS[pack_version] = found
    return found


def compact_record(decision: Decision) -> dict[str, Any]:
    record = dataclasses.replace(decision, trace=()).as_record()
    version = _version(decision.pack_version)
    shared, citations = version.not_applicable, version.citations
    trace: list[Any] = []
    for r in decision.trace:
        rule_id = r.rule_id
        if shared.get(rule_id) is r:
            # Only the very shared object is left out, so expanding it gives back the same entry.
            trace.append(rule_id)
        elif rule_id in citations:
            trace.append(_compact_entry(r, citations[rule_id]))
        else:
            trace.append(_result_record(r))
    record["trace"] = trace
    return record


def _compact_entry(r: RuleResult, citation: str) -> list[Any]:
    entry: list[Any] = [r.rule_id, r.outcome.value, r.explanation]
    if not r.inputs and r.retry_at is None and not r.error and not r.missing and (
            r.citation == citation):
        return entry  # most results: every other field is its default (see _default_codes)
    extra: dict[str, Any] = {}
    if r.inputs:
        extra["inputs"] = _jsonable(r.inputs)
    if r.retry_at is not None:
        extra["retry_at"] = r.retry_at.isoformat()
    codes = [] if r.outcome is Outcome.ALLOW else list(r.reason_codes())
    if codes != _default_codes(r.rule_id, r.outcome.value):
        extra["reason_codes"] = codes
    if r.citation != citation:
        extra["citation"] = r.citation
    if extra:
        entry.append(extra)
    return entry


def _default_codes(rule_id: str, outcome: str) -> list[str]:
    # RuleResult.reason_codes() without an error or missing data: just the rule id.
    return [] if outcome == "ALLOW" else [rule_id]


def expand_record(record: dict[str, Any]) -> dict[str, Any]:
    """The full record (Decision.as_record()) of a stored, possibly compact, record."""
    trace = record.get("trace") or []
    if all(isinstance(entry, dict) for entry in trace):
        return record
    version = _version(record["pack_version"])
    return {**record, "trace": [_expand_entry(entry, version) for entry in trace]}


def _expand_entry(entry: Any, version: _Version) -> dict[str, Any]:
    if isinstance(entry, dict):
        return entry
    if isinstance(entry, str):
        return _result_record(version.not_applicable[entry])
    rule_id, outcome, explanation, *rest = entry
    extra: dict[str, Any] = rest[0] if rest else {}
    return {
        "rule_id": rule_id,
        "citation": extra.get("citation", version.citations.get(rule_id)),
        "outcome": _OUTCOMES[outcome].value,
        "explanation": explanation,
        "inputs": extra.get("inputs", {}),
        "retry_at": extra.get("retry_at"),
        "reason_codes": extra.get("reason_codes", _default_codes(rule_id, outcome)),
    }


def pack_context(context_json: str | bytes) -> str:
    data = context_json.encode() if isinstance(context_json, str) else context_json
    return _PACKED + base64.b64encode(zlib.compress(data, 1)).decode()


def unpack_context(text: str) -> str:
    """The context JSON of a stored (unsealed) context; an erased one stays as it is."""
    if not text.startswith(_PACKED):
        return text
    return zlib.decompress(base64.b64decode(text[len(_PACKED):])).decode()
