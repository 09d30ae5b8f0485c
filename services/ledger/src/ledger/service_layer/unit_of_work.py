"""The unit of work: one asyncpg transaction around one command.

``commit`` appends everything the repositories' aggregates recorded (grouped by tenant, one
statement per tenant), rewrites the affected projections and crypto-shreds erased persons, all
in that same transaction, then commits it. Nothing else commits.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

import asyncpg

from goodfaith_runtime.clock import Clock
from goodfaith_runtime.eventstore import AppendRequest, Metadata, PostgresEventStore
from goodfaith_runtime.pii import PersonKeyring
from ledger.adapters import projections
from ledger.adapters.parked import ParkedPayments
from ledger.adapters.repository import PostgresDebtorRepository, PostgresDebtRepository
from ledger.adapters.retention import RetentionRecords
from ledger.adapters.streams import PRODUCER


@dataclass(frozen=True)
class Cause:
    """Where a command came from, for the events' metadata (never personal data)."""

    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None


class UnitOfWork:
    def __init__(
        self, *, pool: asyncpg.Pool, store: PostgresEventStore, keyring: PersonKeyring,
        clock: Clock, milestones: Collection[int], conn: asyncpg.Connection | None = None,
        cause: Cause | None = None,
    ) -> None:
        self._pool, self._store, self._keyring = pool, store, keyring
        self._clock, self._milestones = clock, milestones
        # A caller's connection (the consumer's transaction): we work in a savepoint of it.
        self._external = conn
        self._cause = cause or Cause()
        self._committed = False
        self._flushed = False

    async def __aenter__(self) -> UnitOfWork:
        self.conn: asyncpg.Connection = self._external or await self._pool.acquire()
        self._tx = self.conn.transaction()
        await self._tx.start()
        self.debts = PostgresDebtRepository(self.conn)
        self.debtors = PostgresDebtorRepository(self.conn, self._keyring)
        self.parked = ParkedPayments(self.conn)
        self.retention = RetentionRecords(self.conn)
        self._now: datetime = self._clock.now()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                await self._tx.rollback()
        finally:
            if self._external is None:
                await self._pool.release(self.conn)

    def now(self) -> datetime:
        """One instant per command, so every event of the command carries the same time."""
        return self._now

    async def flush(self) -> None:
        """Append and project, still inside the transaction (so a reply can read the rows)."""
        if self._flushed:
            return
        self._flushed = True
        await self._append()
        await projections.refresh_debts(
            self.conn, [(d, self.debts.version_of(d)) for d in self.debts.loaded()],
            self._milestones)
        for debtor in self.debtors.changed():
            await projections.refresh_debtor(
                self.conn, debtor, self.debtors.version_of(debtor), self._now)
        await self.debtors.shred_erased()

    async def commit(self) -> None:
        await self.flush()
        await self._tx.commit()
        self._committed = True
        self.debts.mark_committed()
        self.debtors.mark_committed()

    async def _append(self) -> None:
        by_tenant: dict[str, list[AppendRequest]] = defaultdict(list)
        for tenant, request in [*self.debts.requests(), *await self.debtors.requests()]:
            by_tenant[tenant].append(request)
        for tenant, requests in by_tenant.items():
            meta = Metadata(tenant=tenant, producer=PRODUCER,
                            correlation_id=self._cause.correlation_id,
                            causation_id=self._cause.causation_id)
            await self._store.append_batch(requests, meta, conn=self.conn)
