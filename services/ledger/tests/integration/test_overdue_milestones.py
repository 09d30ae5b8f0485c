"""Overdue milestones on the real PostgreSQL and broker: exactly once per invoice and
milestone, across restarts and concurrent sweepers, derived from ledger state."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from goodfaith_events.codec import decode
from goodfaith_events.contracts import Topics
from goodfaith_runtime.kafka import ensure_topics, make_producer
from goodfaith_runtime.outbox import OutboxRelay
from ledger.bootstrap import bootstrap

from .conftest import Api, serve, settings_for

pytestmark = pytest.mark.integration

MILESTONE = "ledger.InvoiceOverdueMilestoneReached"


def at(day: str, hour: int = 18) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


async def milestones(pool, debt_id: str | None = None) -> list[tuple[str, int]]:
    rows = await pool.fetch(
        "SELECT payload->>'invoice_id' AS inv, (payload->>'milestone_days')::int AS days "
        "FROM events WHERE type = $1 AND ($2::text IS NULL OR payload->>'debt_id' = $2) "
        "ORDER BY global_position", MILESTONE, debt_id)
    return [(r["inv"], r["days"]) for r in rows]


async def published(infra, topic: str, debt_ids: set[str], expected: int) -> list:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=infra.kafka_bootstrap,
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                group_id=None)
    await consumer.start()
    found: list = []
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while len(found) < expected and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                for record in records:
                    message = decode(record.value, record.headers)
                    if message.payload.get("debt_id") in debt_ids:
                        found.append((record, message))
    finally:
        await consumer.stop()
    return found


async def relay(ledger, infra) -> int:
    await ensure_topics(infra.kafka_bootstrap, [Topics.INVOICE_OVERDUE, Topics.DISPUTE_RAISED],
                        partitions=3)
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="ledger-test")
    await producer.start()
    try:
        relay = OutboxRelay(ledger.runtime.pool, producer, service="ledger")
        total = 0
        while sent := await relay.publish_pending():
            total += sent
        return total
    finally:
        await producer.stop()


async def test_each_due_milestone_is_recorded_once_and_invoice_overdue_reaches_kafka(
    api: Api, ledger, clock, infra,
) -> None:
    debt_id = await api.debt()
    await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
    # 2 June 18:00 UTC is 11:00 in Los Angeles: 32 days past due, so milestones 1 and 30.
    first = await ledger.sweeper.sweep()
    again = await ledger.sweeper.sweep()
    assert (first.milestones, again.milestones) == (2, 0)
    assert await milestones(ledger.runtime.pool, debt_id) == [("INV-1", 1), ("INV-1", 30)]

    assert await relay(ledger, infra) >= 2
    arrived = await published(infra, Topics.INVOICE_OVERDUE, {debt_id}, 2)
    assert [m.payload["milestone_days"] for _, m in arrived] == [1, 30]
    record, message = arrived[1]
    assert message.envelope.type == "ledger.InvoiceOverdue" and message.envelope.tenant == "acme"
    assert record.key == debt_id.encode()
    assert message.payload["outstanding"] == {"amount_minor": 10_000, "currency": "USD"}
    assert message.payload["days_past_due"] == 32
    invoice = (await api.ok("GET", f"/v1/debts/{debt_id}"))["invoices"][0]
    assert invoice["milestones_reached"] == [1, 30] and invoice["next_milestone_days"] == 60


async def test_today_is_the_debtors_calendar_day_not_utc(api: Api, ledger, clock) -> None:
    debt_id = await api.debt(time_zone="America/Los_Angeles")
    await api.invoice(debt_id, "2025-06-01", 10_000, "INV-1")
    clock.set(at("2025-06-02", hour=6))  # 23:00 on 1 June in Los Angeles: still the due date
    assert (await ledger.sweeper.sweep()).milestones == 0
    clock.set(at("2025-06-02", hour=7) + timedelta(minutes=1))  # 00:01 on 2 June there
    assert (await ledger.sweeper.sweep()).milestones == 1


async def test_a_zone_ahead_of_utc_reaches_its_milestone_before_the_utc_date_does(
    api: Api, ledger, clock,
) -> None:
    debt_id = await api.debt(time_zone="Pacific/Kiritimati")  # UTC+14
    await api.invoice(debt_id, "2025-06-01", 10_000, "INV-1")
    clock.set(at("2025-06-01", hour=10) + timedelta(minutes=1))  # 00:01 on 2 June there
    assert (await ledger.sweeper.sweep()).milestones == 1
    assert await milestones(ledger.runtime.pool, debt_id) == [("INV-1", 1)]


async def test_a_restart_re_derives_the_queue_and_emits_only_new_milestones(
    database, infra, clock,
) -> None:
    settings = settings_for(database, infra)
    async with serve(settings, clock) as (base, ledger), httpx.AsyncClient(base_url=base) as c:
        api = Api(c)
        debt_id = await api.debt()
        await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
        assert (await ledger.sweeper.sweep()).milestones == 2
    clock.advance(timedelta(days=30))  # 62 days past due
    async with serve(settings, clock) as (_, ledger):
        assert (await ledger.sweeper.sweep()).milestones == 1
        assert (await ledger.sweeper.sweep()).milestones == 0
        assert await milestones(ledger.runtime.pool, debt_id) == [
            ("INV-1", 1), ("INV-1", 30), ("INV-1", 60)]
        assert (await ledger.runtime.store.verify()).ok


async def test_two_sweeper_instances_racing_emit_exactly_one_event_per_milestone(
    api: Api, ledger, database, infra, clock,
) -> None:
    debtor = await api.debtor()
    debts = [await api.debt(debtor) for _ in range(30)]
    for n, debt_id in enumerate(debts):
        await api.invoice(debt_id, "2025-03-01", 1_000 + n, "A")
        await api.invoice(debt_id, "2025-05-01", 1_000 + n, "B")
    # A is 93 days late (1, 30, 60, 90), B 32 (1, 30): 6 per debt.
    other = bootstrap(settings_for(database, infra, sweep_batch_size=3, sweep_workers=3), clock)
    await other.start(sweep=False)
    ledger.sweeper._batch_size = 4
    try:
        reports = await asyncio.gather(ledger.sweeper.sweep(), other.sweeper.sweep(),
                                       ledger.sweeper.sweep(), other.sweeper.sweep())
        while (await ledger.sweeper.sweep()).milestones:
            pass
    finally:
        await other.stop()
    recorded = await milestones(ledger.runtime.pool)
    per_debt = Counter(
        r["debt"] for r in await ledger.runtime.pool.fetch(
            "SELECT payload->>'debt_id' AS debt FROM events WHERE type = $1", MILESTONE))
    assert len(recorded) == 30 * 6
    assert set(per_debt.values()) == {6}
    assert sum(r.milestones for r in reports) <= 30 * 6
    assert all(r.milestones > 0 for r in reports[:2])  # both instances did real work
    public = await ledger.runtime.pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'ledger.InvoiceOverdue'")
    assert public == 30 * 6
    assert (await ledger.runtime.store.verify()).ok


async def test_a_payment_moving_the_earliest_unpaid_invoice_skips_no_milestone(
    api: Api, ledger, clock,
) -> None:
    debt_id = await api.debt()
    await api.invoice(debt_id, "2025-05-01", 10_000, "A")
    await api.invoice(debt_id, "2025-05-20", 10_000, "B")
    clock.set(at("2025-05-02"))
    assert (await ledger.sweeper.sweep()).milestones == 1  # A:1
    await api.pay(debt_id, "pay-1", 10_000)  # oldest first: A is paid, B is the earliest unpaid
    clock.set(at("2025-06-01"))
    assert (await ledger.sweeper.sweep()).milestones == 1  # B:1 only; A is paid
    # A partial payment on B leaves it unpaid: it keeps its own milestones.
    await api.pay(debt_id, "pay-2", 4_000)
    clock.set(at("2025-06-20"))
    assert (await ledger.sweeper.sweep()).milestones == 1  # B:30
    # The chargeback of pay-1 makes A the earliest unpaid invoice again, 50 days late:
    # its 30-day milestone, reached while it was paid, is caught up, once.
    reversal = await api.ok("POST", f"/v1/debts/{debt_id}/payments/pay-1/reversal",
                            {"reason": "chargeback"})
    assert reversal["total"] == 16_000
    assert (await ledger.sweeper.sweep()).milestones == 1
    assert (await ledger.sweeper.sweep()).milestones == 0
    assert await milestones(ledger.runtime.pool, debt_id) == [
        ("A", 1), ("B", 1), ("B", 30), ("A", 30)]
    late = await ledger.runtime.pool.fetchval(
        "SELECT (payload->>'days_past_due')::int FROM events WHERE type = $1 "
        "ORDER BY global_position DESC LIMIT 1", MILESTONE)
    assert late == 50


async def test_configured_milestones_replace_the_defaults(database, infra, clock) -> None:
    settings = settings_for(database, infra, milestone_days=(10, 45))
    async with serve(settings, clock) as (base, ledger), httpx.AsyncClient(base_url=base) as c:
        debt_id = await Api(c).debt()
        await Api(c).invoice(debt_id, "2025-05-01", 10_000, "INV-1")
        assert (await ledger.sweeper.sweep()).milestones == 1
        assert await milestones(ledger.runtime.pool, debt_id) == [("INV-1", 10)]


async def test_a_paid_off_or_written_off_debt_leaves_the_queue(api: Api, ledger) -> None:
    paid, written = await api.debt(), await api.debt()
    for debt_id in (paid, written):
        await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
    await api.pay(paid, "p", 10_000)
    await api.ok("POST", f"/v1/debts/{written}/write-off", {"reason": "uncollectible"})
    assert (await ledger.sweeper.sweep()).milestones == 0
    queued = await ledger.runtime.pool.fetchval(
        "SELECT count(*) FROM ledger_debts WHERE next_milestone_at IS NOT NULL")
    assert queued == 0
