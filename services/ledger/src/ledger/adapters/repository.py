"""Repositories: load aggregates by replaying their streams, and turn what they recorded into
append requests. They never commit; the unit of work appends everything in one transaction.

Loading a debt first locks its projection row (``FOR UPDATE``). Every writer takes that lock
before appending, so two commands on one debt queue up instead of racing, and no two writers
can deadlock on the event table's unique index. The (stream id, version) key stays the
guarantee; the lock only makes a conflict rare. The sweeper uses ``SKIP LOCKED`` on the same
rows, so it never waits for a command and a command waits at most for one sweep batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import asyncpg

from goodfaith_runtime.eventstore import GENESIS, AppendRequest, NewEvent
from goodfaith_runtime.pii import PersonKeyring
from ledger.adapters.streams import (
    PUBLISHED_TYPES,
    debt_stream,
    debtor_public_stream,
    debtor_stream,
    erasure_twin,
    person_id,
    private_event,
    public_count,
    public_stream,
    public_twin,
)
from ledger.domain.aggregate import Aggregate
from ledger.domain.debt import Debt
from ledger.domain.debtor import Debtor, DebtorErased
from ledger.domain.errors import UnknownDebt, UnknownDebtor
from ledger.domain.events import from_payload, mask_personal_fields, personal_fields, to_payload

A = TypeVar("A", bound=Aggregate)

_READ_STREAMS = """
SELECT stream_id, stream_version, type, schema_version, payload, hash FROM events
WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_version
"""


@dataclass
class Tracked(Generic[A]):
    tenant: str
    stream_id: str
    version: int
    head_hash: bytes
    aggregate: A
    types: list[str] = field(default_factory=list)


async def read_streams(
    conn: asyncpg.Connection, stream_ids: Sequence[str]
) -> dict[str, list[asyncpg.Record]]:
    """Many streams in one round trip (the sweeper loads hundreds of debts at once)."""
    streams: dict[str, list[asyncpg.Record]] = {sid: [] for sid in stream_ids}
    for row in await conn.fetch(_READ_STREAMS, list(stream_ids)):
        streams[row["stream_id"]].append(row)
    return streams


class PostgresDebtRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self.seen: dict[str, Tracked[Debt]] = {}

    async def get(self, tenant: str, debt_id: str) -> Debt:
        locked = await self._conn.fetchval(
            "SELECT true FROM ledger_debts WHERE tenant = $1 AND debt_id = $2 FOR UPDATE",
            tenant, debt_id)
        if not locked:
            raise UnknownDebt(f"debt {debt_id} does not exist")
        (debt,) = await self.load_locked([(tenant, debt_id)])
        return debt

    async def load_locked(self, keys: Sequence[tuple[str, str]]) -> list[Debt]:
        """Debts whose projection rows the caller has locked already."""
        ids = [debt_stream(tenant, debt_id) for tenant, debt_id in keys]
        streams = await read_streams(self._conn, ids)
        debts = []
        for (tenant, debt_id), sid in zip(keys, ids, strict=True):
            rows = streams[sid]
            if not rows:
                raise UnknownDebt(f"debt {debt_id} does not exist")
            events = [from_payload(r["type"], r["payload"], r["schema_version"]) for r in rows]
            debt = Debt.replay(events)
            self.seen[sid] = Tracked(tenant, sid, rows[-1]["stream_version"],
                                     bytes(rows[-1]["hash"]), debt, [r["type"] for r in rows])
            debts.append(debt)
        return debts

    def add(self, debt: Debt) -> None:
        sid = debt_stream(debt.tenant_id, debt.debt_id)
        self.seen[sid] = Tracked(debt.tenant_id, sid, 0, GENESIS, debt)

    def requests(self) -> list[tuple[str, AppendRequest]]:
        out: list[tuple[str, AppendRequest]] = []
        for t in self.seen.values():
            pending = t.aggregate.pending_events
            if not pending:
                continue
            out.append((t.tenant, AppendRequest(
                t.stream_id, t.version, [private_event(e) for e in pending], t.head_hash)))
            twins = [tw for e in pending if (tw := public_twin(e, t.aggregate.debtor_id))]
            if twins:
                debt_id = t.aggregate.debt_id
                out.append((t.tenant, AppendRequest(
                    public_stream(t.tenant, debt_id), public_count(t.types), twins)))
        return out

    def loaded(self) -> list[Debt]:
        """Every debt this unit of work touched: a no-op still refreshes its projection,
        which is how the sweeper moves a debt's next milestone on."""
        return [t.aggregate for t in self.seen.values()]

    def version_of(self, debt: Debt) -> int:
        return self.seen[debt_stream(debt.tenant_id, debt.debt_id)].version + len(
            debt.pending_events)

    def mark_committed(self) -> None:
        for t in self.seen.values():
            t.version += len(t.aggregate.pending_events)
            t.types += [e.NAME for e in t.aggregate.pending_events]
            t.aggregate.mark_committed()


class PostgresDebtorRepository:
    """Personal fields are sealed with the person's key on the way in, unsealed on the way
    out; after an erasure they are masked without touching the (destroyed) key."""

    def __init__(self, conn: asyncpg.Connection, keyring: PersonKeyring) -> None:
        self._conn = conn
        self._keyring = keyring
        self.seen: dict[str, Tracked[Debtor]] = {}

    async def erased_for_debt(self, tenant: str, debt_id: str) -> bool:
        """Whether the debt's debtor was erased, read FOR SHARE on the debtor's row like
        `erased` (False for an unknown debt: loading it says so)."""
        erased = await self._conn.fetchval(
            "SELECT p.erased FROM ledger_debts d JOIN ledger_debtors p "
            "ON p.tenant = d.tenant AND p.debtor_id = d.debtor_id "
            "WHERE d.tenant = $1 AND d.debt_id = $2 FOR SHARE OF p", tenant, debt_id)
        return bool(erased)

    async def erased(self, tenant: str, debtor_id: str) -> bool | None:
        """Whether the debtor was erased; None when there is no such debtor. Read under a share
        lock on the debtor's row, which an erasure locks for update (adapters/retention.py):
        a debt opened while the erasure commits would escape its retention check and belong
        to nobody, so the two wait for each other instead."""
        erased: bool | None = await self._conn.fetchval(
            "SELECT erased FROM ledger_debtors WHERE tenant = $1 AND debtor_id = $2 FOR SHARE",
            tenant, debtor_id)
        return erased

    async def get(self, tenant: str, debtor_id: str) -> Debtor:
        sid = debtor_stream(tenant, debtor_id)
        rows = (await read_streams(self._conn, [sid]))[sid]
        if not rows:
            raise UnknownDebtor(f"debtor {debtor_id} does not exist")
        person = person_id(tenant, debtor_id)
        erased = bool(await self._conn.fetchval(
            "SELECT true FROM erased_persons WHERE person_id = $1", person))
        events = [from_payload(r["type"], await self._readable(r, person, erased),
                               r["schema_version"]) for r in rows]
        debtor = Debtor.replay(events)
        self.seen[sid] = Tracked(tenant, sid, rows[-1]["stream_version"],
                                 bytes(rows[-1]["hash"]), debtor)
        return debtor

    async def _readable(self, row: asyncpg.Record, person: str, erased: bool) -> dict[str, Any]:
        if erased:
            return mask_personal_fields(row["type"], row["payload"])
        payload: dict[str, Any] = await self._keyring.unseal(
            self._conn, person_id=person, payload=row["payload"])
        return payload

    def add(self, debtor: Debtor) -> None:
        sid = debtor_stream(debtor.tenant_id, debtor.debtor_id)
        self.seen[sid] = Tracked(debtor.tenant_id, sid, 0, GENESIS, debtor)

    async def requests(self) -> list[tuple[str, AppendRequest]]:
        out = []
        for t in self.seen.values():
            events = [await self._sealed(t, e) for e in t.aggregate.pending_events]
            if events:
                out.append((t.tenant, AppendRequest(t.stream_id, t.version, events, t.head_hash)))
            # A debtor is erased once (a second erase records nothing), so the public stream
            # holds at most that one announcement and is appended at version 0.
            twins = [tw for e in t.aggregate.pending_events if (tw := erasure_twin(e))]
            if twins:
                out.append((t.tenant, AppendRequest(
                    debtor_public_stream(t.tenant, t.aggregate.debtor_id), 0, twins)))
        return out

    async def _sealed(self, t: Tracked[Debtor], evt: Any) -> NewEvent:
        fields = personal_fields(evt.NAME)
        payload = to_payload(evt)
        if fields:
            payload = await self._keyring.seal(
                self._conn, person_id=person_id(t.tenant, t.aggregate.debtor_id),
                tenant=t.tenant, payload=payload, fields=sorted(fields))
        return private_event(evt, payload)

    def changed(self) -> list[Debtor]:
        return [t.aggregate for t in self.seen.values() if t.aggregate.pending_events]

    async def shred_erased(self) -> None:
        """Crypto-shred in the same transaction as the DebtorErased event."""
        for t in self.seen.values():
            if any(isinstance(e, DebtorErased) for e in t.aggregate.pending_events):
                await self._keyring.erase(
                    self._conn, person_id=person_id(t.tenant, t.aggregate.debtor_id),
                    tenant=t.tenant)

    def version_of(self, debtor: Debtor) -> int:
        return self.seen[debtor_stream(debtor.tenant_id, debtor.debtor_id)].version + len(
            debtor.pending_events)

    def mark_committed(self) -> None:
        for t in self.seen.values():
            t.version += len(t.aggregate.pending_events)
            t.aggregate.mark_committed()


__all__ = ["PUBLISHED_TYPES", "PostgresDebtRepository", "PostgresDebtorRepository"]
