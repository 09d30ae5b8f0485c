"""PaymentReceived from Kafka into the ledger: applied once, or parked with its reason."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from goodfaith_events.contracts import Topics
from goodfaith_events.envelope import Envelope, EventMessage
from goodfaith_events.ids import new_id
from goodfaith_runtime.testing import publish

from .conftest import serve_with_consumers

pytestmark = pytest.mark.integration


def payment(tenant: str, debt_id: str, payment_id: str, cents: int, *, currency: str = "USD",
            debtor_id: str = "anyone", event_id: uuid.UUID | None = None) -> EventMessage:
    envelope = Envelope(
        event_id=event_id or new_id(), type="payments.PaymentReceived", schema_version=1,
        stream_id=f"payments/{payment_id}", stream_version=1,
        occurred_at=datetime(2025, 6, 1, 12, tzinfo=UTC), tenant=tenant, producer="payments")
    body: dict[str, Any] = {
        "payment_id": payment_id, "debtor_id": debtor_id, "debt_id": debt_id,
        "amount": {"amount_minor": cents, "currency": currency},
        "received_at": "2025-06-01T12:00:00+00:00", "method": "card", "processor": "stripe",
        "processor_reference": f"ch_{payment_id}"}
    return EventMessage(envelope=envelope, payload=body)


async def send(infra, messages: list[EventMessage]) -> None:
    await publish(infra.kafka_bootstrap, Topics.PAYMENT_RECEIVED,
                  [(m, m.payload["debt_id"]) for m in messages])


async def until(check, timeout: float = 30.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if result := await check():
            return result
        await asyncio.sleep(0.2)
    raise AssertionError("condition not met in time")


async def test_payments_from_kafka_are_applied_once_and_bad_ones_are_parked(
    database, infra, clock,
) -> None:
    async with serve_with_consumers(database, infra, clock) as (api, ledger):
        tenant = api.tenant
        debtor = await api.debtor()
        debt_id = await api.debt(debtor)
        await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
        closed = await api.debt(debtor)
        await api.invoice(closed, "2025-05-01", 500, "INV-1")
        await api.ok("POST", f"/v1/debts/{closed}/write-off", {"reason": "uncollectible"})
        good = payment(tenant, debt_id, "pay-1", 2_500, debtor_id=debtor)
        await until(ledger.runtime.kafka_ready)
        await send(infra, [
            good, good,  # a redelivery of the very same message
            payment(tenant, debt_id, "pay-1", 2_500, debtor_id=debtor),  # same payment again
            payment(tenant, "no-such-debt", "pay-2", 1_000),
            payment(tenant, debt_id, "pay-3", 1_000, currency="EUR", debtor_id=debtor),
            payment(tenant, debt_id, "pay-4", 1_000, debtor_id="someone-else"),
            payment(tenant, closed, "pay-5", 1_000, debtor_id=debtor),
            payment(tenant, debt_id, "pay-6", -5, debtor_id=debtor),
        ])

        async def parked() -> Any:
            page = await api.ok("GET", "/v1/parked-payments")
            return page if len(page["items"]) == 5 else None

        page = await until(parked)
        reasons = {p["payment_id"]: p["reason"] for p in page["items"]}
        assert reasons == {"pay-2": "UnknownDebt", "pay-3": "CurrencyMismatch",
                           "pay-4": "DebtorMismatch", "pay-5": "DebtClosed",
                           "pay-6": "InvalidAmount"}
        balance = await api.ok("GET", f"/v1/debts/{debt_id}/balance")
        assert balance["total"] == 7_500 and balance["credit"] == 0
        applied = await ledger.runtime.pool.fetchval(
            "SELECT count(*) FROM events WHERE type = 'ledger.PaymentApplied'")
        assert applied == 1
        event = await ledger.runtime.pool.fetchrow(
            "SELECT metadata FROM events WHERE type = 'ledger.PaymentApplied'")
        assert event["metadata"]["causation_id"] == str(good.envelope.event_id)
        dead = await ledger.runtime.pool.fetchval("SELECT count(*) FROM dead_letters")
        assert dead == 0
        # Another tenant sees none of it.
        other = await api.as_tenant("someone-else").ok("GET", "/v1/parked-payments")
        assert other["items"] == []
