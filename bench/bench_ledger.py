"""The ledger's overdue sweep and payment application, each next to a raw baseline in the
same run, on the same embedded server.

Seeding: through the domain in big batches. Each debt is opened and invoiced by the real
aggregate (``Debt.open`` + ``add_invoice``), its events are appended with the production
``append_batch`` (hash chains, triggers) and its projection rows written by the production
``refresh_debts``; only the per-command transaction is skipped. One invoice per debt, the
worst case for the sweep (one stream replayed per invoice). Every invoice is 2 days past due
in its debtor's zone, so each sweep records exactly one milestone per invoice.

Sweep: ``OverdueSweeper.sweep()`` as the service runs it (SKIP LOCKED batches, replay,
``record_due_milestones``, private event + public InvoiceOverdue with its outbox row,
projection update). Baseline: one raw ``UPDATE`` moving the same queue rows on (rolled back),
the least any sweep has to do.

Payments: the message bus applying ``ApplyPayment`` one per transaction (lock, replay, domain
allocation, append, projection). Baseline: a raw event-store append of a same-sized event, one
per transaction, with no domain and no projection.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from bench.common import Suite, Timer
from goodfaith_events.ids import new_id
from goodfaith_runtime.clock import ManualClock
from goodfaith_runtime.eventstore import Metadata, NewEvent
from goodfaith_runtime.infra import Infra
from ledger.adapters.projections import refresh_debts
from ledger.adapters.repository import PostgresDebtRepository
from ledger.bootstrap import Ledger, bootstrap
from ledger.config import LedgerSettings
from ledger.domain.commands import ApplyPayment
from ledger.domain.debt import Debt
from ledger.domain.debt_events import DebtPurpose, DebtType
from ledger.domain.money import Money

SIZES = (100_000, 1_000_000)
SEED_CHUNK = 2_000
PAYMENTS = 2_000
DUE = date(2025, 5, 1)
NOW = datetime(2025, 5, 3, 18, 0, tzinfo=UTC)
ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", None)
SWEEP = "overdue sweep"


def _debt(n: int, tenant: str) -> Debt:
    debt = Debt.open(
        debt_id=f"d{n:08d}", tenant_id=tenant, debtor_id=f"p{n:08d}",
        original_creditor="Acme Bank", account_last4="4242", debt_type=DebtType.CREDIT_CARD,
        purpose=DebtPurpose.CONSUMER, currency="USD", governing_state="CA",
        time_zone=ZONES[n % len(ZONES)], at=NOW - timedelta(days=90))
    debt.add_invoice("INV-1", issued_on=DUE - timedelta(days=30), due_on=DUE,
                     principal=Money(10_000 + n % 5_000, "USD"), at=NOW - timedelta(days=90))
    return debt


async def seed(ledger: Ledger, count: int, tenant: str = "bench") -> float:
    meta = Metadata(tenant=tenant, producer="ledger")
    with Timer() as t:
        for start in range(0, count, SEED_CHUNK):
            async with ledger.runtime.pool.acquire() as conn, conn.transaction():
                repo = PostgresDebtRepository(conn)
                for n in range(start, min(start + SEED_CHUNK, count)):
                    repo.add(_debt(n, tenant))
                await ledger.runtime.store.append_batch(
                    [r for _, r in repo.requests()], meta, conn=conn)
                await refresh_debts(conn, [(d, repo.version_of(d)) for d in repo.loaded()],
                                    ledger.settings.milestone_days)
    return t.seconds


async def raw_queue_update(ledger: Ledger) -> tuple[int, float]:
    async with ledger.runtime.pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        with Timer() as t:
            status = await conn.execute(
                "UPDATE ledger_debts SET next_milestone_at = next_milestone_at + interval "
                "'29 days' WHERE next_milestone_at <= $1", NOW)
        await tx.rollback()
    return int(status.split()[-1]), t.seconds


async def started(infra: Infra, name: str, clock: ManualClock) -> Ledger:
    # As the service runs: migrated by the owner, running as the runtime role.
    database = await infra.create_service_database(name, recreate=True)
    settings = LedgerSettings(**database.settings(), kafka_bootstrap=infra.kafka_bootstrap,
                              run_background=False, sweep_enabled=False, sweep_batch_size=500,
                              sweep_workers=3)
    ledger = bootstrap(settings, clock)
    await ledger.start(sweep=False)
    return ledger


async def sweep_case(suite: Suite, infra: Infra, size: int) -> None:
    ledger = await started(infra, f"bench_ledger_{size}", ManualClock(NOW))
    try:
        seconds = await seed(ledger, size)
        suite.notes.append(f"seeded {size:,} debts/invoices in {seconds:.0f}s")
        # As the owner: the runtime role the ledger runs as may not vacuum (PostgreSQL would
        # only warn and skip the table).
        owner_dsn = ledger.runtime.settings.migration_database_url
        assert owner_dsn is not None
        owner = await asyncpg.connect(owner_dsn)
        try:
            await owner.execute("VACUUM ANALYZE ledger_debts")
        finally:
            await owner.close()
        rows, seconds = await raw_queue_update(ledger)
        suite.add(f"{SWEEP} {size:,}", "raw SQL UPDATE of queue", rows, seconds, "rows/s")
        with Timer() as t:
            report = await ledger.sweeper.sweep()
        assert report.milestones == size, report
        suite.add(f"{SWEEP} {size:,}", "ledger sweep", report.milestones, t.seconds,
                  "milestones/s")
    finally:
        await ledger.stop()


async def payment_case(suite: Suite, infra: Infra) -> None:
    ledger = await started(infra, "bench_ledger_payments", ManualClock(NOW))
    try:
        await seed(ledger, PAYMENTS)
        store, meta = ledger.runtime.store, Metadata(tenant="bench", producer="ledger")
        payload: dict[str, Any] = {
            "debt_id": "d00000000", "payment_id": "p", "occurred_at": NOW.isoformat(),
            "amount": {"amount": 2_500, "currency": "USD"}, "credit": {"amount": 0,
                                                                       "currency": "USD"},
            "allocations": [{"invoice_id": "INV-1", "component": "principal",
                             "amount": {"amount": 2_500, "currency": "USD"}}],
            "settlement_id": None}
        with Timer() as t:
            for _ in range(PAYMENTS):
                await store.append(f"raw-{new_id()}", 0, [NewEvent("ledger.PaymentApplied",
                                                                   payload)], meta)
        suite.add("payment application", "raw event append", PAYMENTS, t.seconds, "payments/s")
        with Timer() as t:
            for n in range(PAYMENTS):
                await ledger.bus.handle(ApplyPayment(
                    tenant="bench", debt_id=f"d{n:08d}", payment_id=f"pay-{n}",
                    amount=Money(2_500, "USD"), received_at=NOW))
        suite.add("payment application", "ledger bus (1 per txn)", PAYMENTS, t.seconds,
                  "payments/s")
    finally:
        await ledger.stop()


async def run(infra: Infra) -> Suite:
    suite = Suite("ledger")
    await payment_case(suite, infra)
    for size in SIZES:
        await sweep_case(suite, infra, size)
    small, large = (f"{SWEEP} {size:,}" for size in SIZES)
    per_small = 1 / suite.rate(small, "ledger sweep")
    per_large = 1 / suite.rate(large, "ledger sweep")
    suite.ratios["sweep cost per invoice, 1M / 100k (1.0 = linear)"] = round(
        per_large / per_small, 2)
    suite.targets["sweep cost per invoice, 1M / 100k (1.0 = linear)"] = "<= 1.2"
    seconds = next(r.seconds for r in suite.rows if r.case == large and r.subject == "ledger sweep")
    suite.notes.append(f"1M-invoice sweep took {seconds:.0f}s (target < 300s): "
                       f"{'met' if seconds < 300 else 'MISSED'}")
    suite.ratio("sweep vs raw UPDATE (100k)", (small, "ledger sweep"),
                (small, "raw SQL UPDATE of queue"))
    suite.ratio("payments: bus vs raw append", ("payment application", "ledger bus (1 per txn)"),
                ("payment application", "raw event append"))
    return suite


if __name__ == "__main__":  # pragma: no cover - `python -m bench.run ledger` is the entry
    raise SystemExit(asyncio.run(run(Infra.from_environment())) and 0)
