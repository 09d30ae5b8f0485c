"""A queue of debts kept in ``ledger_debts``, worked in batches: the shape both scheduled jobs
(overdue milestones, broken settlements) share.

A batch takes due debts with ``FOR UPDATE SKIP LOCKED`` (several workers and instances never
work the same debt, and a command on a debt waits at most one batch), replays them, lets the
domain decide, and commits; the rewritten projection moves each debt on in its queue. A crash
before commit leaves everything as it was; a restart simply works the queue again.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime

import structlog

from goodfaith_runtime.eventstore import ConcurrencyError
from ledger.domain.debt import Debt
from ledger.service_layer.messagebus import MAX_ATTEMPTS
from ledger.service_layer.unit_of_work import UnitOfWork

log = structlog.get_logger("ledger.debt_queue")


class DebtQueue(ABC):
    """Subclasses name the due-debts query and what the domain does with each debt."""

    due_sql: str  # parameters: $1 the current instant, $2 the batch size

    def __init__(self, uow_factory: Callable[..., UnitOfWork], *, batch_size: int) -> None:
        self._uow = uow_factory
        self._batch_size = batch_size

    @abstractmethod
    def act(self, debts: Sequence[Debt], now: datetime) -> int:
        """Call the domain on the locked debts; return how many events it recorded."""

    async def batch_with_retry(self) -> tuple[int, int]:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await self.batch()
            except ConcurrencyError:
                # A command wrote to a debt between our lock and our append (it took no
                # lock, e.g. a debt opened in that instant): the whole batch is retried.
                log.info("ledger.queue_retry", queue=type(self).__name__, attempt=attempt)
        return 0, 0

    async def batch(self) -> tuple[int, int]:
        """One batch: (debts taken, events recorded)."""
        async with self._uow() as uow:
            now = uow.now()
            rows = await uow.conn.fetch(self.due_sql, now, self._batch_size)
            if not rows:
                return 0, 0
            debts = await uow.debts.load_locked([(r["tenant"], r["debt_id"]) for r in rows])
            recorded = self.act(debts, now)
            await uow.commit()
        return len(rows), recorded
