"""Gaps a review found in the retention hold (2026-12-08), each reproduced here first: money
parked for the debtor is collection activity, a debt still placed with an agency is being
collected whatever its status, an erased debtor's debts take no new collection, and an
activity instant near year 9999 holds the erasure instead of crashing it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ledger.adapters.contact_attempts import record_attempt

from .conftest import NOW, Api, serve_with_consumers
from .test_erasure_retention import debtor_with_paid_debt, erase
from .test_payment_consumer import payment, send, until

pytestmark = pytest.mark.integration

THREE_YEARS = NOW.replace(year=NOW.year + 3)


async def _parked(api: Api) -> bool:
    return bool((await api.ok("GET", "/v1/parked-payments"))["items"])


async def test_a_payment_parked_on_a_written_off_debt_holds_the_erasure(
    database, infra, clock,
) -> None:
    async with serve_with_consumers(database, infra, clock) as (api, ledger):
        tenant = api.tenant
        debtor = await api.debtor()
        debt = await api.debt(debtor)
        await api.invoice(debt, "2025-05-01", 10_000, "INV-1")
        await api.ok("POST", f"/v1/debts/{debt}/write-off", {"reason": "uncollectible"})
        paid_at = THREE_YEARS - timedelta(days=30)
        clock.set(paid_at)
        late = payment(tenant, debt, "pay-late", 1_000, debtor_id=debtor)
        late.payload["received_at"] = paid_at.isoformat()
        await until(ledger.runtime.kafka_ready)
        await send(infra, [late])
        await until(lambda: _parked(api))
        clock.set(THREE_YEARS + timedelta(seconds=1))
        held = await erase(api, debtor)
        assert held.status_code == 409, held.text
        assert held.json()["unresolved_payment_ids"] == ["pay-late"]
        # Refunded by hand (resolved), the money still counts as activity when it came in.
        await ledger.runtime.pool.execute(
            "UPDATE ledger_parked_payments SET status = 'resolved', resolved_at = $2 "
            "WHERE payment_id = $1", "pay-late", clock.now())
        later = await erase(api, debtor)
        assert later.status_code == 409, later.text
        keep_until = datetime.fromisoformat(later.json()["keep_until"])
        assert keep_until == paid_at.replace(year=paid_at.year + 3)


async def test_a_payment_naming_a_debtor_without_debts_holds_the_erasure(
    database, infra, clock,
) -> None:
    async with serve_with_consumers(database, infra, clock) as (api, ledger):
        tenant = api.tenant
        debtor = await api.debtor()
        await until(ledger.runtime.kafka_ready)
        await send(infra, [payment(tenant, "debt-not-loaded-yet", "pay-1", 1_000,
                                   debtor_id=debtor)])
        await until(lambda: _parked(api))
        held = await erase(api, debtor)
        assert held.status_code == 409, held.text
        assert held.json()["unresolved_payment_ids"] == ["pay-1"]


async def test_a_written_off_debt_still_placed_with_an_agency_holds_the_erasure(
    api: Api, clock,
) -> None:
    debtor = await api.debtor()
    debt = await api.debt(debtor)
    await api.invoice(debt, "2025-05-01", 10_000, "INV-1")
    await api.ok("POST", f"/v1/debts/{debt}/placement", {"agency_id": "agency-northwind"})
    written = await api.ok("POST", f"/v1/debts/{debt}/write-off", {"reason": "uncollectible"})
    assert written["placed_with"] == "agency-northwind"
    clock.set(THREE_YEARS + timedelta(days=1))
    held = await erase(api, debtor)
    assert held.status_code == 409, held.text
    assert held.json()["open_debt_ids"] == [debt]
    # Recalled, the debt's placement ends (an event: the 3 years start again from it).
    await api.ok("POST", f"/v1/debts/{debt}/placement/recall", {"reason": "returned"})
    assert (await erase(api, debtor)).status_code == 409
    clock.set(clock.now().replace(year=clock.now().year + 3))
    assert (await erase(api, debtor)).status_code == 200


async def test_an_erased_debtors_debt_takes_no_new_collection(api: Api, clock) -> None:
    debtor, debt = await debtor_with_paid_debt(api)
    clock.set(THREE_YEARS + timedelta(days=1))
    assert (await erase(api, debtor)).status_code == 200
    for path, body in (
        (f"/v1/debts/{debt}/payments/pay-1/reversal", {"reason": "chargeback"}),
        (f"/v1/debts/{debt}/invoices", {"invoice_id": "INV-9", "issued_on": "2028-06-01",
                                        "due_on": "2028-07-01",
                                        "principal": {"amount_minor": 5_000,
                                                      "currency": "USD"}}),
    ):
        refused = await api.post(path, body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith("/debtor-already-erased")
    view = await api.ok("GET", f"/v1/debts/{debt}")
    assert view["status"] == "paid_off"


async def test_an_activity_near_year_9999_holds_the_erasure_for_good(api: Api, ledger) -> None:
    debtor, debt = await debtor_with_paid_debt(api)
    async with ledger.runtime.pool.acquire() as conn:
        await record_attempt(conn, tenant=api.tenant, debtor_id=debtor, debt_ids=[debt],
                             at=datetime(9998, 1, 1, tzinfo=UTC))
    held = await erase(api, debtor)
    assert held.status_code == 409, held.text
    assert held.json()["keep_until"].startswith("9999-12-31")
