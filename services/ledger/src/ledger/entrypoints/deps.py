"""Dependencies declared once, and the one way a route runs a command.

Every command runs with the Idempotency-Key hook: the key is locked, checked and remembered in
the command's own transaction, so a retried POST either replays the stored answer or runs
once; a key reused with another body is a 422 problem and nothing is written.

An answer that is the debtor view (presenters.DebtorView: names, contact points) is remembered
with the debtor's keyring id as its subject, and erasing the debtor purges it. Its replay then
answers the debtor's view as it is now, masked, of the debtor the key first created or named,
and still never runs the command again. No other answer holds personal data: a debt's shows the
debtor id and the debt's own facts, kept in the clear projection after an erasure anyway.
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
from ledger.adapters.streams import person_id
from ledger.bootstrap import Ledger
from ledger.domain.commands import Command
from ledger.entrypoints.presenters import DebtorView

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
        if stored is None or stored.response is not None:
            return None if stored is None else stored.response
        # Purged at the debtor's erasure: their view as it is now, of the stored subject's
        # debtor (streams.person_id), not this request's: a replayed registration mints an id.
        view = self.present
        if isinstance(view, DebtorView) and stored.subject is not None:
            view = DebtorView(view.keyring, self.tenant,
                              stored.subject.removeprefix(f"{self.tenant}/"))
        return jsonable_encoder(await view(conn))

    async def after(self, conn: asyncpg.Connection) -> Any:
        answer = jsonable_encoder(await self.present(conn))
        subject = (person_id(self.tenant, self.present.debtor_id)
                   if isinstance(self.present, DebtorView) else None)
        await remember_response(conn, tenant=self.tenant, key=self.key,
                                fingerprint=self.fingerprint, status=self.status,
                                response=answer, subject=subject)
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
