"""Dependencies declared once, and the one way a route runs a command.

Every command runs with the Idempotency-Key hook: the key is locked, checked and remembered in
the command's own transaction, so a retried POST either replays the stored answer or runs
once; a key reused with another body is a 422 problem and nothing is written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel

from goodfaith_events.ids import new_id
from goodfaith_runtime.auth import Principal, require
from goodfaith_runtime.http import idempotent_replay, remember_response, request_fingerprint
from ledger.bootstrap import Ledger
from ledger.domain.commands import Command

Reader = Annotated[Principal, Depends(require("ledger:read"))]
Writer = Annotated[Principal, Depends(require("ledger:write"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
Presenter = Callable[[asyncpg.Connection], Awaitable[Any]]


def _ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(_ledger)]


def new_key() -> str:
    return str(new_id())


@dataclass
class Idempotency:
    tenant: str
    key: str | None
    fingerprint: bytes
    present: Presenter
    status: int

    async def before(self, conn: asyncpg.Connection) -> Any | None:
        stored = await idempotent_replay(conn, tenant=self.tenant, key=self.key,
                                         fingerprint=self.fingerprint)
        return None if stored is None else stored[1]

    async def after(self, conn: asyncpg.Connection) -> Any:
        answer = jsonable_encoder(await self.present(conn))
        await remember_response(conn, tenant=self.tenant, key=self.key,
                                fingerprint=self.fingerprint, status=self.status,
                                response=answer)
        return answer


async def execute(
    ledger: Ledger, request: Request, command: Command, present: Presenter, *,
    body: BaseModel | None = None, key: str | None = None, status: int = 200,
) -> Any:
    payload = None if body is None else body.model_dump(mode="json")
    fingerprint = request_fingerprint(request.method, request.url.path, payload)
    hook = Idempotency(command.tenant, key, fingerprint, present, status)
    return await ledger.bus.handle(command, hook=hook)


async def query(ledger: Ledger, present: Presenter) -> Any:
    async with ledger.runtime.pool.acquire() as conn:
        return await present(conn)
