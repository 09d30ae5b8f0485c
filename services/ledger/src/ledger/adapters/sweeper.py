"""The overdue sweep: record every due milestone, exactly once, and publish InvoiceOverdue.

The queue is ``ledger_debts.next_milestone_at`` (indexed): the first instant, in the debt's
own calendar, at which one of its invoices reaches its next milestone, derived from ledger
state by the projection. A batch locks due debts with ``FOR UPDATE SKIP LOCKED`` (so several
workers and instances never work the same debt), replays them, asks the domain for the due
milestones (``record_due_milestones``, which returns nothing for a milestone already
recorded), appends the private events and their public ``ledger.InvoiceOverdue`` twins for
the whole batch, and rewrites the projection, which moves each debt to its next milestone.
A crash before commit leaves everything as it was; a restart simply sweeps again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from dataclasses import dataclass

import structlog
from prometheus_client import Counter

from goodfaith_runtime.eventstore import ConcurrencyError
from ledger.adapters.schedule import every
from ledger.domain.milestones import today_in
from ledger.service_layer.messagebus import MAX_ATTEMPTS
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


class OverdueSweeper:
    def __init__(
        self, uow_factory: Callable[..., UnitOfWork], *, milestones: Collection[int],
        batch_size: int = 500, workers: int = 2,
    ) -> None:
        self._uow = uow_factory
        self._milestones = tuple(milestones)
        self._batch_size = batch_size
        self._workers = workers

    async def sweep(self) -> SweepReport:
        """Sweep until nothing is due; workers share the queue through SKIP LOCKED."""
        report = SweepReport()
        await asyncio.gather(*(self._drain(report) for _ in range(self._workers)))
        return report

    async def _drain(self, report: SweepReport) -> None:
        while True:
            debts, recorded = await self._batch_with_retry()
            report.debts += debts
            report.milestones += recorded
            report.batches += 1 if debts else 0
            # A batch that recorded nothing means the queue is empty, or holds only debts
            # another worker is on: this pass is done, the next one picks up the rest.
            if not recorded:
                return

    async def _batch_with_retry(self) -> tuple[int, int]:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await self.batch()
            except ConcurrencyError:
                # A command wrote to a debt between our lock and our append (it took no
                # lock, e.g. a debt opened in that instant): the whole batch is retried.
                log.info("ledger.sweep_retry", attempt=attempt)
        return 0, 0

    async def batch(self) -> tuple[int, int]:
        async with self._uow() as uow:
            now = uow.now()
            rows = await uow.conn.fetch(_DUE, now, self._batch_size)
            if not rows:
                return 0, 0
            debts = await uow.debts.load_locked([(r["tenant"], r["debt_id"]) for r in rows])
            recorded = sum(
                len(d.record_due_milestones(today_in(d.time_zone, now), now, self._milestones))
                for d in debts)
            await uow.commit()
        MILESTONES.inc(recorded)
        return len(rows), recorded

    async def run(self, stop: asyncio.Event, interval: float) -> None:
        """Sweep every ``interval`` seconds until ``stop``; a failed pass is logged, retried."""

        async def once() -> None:
            report = await self.sweep()
            if report.milestones:
                log.info("ledger.sweep", debts=report.debts, milestones=report.milestones)

        await every(interval, stop, once, "ledger.sweep")
