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
from collections.abc import Callable, Sequence
from datetime import datetime

import structlog
from prometheus_client import Counter

from ledger.adapters.debt_queue import DebtQueue
from ledger.adapters.schedule import every
from ledger.domain.debt import Debt
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


class SettlementSweeper(DebtQueue):
    due_sql = _DUE

    def __init__(self, uow_factory: Callable[..., UnitOfWork], *, batch_size: int = 500) -> None:
        super().__init__(uow_factory, batch_size=batch_size)

    def act(self, debts: Sequence[Debt], now: datetime) -> int:
        broken = sum(len(d.check_settlement_deadline(now)) for d in debts)
        BROKEN.inc(broken)
        return broken

    async def sweep(self) -> int:
        """Break every settlement past its deadline; return how many were broken."""
        broken = 0
        while True:
            debts, recorded = await self.batch_with_retry()
            broken += recorded
            # Debts locked by a command right now are skipped; the next pass gets them.
            if not debts or not recorded:
                return broken

    async def run(self, stop: asyncio.Event, interval: float) -> None:
        async def once() -> None:
            if broken := await self.sweep():
                log.info("ledger.settlements_broken", count=broken)

        await every(interval, stop, once, "ledger.settlement_sweep")
