"""The overdue sweep: record every due milestone, exactly once, and publish InvoiceOverdue.

The queue is ``ledger_debts.next_milestone_at`` (indexed): the first instant, in the debt's
own calendar, at which one of its invoices reaches its next milestone, derived from ledger
state by the projection. Batches work as ``debt_queue`` describes; the domain's
``record_due_milestones`` returns nothing for a milestone already recorded, and the unit of
work appends the private events with their public ``ledger.InvoiceOverdue`` twins.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from prometheus_client import Counter

from ledger.adapters.debt_queue import DebtQueue
from ledger.adapters.schedule import every
from ledger.domain.debt import Debt
from ledger.domain.milestones import today_in
from ledger.service_layer.unit_of_work import UnitOfWork

log = structlog.get_logger("ledger.sweeper")

MILESTONES = Counter("ledger_overdue_milestones_total", "Overdue milestones recorded")

_DUE = """
SELECT tenant, debt_id FROM ledger_debts
WHERE next_milestone_at <= $1
ORDER BY next_milestone_at
LIMIT $2
FOR UPDATE SKIP LOCKED
"""


@dataclass
class SweepReport:
    debts: int = 0
    milestones: int = 0
    batches: int = 0


class OverdueSweeper(DebtQueue):
    due_sql = _DUE

    def __init__(
        self, uow_factory: Callable[..., UnitOfWork], *, milestones: Collection[int],
        batch_size: int = 500, workers: int = 2,
    ) -> None:
        super().__init__(uow_factory, batch_size=batch_size)
        self._milestones = tuple(milestones)
        self._workers = workers

    def act(self, debts: Sequence[Debt], now: datetime) -> int:
        recorded = sum(
            len(d.record_due_milestones(today_in(d.time_zone, now), now, self._milestones))
            for d in debts)
        MILESTONES.inc(recorded)
        return recorded

    async def sweep(self) -> SweepReport:
        """Sweep until nothing is due; workers share the queue through SKIP LOCKED."""
        report = SweepReport()
        await asyncio.gather(*(self._drain(report) for _ in range(self._workers)))
        return report

    async def _drain(self, report: SweepReport) -> None:
        while True:
            debts, recorded = await self.batch_with_retry()
            report.debts += debts
            report.milestones += recorded
            report.batches += 1 if debts else 0
            # A batch that recorded nothing means the queue is empty, or holds only debts
            # another worker is on: this pass is done, the next one picks up the rest.
            if not recorded:
                return

    async def run(self, stop: asyncio.Event, interval: float) -> None:
        """Sweep every ``interval`` seconds until ``stop``; a failed pass is logged, retried."""

        async def once() -> None:
            report = await self.sweep()
            if report.milestones:
                log.info("ledger.sweep", debts=report.debts, milestones=report.milestones)

        await every(interval, stop, once, "ledger.sweep")
