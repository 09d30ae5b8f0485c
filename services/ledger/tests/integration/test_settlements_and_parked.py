"""Scheduled settlement breaks and parked-payment retries on the real PostgreSQL, driven by
the manual clock: each settlement broken exactly once across racing instances, and a parked
payment applied exactly once however often it is retried."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from goodfaith_events.ids import new_id
from ledger.adapters.parked import park_payment
from ledger.bootstrap import bootstrap
from ledger.domain.commands import OpenDebt
from ledger.domain.debt_events import DebtPurpose, DebtType

from .conftest import NOW, Api, settings_for

pytestmark = pytest.mark.integration


def usd(cents: int) -> dict[str, object]:
    return {"amount_minor": cents, "currency": "USD"}


async def count(ledger, kind: str, debt_id: str | None = None) -> int:
    return int(await ledger.runtime.pool.fetchval(
        "SELECT count(*) FROM events WHERE type = $1 AND ($2::text IS NULL "
        "OR payload->>'debt_id' = $2)", kind, debt_id))


async def settle(api: Api, deadline: datetime) -> str:
    debt_id = await api.debt()
    await api.invoice(debt_id, "2025-05-01", 10_000)
    await api.ok("POST", f"/v1/debts/{debt_id}/settlements", {
        "amount": usd(6_000), "deadline": deadline.isoformat()})
    return debt_id


async def test_settlements_past_their_deadline_are_broken_once_by_racing_sweepers(
    api: Api, ledger, database, infra, clock,
) -> None:
    deadline = NOW + timedelta(days=3)
    debts = [await settle(api, deadline) for _ in range(12)]
    completed = await settle(api, deadline)
    await api.pay(completed, "s-1", 6_000)  # completed before the deadline: never broken
    later = await settle(api, deadline + timedelta(days=30))
    assert await ledger.settlement_sweeper.sweep() == 0  # nothing is due yet

    clock.set(deadline + timedelta(seconds=1))
    other = bootstrap(settings_for(database, infra, sweep_batch_size=2), clock)
    await other.start(sweep=False)
    try:
        results = await asyncio.gather(
            ledger.settlement_sweeper.sweep(), other.settlement_sweeper.sweep(),
            ledger.settlement_sweeper.sweep(), other.settlement_sweeper.sweep())
    finally:
        await other.stop()
    assert sum(results) == 12
    assert await ledger.settlement_sweeper.sweep() == 0
    assert await count(ledger, "ledger.SettlementBroken") == 12
    for debt_id in debts:
        debt = await api.ok("GET", f"/v1/debts/{debt_id}")
        assert (debt["settlement"], debt["status"], debt["total"]) == (None, "open", 10_000)
    assert (await api.ok("GET", f"/v1/debts/{later}"))["settlement"] is not None
    assert (await api.ok("GET", f"/v1/debts/{completed}"))["status"] == "settled"
    # After the break the debt may settle again, with a new deadline.
    again = await api.ok("POST", f"/v1/debts/{debts[0]}/settlements", {
        "amount": usd(5_000), "deadline": (deadline + timedelta(days=10)).isoformat()})
    assert again["settlement"]["amount_minor"] == 5_000
    assert (await ledger.runtime.store.verify()).ok


async def park(ledger, tenant: str, payment_id: str, debt_id: str, debtor_id: str,
               cents: int) -> None:
    async with ledger.runtime.pool.acquire() as conn:
        await park_payment(
            conn, tenant=tenant, payment_id=payment_id, debt_id=debt_id, debtor_id=debtor_id,
            amount_minor=cents, currency="USD",
            received_at=datetime(2025, 6, 1, 12, tzinfo=UTC), reason="UnknownDebt",
            detail=f"debt {debt_id} does not exist", event_id=new_id(), parked_at=NOW)


async def test_a_parked_payment_is_retried_until_it_applies_and_never_applies_twice(
    api: Api, ledger,
) -> None:
    debtor_id = await api.debtor()
    await park(ledger, "acme", "pay-9", "debt-from-import", debtor_id, 2_500)
    retry = "/v1/parked-payments/pay-9/retry"
    still = await api.ok("POST", retry)
    assert (still["status"], still["reason"], still["attempts"]) == ("open", "UnknownDebt", 2)

    # The cause is fixed: the debt the payment names now exists (e.g. a late import).
    await ledger.bus.handle(OpenDebt(
        tenant="acme", debt_id="debt-from-import", debtor_id=debtor_id,
        original_creditor="Acme Bank", account_last4="4242", debt_type=DebtType.CREDIT_CARD,
        purpose=DebtPurpose.CONSUMER, currency="USD"))
    await api.invoice("debt-from-import", "2025-05-01", 10_000, "INV-1")
    results = await asyncio.gather(*(api.post(retry, None) for _ in range(4)))
    assert {r.status_code for r in results} == {200}
    resolved = await api.ok("POST", retry)
    assert resolved["status"] == "resolved" and resolved["resolved_at"] is not None
    assert await count(ledger, "ledger.PaymentApplied", "debt-from-import") == 1
    balance = await api.ok("GET", "/v1/debts/debt-from-import/balance")
    assert balance["total"] == 7_500

    assert [p["payment_id"] for p in
            (await api.ok("GET", "/v1/parked-payments", status="open"))["items"]] == []
    assert [p["payment_id"] for p in
            (await api.ok("GET", "/v1/parked-payments", status="resolved"))["items"]] == ["pay-9"]
    bad = await api.get("/v1/parked-payments", status="lost")
    assert bad.status_code == 422
    them = api.as_tenant("globex")
    assert (await them.post(retry, None)).status_code == 404
    assert (await them.ok("GET", "/v1/parked-payments"))["items"] == []


async def test_a_retry_of_a_payment_applied_meanwhile_resolves_without_applying_again(
    api: Api, ledger,
) -> None:
    debtor_id = await api.debtor()
    debt_id = await api.debt(debtor_id)
    await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
    await park(ledger, "acme", "pay-7", debt_id, debtor_id, 2_500)
    await api.pay(debt_id, "pay-7", 2_500)  # the same payment arrived another way
    assert (await api.ok("POST", "/v1/parked-payments/pay-7/retry"))["status"] == "resolved"
    assert await count(ledger, "ledger.PaymentApplied", debt_id) == 1
    # A payment that still cannot apply reports the reason of this attempt.
    await park(ledger, "acme", "pay-8", debt_id, "someone-else", 1_000)
    answer = await api.ok("POST", "/v1/parked-payments/pay-8/retry")
    assert (answer["status"], answer["reason"]) == ("open", "DebtorMismatch")
