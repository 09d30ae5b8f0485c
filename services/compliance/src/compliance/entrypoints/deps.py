"""Dependencies declared once, and the one way a creating POST runs (Idempotency-Key)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import asyncpg
import structlog
from fastapi import Depends, Header, Path, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from compliance.bootstrap import Compliance
from goodfaith_runtime.auth import Principal, require
from goodfaith_runtime.http import idempotent_replay, remember_response, request_fingerprint
from goodfaith_runtime.problems import Problem

Checker = Annotated[Principal, Depends(require("compliance:check"))]
Reader = Annotated[Principal, Depends(require("compliance:read"))]
Writer = Annotated[Principal, Depends(require("compliance:write"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
PersonId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
Work = Callable[[asyncpg.Connection], Awaitable[Any]]
TRANSACTION_ATTEMPTS = 3
log = structlog.get_logger("compliance.http")


def _compliance(request: Request) -> Compliance:
    found: Compliance = request.app.state.compliance
    return found


App = Annotated[Compliance, Depends(_compliance)]


async def idempotent(
    app: Compliance, request: Request, principal: Principal, body: Any, key: str | None,
    work: Work, status: int = 201,
) -> JSONResponse:
    """Run `work` in one transaction; a repeated key with the same body replays the answer.

    A transaction PostgreSQL rolled back to break a deadlock (two household decisions, one a
    Kafka batch over several persons, decisions.md D-55) is run again from the start: it wrote
    nothing. Should that keep happening, the answer is a 503 to retry, never a 500."""
    fingerprint = request_fingerprint(request.method, request.url.path, body)
    for _ in range(TRANSACTION_ATTEMPTS):
        try:
            async with app.runtime.pool.acquire() as conn, conn.transaction():
                stored = await idempotent_replay(conn, tenant=principal.tenant, key=key,
                                                 fingerprint=fingerprint)
                if stored is not None:
                    return JSONResponse(stored[1], status_code=stored[0])
                answer = jsonable_encoder(await work(conn))
                await remember_response(conn, tenant=principal.tenant, key=key,
                                        fingerprint=fingerprint, status=status, response=answer)
            return JSONResponse(answer, status_code=status)
        except asyncpg.TransactionRollbackError as exc:
            log.info("compliance.transaction_retry", error=type(exc).__name__)
    raise Problem(503, "Busy", "the database kept rolling the command back; retry",
                  type_="transaction-rolled-back")


async def read(app: Compliance, work: Work) -> Any:
    async with app.runtime.pool.acquire() as conn:
        return await work(conn)
