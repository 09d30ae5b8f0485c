"""Corrections through real HTTP on the real PostgreSQL: debt details, invoice due dates and
amounts, credit refunds. Each moves the read models (overdue queue, limitation status)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from .conftest import Api

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


def usd(cents: int) -> dict[str, object]:
    return {"amount_minor": cents, "currency": "USD"}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


async def problem(response, status: int, kind: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith(kind), response.json()


async def events_of(ledger, debt_id: str, kind: str) -> list[dict]:
    rows = await ledger.runtime.pool.fetch(
        "SELECT payload FROM events WHERE type = $1 AND payload->>'debt_id' = $2 "
        "ORDER BY global_position", kind, debt_id)
    return [dict(r["payload"]) for r in rows]


async def test_details_update_records_only_changes_and_moves_queue_and_limitation(
    api: Api, ledger, clock,
) -> None:
    debt_id = await api.debt(governing_state=None, time_zone="America/Los_Angeles")
    debt = await api.invoice(debt_id, "2025-06-01", 10_000, "INV-1")
    # Midnight of 2 June in Los Angeles (UTC-7): the first late day starts.
    assert utc(debt["next_milestone_at"]) == datetime(2025, 6, 2, 7, tzinfo=UTC)
    limitation = f"/v1/debts/{debt_id}/limitation"
    assert (await api.ok("GET", limitation, as_of="2025-06-01"))["time_barred"] == "unknown"

    updated = await api.ok("PATCH", f"/v1/debts/{debt_id}", {
        "governing_state": "CA", "time_zone": "Pacific/Kiritimati",
        "charge_off_date": "2019-01-01", "original_creditor": "Acme Bank",
        "reason": "creditor file correction"})
    assert (updated["governing_state"], updated["time_zone"], updated["charge_off_date"]) == (
        "CA", "Pacific/Kiritimati", "2019-01-01")
    # Kiritimati is UTC+14: 2 June starts there at 10:00 UTC on 1 June.
    assert utc(updated["next_milestone_at"]) == datetime(2025, 6, 1, 10, tzinfo=UTC)
    assert utc(updated["invoices"][0]["next_milestone_at"]) == datetime(2025, 6, 1, 10,
                                                                       tzinfo=UTC)
    assert (await api.ok("GET", limitation, as_of="2025-06-01"))["time_barred"] is True
    (stored,) = await events_of(ledger, debt_id, "ledger.DebtDetailsUpdated")
    # The unchanged creditor is not recorded; the others are, and nothing else is.
    assert stored["changed"] == ["charge_off_date", "governing_state", "time_zone"]
    assert set(stored) == {"occurred_at", "debt_id", "reason", "changed", "charge_off_date",
                           "governing_state", "time_zone"}

    clock.set(datetime(2025, 6, 1, 10, 1, tzinfo=UTC))
    assert (await ledger.sweeper.sweep()).milestones == 1  # already 2 June for the debtor

    cleared = await api.ok("PATCH", f"/v1/debts/{debt_id}", {
        "charge_off_date": None, "reason": "date entered in error"})
    assert cleared["charge_off_date"] is None
    assert (await api.ok("GET", limitation, as_of="2025-06-01"))["time_barred"] == "unknown"
    same = await api.ok("PATCH", f"/v1/debts/{debt_id}", {"governing_state": "CA",
                                                           "reason": "no change"})
    assert same["version"] == cleared["version"]
    timeline = (await api.ok("GET", f"/v1/debts/{debt_id}/timeline"))["items"]
    assert "Details updated: charge_off_date" in [e["summary"] for e in timeline]


async def test_details_that_history_depends_on_are_refused_without_writing(
    api: Api, ledger,
) -> None:
    debt_id = await api.debt()
    before = await ledger.runtime.pool.fetchval("SELECT count(*) FROM events")
    path = f"/v1/debts/{debt_id}"
    await problem(await api.client.patch(path, json={"currency": "EUR", "reason": "x"},
                                         headers=api.headers()), 422, "validation")
    await problem(await api.client.patch(path, json={"purpose": "business", "reason": "x"},
                                         headers=api.headers()), 422, "detail-change-refused")
    await problem(await api.client.patch(path, json={"time_zone": "Mars/Base", "reason": "x"},
                                         headers=api.headers()), 422, "invalid-time-zone")
    await problem(await api.client.patch(path, json={"governing_state": "NY"},
                                         headers=api.headers()), 422, "validation")
    other = api.as_tenant("globex")
    await problem(await other.client.patch(path, json={"governing_state": "NY", "reason": "x"},
                                           headers=other.headers()), 404, "unknown-debt")
    assert await ledger.runtime.pool.fetchval("SELECT count(*) FROM events") == before


async def test_a_hardship_extension_moves_the_queue_and_re_emits_no_milestone(
    api: Api, ledger, clock,
) -> None:
    debt_id = await api.debt()  # Los Angeles
    await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
    assert (await ledger.sweeper.sweep()).milestones == 2  # 2 June: 1 and 30 days late
    path = f"/v1/debts/{debt_id}/invoices/INV-1/due-date"
    debt = await api.ok("PUT", path, {"due_on": "2025-06-15", "reason": "hardship extension"})
    (invoice,) = debt["invoices"]
    assert (invoice["due_on"], invoice["milestones_reached"]) == ("2025-06-15", [1, 30])
    # The next one not yet reached is 60, counted from the new due date: 14 August.
    assert invoice["next_milestone_days"] == 60
    assert utc(invoice["next_milestone_at"]) == datetime(2025, 8, 14, 7, tzinfo=UTC)
    again = await api.ok("PUT", path, {"due_on": "2025-06-15", "reason": "hardship extension"})
    assert again["version"] == debt["version"]  # the same date again records nothing

    clock.set(datetime(2025, 7, 20, 18, tzinfo=UTC))  # 35 days after the new due date
    assert (await ledger.sweeper.sweep()).milestones == 0
    clock.set(datetime(2025, 8, 14, 8, tzinfo=UTC))
    assert (await ledger.sweeper.sweep()).milestones == 1
    reached = [(p["milestone_days"], p["days_past_due"], p["due_date"]) for p in
               await events_of(ledger, debt_id, "ledger.InvoiceOverdueMilestoneReached")]
    assert reached == [(1, 32, "2025-05-01"), (30, 32, "2025-05-01"), (60, 60, "2025-06-15")]

    await problem(await api.client.put(path, json={"due_on": "2025-06-01", "reason": "x"},
                                       headers=api.headers()), 422, "invoice-change-refused")
    await problem(await api.client.put(f"/v1/debts/{debt_id}/invoices/NOPE/due-date",
                                       json={"due_on": "2025-09-01", "reason": "x"},
                                       headers=api.headers()), 404, "unknown-invoice")


async def test_a_credit_note_reduces_fees_interest_then_principal_never_below_paid(
    api: Api, ledger,
) -> None:
    debt_id = await api.debt()
    await api.invoice(debt_id, "2025-05-01", 9_000, "INV-1", interest=usd(600), fees=usd(400))
    await api.pay(debt_id, "p-1", 1_000)  # fees 400, interest 600
    path = f"/v1/debts/{debt_id}/invoices/INV-1/adjustments"
    note = {"change": usd(-1_500), "reason": "credit note CN-17"}
    first = await api.post(path, note, key="cn-17")
    assert first.status_code == 201, first.text
    (invoice,) = first.json()["invoices"]
    assert (invoice["invoiced"], invoice["principal"], invoice["outstanding"]) == (
        8_500, 7_500, 7_500)
    replay = await api.post(path, note, key="cn-17")  # a retried request changes nothing more
    assert replay.json() == first.json()
    assert len(await events_of(ledger, debt_id, "ledger.InvoiceAdjusted")) == 1

    await problem(await api.post(path, {"change": usd(-7_501), "reason": "x"}), 422,
                  "invoice-change-refused")
    up = await api.ok("POST", path, {"change": usd(250), "component": "fees",
                                     "reason": "late fee omitted"})
    assert (up["invoices"][0]["fees"], up["total"]) == (250, 7_750)
    await problem(await api.post(path, {"change": usd(0), "reason": "x"}), 422,
                  "invalid-amount")
    await problem(await api.post(path, {"change": {"amount_minor": -5, "currency": "EUR"},
                                        "reason": "x"}), 422, "currency-mismatch")


async def test_an_overpayment_is_refunded_even_after_the_debt_is_paid_off(
    api: Api, ledger,
) -> None:
    debtor_id = await api.debtor()
    debt_id = await api.debt(debtor_id)
    await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
    paid = await api.pay(debt_id, "p-1", 12_000)
    assert (paid["status"], paid["credit"]) == ("paid_off", 2_000)
    path = f"/v1/debts/{debt_id}/credit-refunds"
    body = {"refund_id": "rf-1", "amount": usd(1_500), "reason": "overpayment by ACH"}
    refunded = await api.ok("POST", path, body)
    assert refunded["credit"] == 500
    assert (await api.ok("POST", path, body))["credit"] == 500  # same refund id: once
    await problem(await api.post(path, {**body, "amount": usd(100)}), 409, "refund-id-conflict")
    await problem(await api.post(path, {"amount": usd(501), "reason": "x"}), 422,
                  "insufficient-credit")
    last = await api.ok("POST", path, {"amount": usd(500), "reason": "rest"})
    assert (last["credit"], last["status"]) == (0, "paid_off")
    totals = await api.ok("GET", f"/v1/debtors/{debtor_id}/totals")
    assert totals["totals"][0]["credit"] == 0
    assert len(await events_of(ledger, debt_id, "ledger.CreditRefunded")) == 2
