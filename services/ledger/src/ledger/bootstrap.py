"""Wires the ledger: runtime (pool, migrations, event store, keyring, relay, consumers),
unit of work, message bus, overdue and settlement sweepers. Nothing connects at import time;
``start`` runs in the FastAPI lifespan or a worker's main."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from goodfaith_events.contracts import Topics
from goodfaith_runtime.clock import Clock, SystemClock
from goodfaith_runtime.service import ConsumerSpec, ServiceRuntime
from ledger.adapters.settlement_sweeper import SettlementSweeper
from ledger.adapters.sweeper import OverdueSweeper
from ledger.config import LedgerSettings
from ledger.entrypoints.consumer import CONSUMER, payment_received
from ledger.entrypoints.contact_consumer import CONTACTS_CONSUMER, contact_attempted
from ledger.service_layer.handlers import HANDLERS
from ledger.service_layer.messagebus import MessageBus
from ledger.service_layer.unit_of_work import Cause, UnitOfWork

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@dataclass
class Ledger:
    settings: LedgerSettings
    clock: Clock
    runtime: ServiceRuntime
    bus: MessageBus = field(init=False)
    sweeper: OverdueSweeper = field(init=False)
    settlement_sweeper: SettlementSweeper = field(init=False)
    _stop: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)

    def uow(self, conn: asyncpg.Connection | None = None, cause: Cause | None = None) -> UnitOfWork:
        rt = self.runtime
        return UnitOfWork(pool=rt.pool, store=rt.store, keyring=rt.keyring, clock=self.clock,
                          milestones=self.settings.milestone_days, conn=conn, cause=cause)

    async def start(self, *, sweep: bool | None = None) -> None:
        await self.runtime.start()
        self.bus = MessageBus(self.uow, HANDLERS)
        s = self.settings
        self.sweeper = OverdueSweeper(self.uow, milestones=s.milestone_days,
                                      batch_size=s.sweep_batch_size, workers=s.sweep_workers)
        self.settlement_sweeper = SettlementSweeper(self.uow, batch_size=s.sweep_batch_size)
        if s.sweep_enabled if sweep is None else sweep:
            self._tasks.append(asyncio.create_task(
                self.sweeper.run(self._stop, s.sweep_interval_seconds), name="ledger-sweeper"))
            self._tasks.append(asyncio.create_task(
                self.settlement_sweeper.run(self._stop, s.sweep_interval_seconds),
                name="ledger-settlement-sweeper"))

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, 30)
        await self.runtime.stop()


def bootstrap(settings: LedgerSettings | None = None, clock: Clock | None = None) -> Ledger:
    settings = settings or LedgerSettings()  # from the environment
    clock = clock or SystemClock()
    holder: dict[str, Any] = {}
    handler = payment_received(lambda: holder["ledger"].bus, clock)
    runtime = ServiceRuntime(
        service="ledger", settings=settings, migrations=MIGRATIONS, clock=clock,
        # Payments wait on no caller at the scale of a fetch: a payment reaches the balance
        # within ~100 ms, and an idle consumer fetching every 10 ms cost the embedded broker
        # ~5% of a core (ConsumerSpec.background).
        # Contact attempts feed the retention hold on erasure, which waits on them even less.
        # A consumer of their own, so a failing attempt is dead-lettered apart from payments
        # and an operator reads each group's lag and dead letters under its own name.
        consumers=[ConsumerSpec(name=CONSUMER, topics=[Topics.PAYMENT_RECEIVED],
                                handlers={"payments.PaymentReceived": handler},
                                background=True),
                   ConsumerSpec(name=CONTACTS_CONSUMER, topics=[Topics.CONTACT_ATTEMPTED],
                                handlers={"outreach.ContactAttempted": contact_attempted},
                                background=True)],
        topics=[Topics.INVOICE_OVERDUE, Topics.DISPUTE_RAISED, Topics.DEBTOR_ERASED],
    )
    ledger = Ledger(settings=settings, clock=clock, runtime=runtime)
    holder["ledger"] = ledger
    return ledger
