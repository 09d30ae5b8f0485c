"""The gate over HTTP: synchronous checks for agents, what-if evaluation, decisions by id and
their replay, and the key that verifies approvals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from compliance.adapters import queries
from compliance.domain import EvaluationContext, evaluate
from compliance.entrypoints.deps import App, Checker, IdempotencyKey, Reader, idempotent, read
from compliance.entrypoints.schemas import CheckRequest, EvaluationAnswer
from compliance.service_layer.replay import replay
from compliance.service_layer.requests import GateRequest, content_hash
from goodfaith_events.ids import new_id
from goodfaith_runtime.problems import Problem

router = APIRouter(prefix="/v1", tags=["gate"])


def _gate_request(body: CheckRequest, now: datetime) -> GateRequest:
    return GateRequest(
        request_id=body.request_id or str(new_id()), person_id=body.person_id,
        debt_ids=tuple(body.debt_ids), channel=body.channel, endpoint=body.endpoint,
        content_hash=body.content_hash or content_hash(body.content_text),
        intended_send_at=body.intended_send_at or now, source="http",
        endpoint_id=body.endpoint_id, recipient_role=body.recipient_role,
        template_id=body.template_id, template_type=body.template_type,
        content_text=body.content_text, template_meta=body.template_meta,
        language=body.language, consent_id=body.consent_id,
        responding_to_consumer_request=body.responding_to_consumer_request,
        location_inquiry=body.location_inquiry,
        location_followup_allowed=body.location_followup_allowed)


@router.post("/checks", status_code=201, summary="Decide a contact now (agents dialling by hand)")
async def check(
    body: CheckRequest, request: Request, principal: Checker, app: App, key: IdempotencyKey = None,
) -> JSONResponse:
    """The same decision as the Kafka gate, recorded the same way. An ALLOW carries the signed
    approval; a BLOCK or REVIEW carries every failing rule and the earliest retry."""
    gate_request = _gate_request(body, app.clock.now())

    async def work(conn: Any) -> Any:
        checked = await app.service.check(conn, principal.tenant, gate_request, queue=True)
        return await queries.decision_view(conn, principal.tenant, checked.decision_id)

    return await idempotent(app, request, principal, body.model_dump(mode="json"), key, work)


@router.post("/evaluate", summary="What-if: evaluate a complete context, change nothing",
             response_model=EvaluationAnswer)
async def what_if(
    ctx: Annotated[EvaluationContext, Body()], principal: Checker,
    pack_version: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    """The decision and the trace of every rule evaluated, for a context document of your own.
    Nothing is recorded. The live gate builds this same document from its state."""
    decision = evaluate(ctx, pack_version=pack_version)
    record = decision.as_record()
    record["failing"] = [r for r in record["trace"]
                         if r["outcome"] in ("BLOCK", "PAUSE", "REVIEW")]
    return record


@router.get("/decisions/{decision_id}", summary="A decision with its rule trace")
async def decision(decision_id: str, principal: Reader, app: App) -> dict[str, Any]:
    found: dict[str, Any] | None = await read(
        app, lambda conn: queries.decision_view(conn, principal.tenant, decision_id))
    if found is None:
        raise Problem(404, "Unknown decision", type_="unknown-decision")
    return found


@router.post("/decisions/{decision_id}/replay",
             summary="Evaluate the recorded context again with the recorded pack version")
async def replay_decision(decision_id: str, principal: Reader, app: App) -> dict[str, Any]:
    recorded = await read(app, lambda conn: queries.recorded_context(
        conn, app.streams, principal.tenant, decision_id))
    if recorded is None:
        raise Problem(404, "Unknown decision", type_="unknown-decision")
    context, pack_version, record = recorded
    if not isinstance(context, str) or not context.startswith("{"):
        raise Problem(422, "Not replayable", "the request was blocked before evaluation, or "
                      "the person's data was erased", type_="decision-not-replayable")
    return {"decision_id": decision_id, **replay(context, pack_version, record)}


@router.get("/public-key", summary="The key that verifies approval signatures")
async def public_key(app: App) -> dict[str, str]:
    return {"algorithm": "Ed25519", "key_id": app.signer.key_id,
            "public_key": app.signer.public_key, "encoding": "base64 of the raw 32 bytes",
            "signed_bytes": "goodfaith_events.contracts.approval_signing_bytes"}
