"""One gate decision: build the context, evaluate, and for an ALLOW fix the approval's terms.

Pure apart from the ids it draws: the instant comes from the caller's clock, and signing and
storage happen in the handler. Whatever goes wrong in here ends as a BLOCK with its reason,
never as an approval and never as an exception (reference section 0, fail closed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from compliance.domain import Decision, EvaluationContext
from compliance.domain.context import TemplateType
from compliance.domain.decision import Judged, judge
from compliance.service_layer import approvals
from compliance.service_layer.context import Blocked, blocked, prepare
from compliance.service_layer.requests import GateRequest
from compliance.service_layer.state import Approval, PersonState
from goodfaith_events.ids import new_id


@dataclass(frozen=True)
class Verdict:
    decision_id: str
    request: GateRequest
    decision: Decision
    context: EvaluationContext | None  # None: blocked before evaluation
    decided_at: datetime
    approval: Approval | None
    # The document `context` was validated from (JSON-ready apart from datetimes): recorded.
    document: dict[str, Any] | None = None


def decide(
    state: PersonState, request: GateRequest, now: datetime, ttl: timedelta,
    household: Sequence[PersonState] = (),
) -> Verdict:
    """`household`: the states of the persons the profile links (context.merge_household)."""
    decision_id = str(new_id())
    try:
        ctx, doc = prepare(state, request, now, household)
    except Blocked as exc:
        return Verdict(decision_id, request, exc.decision, None, now, None)
    judged = _judge(ctx)
    decision = judged.decision if isinstance(judged, Judged) else judged
    approval = None
    if decision.allowed and isinstance(judged, Judged):
        approval = _approval(decision_id, judged, request, now, ttl)
    return Verdict(decision_id, request, decision, ctx, now, approval, doc)


def _judge(ctx: EvaluationContext) -> Judged | Decision:
    try:
        return judge(ctx)
    except Exception as exc:  # judge raises only for a pack version; still never approve
        return blocked("pack_version", explanation=f"Blocked: {type(exc).__name__}.")


def _approval(
    decision_id: str, judged: Judged, request: GateRequest, now: datetime, ttl: timedelta,
) -> Approval:
    p = judged.ctx.proposal
    return Approval(
        approval_id=str(new_id()), decision_id=decision_id, request_id=request.request_id,
        granted_at=now, expires_at=approvals.expiry(judged.ctx, ttl, judged.allowed_at),
        intended_send_at=p.intended_send_at, channel=request.channel,
        endpoint_id=p.endpoint_id, debt_ids=tuple(sorted(p.debt_ids)),
        recipient_role=p.recipient_role.value, consent_id=p.consent_id,
        responding=p.responding_to_consumer_request,
        consent_request=p.template_type is TemplateType.CONSENT_REQUEST,
        content_hash=request.content_hash, sealed_endpoint=request.endpoint,
        location_inquiry=p.location_inquiry,
    )
