from __future__ import annotations

from datetime import date

from ledger.domain.components import Component
from ledger.domain.debt import DebtStatus
from ledger.domain.debt_events import DebtPlaced, DisputeMedium, DisputeRaised
from ledger.domain.money import Money
from ledger.domain.views import debt_balance, debtor_totals, timeline

from .factories import (
    DEBT_ID,
    alloc,
    at,
    debt_opened,
    debt_with,
    given,
    invoice_issued,
    payment_applied,
    usd,
)

A = invoice_issued("a", due_on=date(2025, 1, 1), principal=1_000, interest=100, fees=50)
B = invoice_issued("b", due_on=date(2025, 2, 1), principal=2_000)
PAID = payment_applied(
    "p",
    200,
    [
        alloc("a", Component.FEES, 50),
        alloc("a", Component.INTEREST, 100),
        alloc("a", Component.PRINCIPAL, 50),
    ],
    received_at=at(2),
)
DISPUTE = DisputeRaised(
    occurred_at=at(3),
    debt_id=DEBT_ID,
    dispute_id="d",
    written=True,
    medium=DisputeMedium.LETTER,
    portion=usd(300),
)
PLACED = DebtPlaced(occurred_at=at(4), debt_id=DEBT_ID, placement_id="pl", agency_id="ag")


def test_a_debt_balance_shows_components_disputed_amount_credit_and_invoices() -> None:
    balance = debt_balance(debt_with(B, A, PAID, DISPUTE, PLACED))
    assert (balance.principal, balance.interest, balance.fees) == (usd(2_950), usd(0), usd(0))
    assert balance.total == usd(2_950)
    assert balance.disputed == usd(300)
    assert balance.credit == usd(0)
    assert balance.status is DebtStatus.OPEN
    assert balance.placed_with == "ag"
    assert [i.invoice_id for i in balance.invoices] == ["a", "b"]
    assert balance.invoices[0].invoiced == usd(1_150)
    assert balance.invoices[0].outstanding == usd(950)


def test_debtor_totals_add_debts_per_currency_without_converting() -> None:
    usd_debt = debt_balance(debt_with(A))
    eur_state = given(debt_opened(debt_id="debt-2", currency="EUR")).aggregate()
    eur_state.add_invoice(
        "e",
        issued_on=date(2025, 1, 1),
        due_on=date(2025, 1, 1),
        principal=Money(700, "EUR"),
        at=at(),
    )
    eur_state.apply_payment("x", Money(900, "EUR"), at(1))
    totals = debtor_totals([usd_debt, usd_debt, debt_balance(eur_state)])
    assert totals["USD"].total == usd(2_300)
    assert totals["EUR"].total == Money(0, "EUR")
    assert totals["EUR"].credit == Money(200, "EUR")


def test_the_timeline_lists_events_in_time_order_with_amounts() -> None:
    entries = timeline([PLACED, debt_opened(), PAID, DISPUTE])
    assert [e.event for e in entries] == [
        "ledger.DebtOpened",
        "ledger.PaymentApplied",
        "ledger.DisputeRaised",
        "ledger.DebtPlaced",
    ]
    assert entries[1].amount == usd(200)
    assert entries[1].summary == "Payment p received"
    assert entries[2].summary == "Dispute raised in writing"
    assert entries[0].amount is None
