"""Runs one command: open a unit of work, call its handler, commit; retry on a conflict.

A ``Hook`` lets the HTTP layer do its Idempotency-Key work inside the very same transaction:
``before`` may answer from a stored response, ``after`` shapes and remembers the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import asyncpg
import structlog

from goodfaith_runtime.eventstore import ConcurrencyError
from ledger.domain.commands import Command
from ledger.service_layer.handlers import Handler
from ledger.service_layer.unit_of_work import Cause, UnitOfWork

log = structlog.get_logger("ledger.bus")

MAX_ATTEMPTS = 5


class Hook(Protocol):
    async def before(self, conn: asyncpg.Connection) -> Any | None: ...

    async def after(self, conn: asyncpg.Connection) -> Any: ...


UowFactory = Callable[..., UnitOfWork]


class MessageBus:
    def __init__(self, uow_factory: UowFactory, handlers: Mapping[type[Command], Handler]) -> None:
        self._uow = uow_factory
        self._handlers = handlers

    async def handle(
        self, command: Command, *, hook: Hook | None = None,
        conn: asyncpg.Connection | None = None, cause: Cause | None = None,
    ) -> Any:
        handler = self._handlers[type(command)]
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await self._once(handler, command, hook, conn, cause)
            except (ConcurrencyError, asyncpg.DeadlockDetectedError) as exc:
                # Another writer won: reload and reapply on fresh state.
                log.info("ledger.command_retry", command=type(command).__name__,
                         attempt=attempt, error=type(exc).__name__)
                if attempt == MAX_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    async def _once(
        self, handler: Handler, command: Command, hook: Hook | None,
        conn: asyncpg.Connection | None, cause: Cause | None,
    ) -> Any:
        async with self._uow(conn=conn, cause=cause) as uow:
            if hook is not None and (stored := await hook.before(uow.conn)) is not None:
                return stored
            await handler(command, uow)
            await uow.flush()
            answer = await hook.after(uow.conn) if hook is not None else None
            await uow.commit()
            return answer
