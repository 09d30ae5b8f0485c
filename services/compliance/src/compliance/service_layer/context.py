"""The live gate's evaluation context: the person's state plus the request, in exactly the shape
`POST /v1/evaluate` accepts, so both paths call the same `evaluate`.

What the rules cannot judge because the request or the state lacks it blocks here with
`DATA_MISSING:<field>` (reference section 0, fail closed): an unknown person, an endpoint the
profile does not know, content that does not match its hash, template metadata the domain does
not understand, a context the domain model rejects.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from compliance.domain import CURRENT_VERSION, Decision, DecisionOutcome, EvaluationContext
from compliance.domain.results import Outcome, RuleResult
from compliance.service_layer.communications import earlier, first_communications
from compliance.service_layer.overlay import endpoint_rpc, overlay, wrong_party_contacts
from compliance.service_layer.requests import GateRequest, content_hash
from compliance.service_layer.state import PersonState

GATE_REQUEST = "GATE-REQUEST"
CITATION = "Fail closed (reference section 0); 12 CFR 1006.100 record of the decision"
# Which endpoint kind each channel must go to; an unknown channel is left to GATE-INPUTS.
ENDPOINT_KIND = {
    "call": "phone", "voicemail": "phone", "sms": "phone", "email": "email",
    "letter": "postal", "visit": "in_person", "social_dm": "social",
}
# Past approvals older than this cannot fall in any cap window (the longest is 30 days).
APPROVAL_HORIZON_DAYS = 35


class Blocked(Exception):
    """The request cannot be evaluated; `decision` is the BLOCK that says why."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(", ".join(decision.reasons))
        self.decision = decision


def blocked(*missing: str, explanation: str) -> Decision:
    result = RuleResult(GATE_REQUEST, CITATION, Outcome.BLOCK, explanation,
                        {"missing": missing}, missing=missing)
    return Decision(outcome=DecisionOutcome.BLOCK, trace=(result,), failing=(result,),
                    obligations=(), retry_at=None, reasons=result.reason_codes(), packs=(),
                    pack_version=CURRENT_VERSION)


def build(
    state: PersonState, request: GateRequest, now: datetime,
    household: Sequence[PersonState] = (),
) -> EvaluationContext:
    """Raise `Blocked` when the request cannot be evaluated."""
    return prepare(state, request, now, household)[0]


def prepare(
    state: PersonState, request: GateRequest, now: datetime,
    household: Sequence[PersonState] = (),
) -> tuple[EvaluationContext, dict[str, Any]]:
    """The context and the document it was validated from (what the decision record stores:
    it validates into the same context again). Raise `Blocked` as `build` does.

    `household`: the states of the persons the profile links (decisions.md D-55), merged in
    by `merge_household`."""
    if state.profile is None:
        raise Blocked(blocked("person.profile", explanation=(
            "Blocked: compliance knows nothing about this person (no profile recorded).")))
    doc = overlay(state.profile, state.facts)
    if request.recipient_role != doc["person"]["role"]:
        raise Blocked(blocked("proposal.recipient_role", explanation=(
            "Blocked: the recipient's role differs from the role the profile records.")))
    endpoint_id = _endpoint(doc["endpoints"], request)
    if request.content_text is not None and content_hash(request.content_text) != (
            request.content_hash):
        raise Blocked(blocked("proposal.content.text", explanation=(
            "Blocked: the content does not match its content hash.")))
    _endpoint_rpc(doc["person"], state, endpoint_id)
    doc["history"] = state.history
    initial_communications(doc, state, request.debt_ids)
    doc["approvals"] = _approvals(state, now)
    merge_household(doc, household, now)
    doc["proposal"] = _proposal(request, endpoint_id, max(request.intended_send_at, now))
    try:
        return EvaluationContext.model_validate(doc), doc
    except ValidationError as exc:
        paths = tuple(_path(e["loc"]) for e in exc.errors()[:10])
        raise Blocked(blocked(*paths, explanation=(
            "Blocked: the context is incomplete or invalid: " + ", ".join(paths) + "."))) from exc


def merge_household(doc: dict[str, Any], members: Sequence[PersonState], now: datetime) -> None:
    """Add the linked persons' contacts and outstanding approvals to the context, and list
    each as a household record (decisions.md D-55): their whole record is in, so no contacts
    of theirs means none. A person compliance has no profile of (never recorded, or erased)
    has no role to count them under: nothing of theirs is merged and they are not listed, so
    a rule that needs their record still finds it missing. In place, on the overlaid copy."""
    records: list[dict[str, Any]] = []
    # The profile's links (person ids) become the records actually merged.
    doc["household"] = records
    if not members:
        return  # the common case, on every decision: nothing to copy
    history = list(doc["history"])
    for member in members:
        if member.profile is None:
            continue
        role = member.profile["person"]["role"]
        records.append({"person_id": member.person_id, "role": role})
        # Their inbound contacts carry no role of their own: they are this member's.
        history.extend({"recipient_role": role, **c} for c in member.history)
        doc["approvals"].extend(_approvals(member, now))
    if records:
        doc["history"] = history


def _endpoint_rpc(person: dict[str, Any], state: PersonState, endpoint_id: str) -> None:
    # FED-3P reads the person's right-party state; a number known to reach someone else
    # (a wrong party reported on an attempt, D-42) is a third party's whoever the person is.
    current = person.get("rpc", "unverified")
    found = endpoint_rpc(current, state.facts, endpoint_id)
    if found != current:
        person["rpc"] = found


def initial_communications(
    doc: dict[str, Any], state: PersonState, debt_ids: Collection[str] | None = None,
) -> None:
    """Date each debt's initial communication (of `debt_ids`, or all) no later than the first
    communication the history shows (FED-VN-TIMING: a missing date reads as "now", which would
    restart the 5 days on every request; decisions.md D-40). In place, on the overlaid copy."""
    debts = doc.get("debts", [])
    wanted = {d["debt_id"] for d in debts} if debt_ids is None else set(debt_ids)
    if not state.history or not wanted:
        return
    firsts = first_communications(state.history, wanted, wrong_party_contacts(state.facts))
    for debt in debts:
        found = firsts.get(debt["debt_id"])
        if found is not None and earlier(found, debt.get("initial_communication_at")):
            debt["initial_communication_at"] = found


def _proposal(request: GateRequest, endpoint_id: str, send_at: datetime) -> dict[str, Any]:
    return {
        "request_id": request.request_id, "channel": request.channel,
        "endpoint_id": endpoint_id, "recipient_person_id": request.person_id,
        "recipient_role": request.recipient_role, "debt_ids": list(request.debt_ids),
        "template_type": request.template_type,
        "content": {"text": request.content_text, "language": request.language,
                    "meta": request.template_meta},
        "intended_send_at": send_at, "consent_id": request.consent_id,
        "responding_to_consumer_request": request.responding_to_consumer_request,
        "location_inquiry": request.location_inquiry,
        "location_followup_allowed": request.location_followup_allowed,
    }


def _endpoint(endpoints: list[dict[str, Any]], request: GateRequest) -> str:
    """The profile's id for the request's endpoint; the value must match what is signed."""
    found = [e for e in endpoints if matches_endpoint(e, request.endpoint)]
    if request.endpoint_id is not None:
        found = [e for e in found if e["endpoint_id"] == request.endpoint_id]
    if not found:
        raise Blocked(blocked("proposal.endpoint", explanation=(
            "Blocked: the endpoint is not one the person's profile lists.")))
    chosen = found[0]
    wanted = ENDPOINT_KIND.get(request.channel)
    if wanted is not None and chosen["kind"] != wanted:
        raise Blocked(blocked("proposal.endpoint", explanation=(
            f"Blocked: a {request.channel} cannot go to a {chosen['kind']} endpoint.")))
    return str(chosen["endpoint_id"])


def matches_endpoint(endpoint: dict[str, Any], value: str) -> bool:
    value = value.strip()
    if value == endpoint["endpoint_id"]:
        return True
    kind = endpoint["kind"]
    if kind == "phone":
        return bool(endpoint["e164"] == value.replace(" ", ""))
    if kind == "email":
        return bool(endpoint["address"].lower() == value.lower())
    if kind in ("postal", "in_person"):
        return bool(endpoint["address_id"] == value)
    return False


def _approvals(state: PersonState, now: datetime) -> list[dict[str, Any]]:
    horizon = now.timestamp() - APPROVAL_HORIZON_DAYS * 86_400
    return [
        {"approval_id": a.approval_id, "granted_at": a.granted_at, "expires_at": a.expires_at,
         "intended_send_at": a.intended_send_at, "channel": a.channel,
         "endpoint_id": a.endpoint_id, "person_id": state.person_id,
         "recipient_role": a.recipient_role, "debt_ids": list(a.debt_ids),
         "consent_id": a.consent_id, "responding_to_consumer_request": a.responding,
         "consent_request": a.consent_request}
        for a in state.outstanding() if a.intended_send_at.timestamp() >= horizon
    ]


def _path(loc: tuple[Any, ...]) -> str:
    # Union member names ("PhoneEndpoint") say nothing to the reader of a reason code.
    parts = [str(p) for p in loc if not (isinstance(p, str) and p[:1].isupper())]
    return ".".join(parts) or "context"
