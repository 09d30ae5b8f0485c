"""Debt endpoints over real HTTP: opening, invoices, allocation, reversals, disputes,
settlements, write-off, placement, queries."""

from __future__ import annotations

import pytest

from .conftest import Api
from .test_overdue_milestones import published, relay

pytestmark = pytest.mark.integration


def usd(cents: int) -> dict[str, object]:
    return {"amount_minor": cents, "currency": "USD"}


async def test_open_a_debt_with_itemization_and_read_it_back(api: Api) -> None:
    debtor_id = await api.debtor()
    body = {"debtor_id": debtor_id, "original_creditor": "Acme Bank", "account_last4": "0042",
            "debt_type": "medical", "purpose": "consumer", "currency": "USD",
            "governing_state": "NY", "time_zone": "America/New_York",
            "charge_off_date": "2024-11-30", "itemization": {
                "itemization_date": "2024-11-30", "principal": 100_000, "interest": 5_000,
                "fees": 2_500, "payments": 1_000, "credits": 0}}
    created = await api.ok("POST", "/v1/debts", body)
    debt = await api.ok("GET", f"/v1/debts/{created['debt_id']}")
    assert debt == created
    assert (debt["status"], debt["account_last4"], debt["debt_type"]) == ("open", "0042",
                                                                          "medical")
    assert debt["itemization"]["principal"] == {"amount": 100_000, "currency": "USD"}


async def test_instalment_schedule_issues_one_invoice_per_instalment(api: Api) -> None:
    debt_id = await api.debt()
    view = await api.ok("POST", f"/v1/debts/{debt_id}/instalment-schedules", {
        "schedule_id": "PLAN", "issued_on": "2025-03-01", "instalments": [
            {"due_on": "2025-04-01", "principal": usd(5_000)},
            {"due_on": "2025-05-01", "principal": usd(5_000), "fees": usd(100)}]})
    assert [(i["invoice_id"], i["instalment_number"], i["outstanding"])
            for i in view["invoices"]] == [("PLAN-1", 1, 5_000), ("PLAN-2", 2, 5_100)]
    assert view["total"] == 10_100


async def test_payments_go_to_the_oldest_invoice_fees_first_and_keep_overpayment_as_credit(
    api: Api,
) -> None:
    debt_id = await api.debt()
    await api.invoice(debt_id, "2025-05-01", 10_000, "NEW")
    await api.invoice(debt_id, "2025-04-01", 5_000, "OLD", fees=usd(500), interest=usd(200))
    balance = await api.pay(debt_id, "p1", 600)
    old = next(i for i in balance["invoices"] if i["invoice_id"] == "OLD")
    assert (old["fees"], old["interest"], old["principal"]) == (0, 100, 5_000)
    balance = await api.pay(debt_id, "p2", 20_000)
    assert (balance["total"], balance["credit"], balance["status"]) == (0, 4_900, "paid_off")
    restored = await api.ok("POST", f"/v1/debts/{debt_id}/payments/p2/reversal",
                            {"reason": "refund"})
    assert (restored["total"], restored["credit"], restored["status"]) == (15_100, 0, "open")
    again = await api.ok("POST", f"/v1/debts/{debt_id}/payments/p2/reversal",
                         {"reason": "refund"})
    assert again == restored


async def test_newest_first_allocation_can_be_chosen_per_payment(api: Api) -> None:
    debt_id = await api.debt()
    await api.invoice(debt_id, "2025-04-01", 5_000, "OLD")
    await api.invoice(debt_id, "2025-05-01", 5_000, "NEW")
    balance = await api.ok("POST", f"/v1/debts/{debt_id}/payments", {
        "payment_id": "p", "amount": usd(1_000), "received_at": "2025-06-01T00:00:00Z",
        "invoice_order": "newest_due_first"})
    assert {i["invoice_id"]: i["outstanding"] for i in balance["invoices"]} == {
        "OLD": 5_000, "NEW": 4_000}


async def test_disputes_mark_the_amount_and_dispute_raised_is_published(
    api: Api, ledger, infra,
) -> None:
    debt_id = await api.debt()
    await api.invoice(debt_id, "2025-05-01", 10_000)
    oral = await api.ok("POST", f"/v1/debts/{debt_id}/disputes", {
        "written": False, "medium": "phone", "received_at": "2025-06-01T10:00:00Z",
        "portion": usd(2_500)})
    await api.ok("POST", f"/v1/debts/{debt_id}/disputes", {
        "written": True, "medium": "letter", "received_at": "2025-06-01T11:00:00Z"})
    balance = await api.ok("GET", f"/v1/debts/{debt_id}/balance")
    assert balance["disputed"] == 10_000
    refused = await api.post(f"/v1/debts/{debt_id}/disputes/{oral['id']}/resolution",
                             {"outcome": "upheld"})
    assert refused.status_code == 422
    resolved = await api.ok("POST", f"/v1/debts/{debt_id}/disputes/{oral['id']}/resolution",
                            {"outcome": "upheld", "verification_sent_at": "2025-06-02T09:00:00Z"})
    assert resolved["disputed"] == 10_000  # the written dispute of the whole debt is open
    await relay(ledger, infra)
    arrived = await published(infra, "goodfaith.dispute-raised", {debt_id}, 2)
    kinds = sorted((m.payload["written"], m.payload["medium"]) for _, m in arrived)
    assert kinds == [(False, "phone"), (True, "letter")]
    assert arrived[0][1].payload["debtor_id"] == (await api.ok(
        "GET", f"/v1/debts/{debt_id}"))["debtor_id"]


async def test_a_settlement_completes_when_paid_and_the_remainder_is_written_off(
    api: Api,
) -> None:
    debt_id = await api.debt()
    await api.invoice(debt_id, "2025-05-01", 10_000)
    debt = await api.ok("POST", f"/v1/debts/{debt_id}/settlements", {
        "amount": usd(6_000), "deadline": "2025-07-31T23:59:59Z"})
    assert debt["settlement"]["amount_minor"] == 6_000
    await api.pay(debt_id, "s1", 4_000)
    final = await api.pay(debt_id, "s2", 2_500)
    assert (final["status"], final["total"], final["credit"]) == ("settled", 0, 500)
    events = [e["event"] for e in (await api.ok("GET", f"/v1/debts/{debt_id}/timeline"))["items"]]
    assert events[-3:] == ["ledger.PaymentApplied", "ledger.SettlementCompleted",
                           "ledger.DebtWrittenOff"]
    late = await api.post(f"/v1/debts/{debt_id}/payments", {
        "payment_id": "s3", "amount": usd(100), "received_at": "2025-06-03T00:00:00Z"})
    assert late.status_code == 422 and late.json()["type"].endswith("debt-closed")


async def test_write_off_placement_and_recall(api: Api) -> None:
    debt_id = await api.debt()
    await api.invoice(debt_id, "2025-05-01", 10_000)
    placed = await api.ok("POST", f"/v1/debts/{debt_id}/placement", {"agency_id": "northwind"})
    assert placed["placed_with"] == "northwind"
    twice = await api.post(f"/v1/debts/{debt_id}/placement", {"agency_id": "other"})
    assert twice.status_code == 422
    recalled = await api.ok("POST", f"/v1/debts/{debt_id}/placement/recall",
                            {"reason": "performance"})
    assert recalled["placed_with"] is None
    written = await api.ok("POST", f"/v1/debts/{debt_id}/write-off", {"reason": "deceased"})
    assert (written["status"], written["total"]) == ("written_off", 0)
    again = await api.post(f"/v1/debts/{debt_id}/write-off", {"reason": "deceased"})
    assert again.status_code == 422


async def test_aging_buckets_per_debt_and_portfolio(api: Api) -> None:
    debt_id = await api.debt()
    for n, due in enumerate(["2025-06-01", "2025-05-10", "2025-03-20", "2025-01-01"]):
        await api.invoice(debt_id, due, 1_000 * (n + 1))
    other = await api.debt()
    await api.invoice(other, "2025-05-30", 50)
    aging = await api.ok("GET", f"/v1/debts/{debt_id}/aging", as_of="2025-06-01")
    assert aging["by_currency"]["USD"] == {"current": 1_000, "1-30": 2_000, "31-60": 0,
                                           "61-90": 3_000, "91-120": 0, "over_120": 4_000}
    portfolio = await api.ok("GET", "/v1/aging", as_of="2025-06-01")
    assert portfolio["by_currency"]["USD"]["1-30"] == 2_050


async def test_list_debts_pages_with_a_cursor_and_filters(api: Api) -> None:
    debtor_id = await api.debtor()
    ids = [await api.debt(debtor_id) for _ in range(5)]
    await api.debt()
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "debtor_id": debtor_id, **({"cursor": cursor} if cursor else {})}
        page = await api.ok("GET", "/v1/debts", params=params)
        seen += [d["debt_id"] for d in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == ids
    bad = await api.get("/v1/debts", cursor="%%%")
    assert bad.status_code == 400


async def test_timeline_lists_every_event_in_order_and_pages(api: Api) -> None:
    debt_id = await api.debt()
    await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
    await api.pay(debt_id, "p", 1_000)
    page = await api.ok("GET", f"/v1/debts/{debt_id}/timeline", limit=2)
    assert [e["version"] for e in page["items"]] == [1, 2] and page["next_cursor"]
    rest = await api.ok("GET", f"/v1/debts/{debt_id}/timeline", cursor=page["next_cursor"])
    assert [(e["event"], e["amount"]) for e in rest["items"]] == [
        ("ledger.PaymentApplied", usd(1_000))]


async def test_limitation_status_is_unknown_without_data_and_answers_with_it(api: Api) -> None:
    unknown = await api.debt(governing_state=None)
    barred = await api.debt(governing_state="CA", charge_off_date="2019-01-01",
                            last_payment_date="2019-01-01")
    answer = await api.ok("GET", f"/v1/debts/{unknown}/limitation", as_of="2025-06-01")
    assert answer["time_barred"] == "unknown"
    answer = await api.ok("GET", f"/v1/debts/{barred}/limitation", as_of="2025-06-01")
    assert answer["time_barred"] is True and answer["accrual_dates"] == ["2019-01-01"]
