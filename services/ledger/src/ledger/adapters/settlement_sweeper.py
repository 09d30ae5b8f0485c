"""The settlement sweep: break every active settlement whose deadline has passed, once.

The queue is ``ledger_debts.settlement_deadline`` (indexed, NULL when no settlement is
active), written by the projection. A batch takes debts past their deadline with
``FOR UPDATE SKIP LOCKED``, the discipline of the overdue sweep: several workers and instances
never work the same debt, and a command on the debt waits at most one batch. The domain
decides (``check_settlement_deadline(now)``): a settlement completed or already broken in the
meantime yields nothing, and the rewritten projection takes the debt off the queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from prometheus_client import Counter

from goodfaith_runtime.eventstore import ConcurrencyError
from ledger.adapters.schedule import every
from ledger.service_layer.messagebus import MAX_ATTEMPTS
from ledger.service_layer.unit_of_work import UnitOfWork

log = structlog.get_logger("ledger.settlement_sweeper")

BROKEN = Counter("ledger_settlements_broken_total", "Settlements broken at their deadline")

_DUE = """
SELECT tenant, debt_id FROM ledger_debts
WHERE settlement_deadline < $1
ORDER BY settlement_deadline
LIMIT $2
FOR UPDATE SKIP LOCKED
"""


class SettlementSweeper:
    def __init__(self, uow_factory: Callable[..., UnitOfWork], *, batch_size: int = 500) -> None:
        self._uow = uow_factory
        self._batch_size = batch_size

    async def sweep(self) -> int:
        """Break every settlement past its deadline; return how many were broken."""
        broken = 0
        while True:
            debts, recorded = await self._batch_with_retry()
            broken += recorded
            # Debts locked by a command right now are skipped; the next pass gets them.
            if not debts or not recorded:
                return broken

    async def _batch_with_retry(self) -> tuple[int, int]:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await self.batch()
            except ConcurrencyError:
                log.info("ledger.settlement_sweep_retry", attempt=attempt)
        return 0, 0

    async def batch(self) -> tuple[int, int]:
        async with self._uow() as uow:
            now = uow.now()
            rows = await uow.conn.fetch(_DUE, now, self._batch_size)
            if not rows:
                return 0, 0
            debts = await uow.debts.load_locked([(r["tenant"], r["debt_id"]) for r in rows])
            broken = sum(len(d.check_settlement_deadline(now)) for d in debts)
            await uow.commit()
        BROKEN.inc(broken)
        return len(rows), broken

    async def run(self, stop: asyncio.Event, interval: float) -> None:
        async def once() -> None:
            if broken := await self.sweep():
                log.info("ledger.settlements_broken", count=broken)

        await every(interval, stop, once, "ledger.settlement_sweep")
