"""A debt's life across real processes: the ledger notices an overdue invoice and publishes
InvoiceOverdue once per milestone, applies a PaymentReceived from Kafka, and publishes a
written dispute."""

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from goodfaith_events import Envelope, EventMessage, new_id
from goodfaith_events.codec import encode
from goodfaith_events.contracts import Topics

pytestmark = pytest.mark.integration


async def open_overdue_debt(ledger: str, headers: dict, days_overdue: int) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=ledger, headers=headers, timeout=10) as client:
        debtor = await client.post("/v1/debtors", json={
            "given_name": "Jane", "family_name": "Roe", "language": "en-US", "country": "US",
            "region": "CA"})
        assert debtor.status_code == 201, debtor.text
        debtor_id = debtor.json()["debtor_id"]
        debt = await client.post("/v1/debts", json={
            "debtor_id": debtor_id, "original_creditor": "Acme Bank", "account_last4": "4242",
            "debt_type": "credit_card", "purpose": "consumer", "currency": "USD",
            "governing_state": "CA", "time_zone": "America/Los_Angeles"})
        assert debt.status_code == 201, debt.text
        debt_id = debt.json()["debt_id"]
        due = (datetime.now(UTC) - timedelta(days=days_overdue)).date()
        invoice = await client.post(f"/v1/debts/{debt_id}/invoices", json={
            "invoice_id": "INV-1", "issued_on": str(due - timedelta(days=30)),
            "due_on": str(due), "principal": {"amount_minor": 50000, "currency": "USD"}})
        assert invoice.status_code == 201, invoice.text
    return debtor_id, debt_id


async def test_an_overdue_invoice_is_published_once_per_milestone(
    system, auth, read_topic,
) -> None:
    ledger = system.services["ledger"].url
    debtor_id, debt_id = await open_overdue_debt(ledger, auth("acme"), days_overdue=45)
    reader = read_topic(Topics.INVOICE_OVERDUE)
    found = await reader.wait_for(lambda m: m.payload["debt_id"] == debt_id, count=2)
    milestones = sorted(m.payload["milestone_days"] for _, m in found)
    assert milestones == [1, 30]
    record, message = found[0]
    assert message.envelope.type == "ledger.InvoiceOverdue" and message.envelope.tenant == "acme"
    assert record.key == debt_id.encode()
    assert message.payload["outstanding"] == {"amount_minor": 50000, "currency": "USD"}
    assert message.envelope.traceparent is not None
    # Nothing more arrives for this debt: each milestone exactly once.
    again = await reader.wait_for(lambda m: m.payload["debt_id"] == debt_id, count=3, timeout=4)
    assert len(again) == 2


async def test_a_payment_from_kafka_reduces_the_balance(system, infra, auth, read_topic) -> None:
    ledger = system.services["ledger"].url
    headers = auth("acme")
    debtor_id, debt_id = await open_overdue_debt(ledger, headers, days_overdue=3)
    payment = {"payment_id": f"pay-{new_id().hex[:12]}", "debtor_id": debtor_id,
               "debt_id": debt_id, "amount": {"amount_minor": 12000, "currency": "USD"},
               "received_at": datetime.now(UTC).isoformat(), "method": "card",
               "processor": "stripe", "processor_reference": "ch_123"}
    envelope = Envelope(type="payments.PaymentReceived", schema_version=1,
                        stream_id=f"payment-{payment['payment_id']}", stream_version=1,
                        occurred_at=datetime.now(UTC), tenant="acme", producer="payments")
    record = encode(EventMessage(envelope=envelope, payload=payment), partition_key=debt_id)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for _ in range(2):  # a redelivery must not apply twice
            await producer.send_and_wait(Topics.PAYMENT_RECEIVED, record.value, key=record.key,
                                         headers=record.headers)
    finally:
        await producer.stop()
    async with httpx.AsyncClient(base_url=ledger, headers=headers, timeout=10) as client:
        for _ in range(60):
            balance = (await client.get(f"/v1/debts/{debt_id}/balance")).json()
            if balance["total"] != 50000:
                break
            await asyncio.sleep(0.25)
    assert (balance["total"], balance["currency"]) == (38000, "USD")


async def test_a_written_dispute_is_published_for_compliance(system, auth, read_topic) -> None:
    ledger = system.services["ledger"].url
    headers = auth("acme")
    debtor_id, debt_id = await open_overdue_debt(ledger, headers, days_overdue=3)
    async with httpx.AsyncClient(base_url=ledger, headers=headers, timeout=10) as client:
        answer = await client.post(f"/v1/debts/{debt_id}/disputes", json={
            "written": True, "medium": "letter", "received_at": datetime.now(UTC).isoformat()})
        assert answer.status_code == 201, answer.text
    reader = read_topic(Topics.DISPUTE_RAISED)
    found = await reader.wait_for(lambda m: m.payload["debt_id"] == debt_id)
    assert found and found[0][1].payload["written"] is True
    assert found[0][1].payload["debtor_id"] == debtor_id
