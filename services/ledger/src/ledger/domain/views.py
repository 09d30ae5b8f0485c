"""Pure read projections of the ledger for the API: balances and a timeline.

Built from aggregates or events only; no personal data appears in them (debtor names and
contact points stay in the Debtor aggregate).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from ledger.domain.components import Components
from ledger.domain.debt import Debt, DebtStatus, DisputeState, InvoiceState
from ledger.domain.debt_events import InstalmentRef
from ledger.domain.events import Event
from ledger.domain.money import Money, total


@dataclass(frozen=True)
class InvoiceBalance:
    invoice_id: str
    issued_on: date
    due_on: date
    invoiced: Money
    principal: Money
    interest: Money
    fees: Money
    instalment: InstalmentRef | None

    @property
    def outstanding(self) -> Money:
        return self.principal + self.interest + self.fees


@dataclass(frozen=True)
class DebtBalance:
    """``total`` is what is owed; ``credit`` is the debtor's money the ledger holds (owed back
    or to be applied); ``disputed`` is the part of ``total`` under an open dispute."""

    debt_id: str
    tenant_id: str
    debtor_id: str
    currency: str
    status: DebtStatus
    invoices: tuple[InvoiceBalance, ...]
    principal: Money
    interest: Money
    fees: Money
    total: Money
    disputed: Money
    credit: Money
    placed_with: str | None


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    total: Money
    disputed: Money
    credit: Money


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    event: str
    summary: str
    amount: Money | None


def debt_balance(debt: Debt) -> DebtBalance:
    invoices = tuple(_invoice_balance(i) for i in _by_due(debt.invoices.values()))
    currency = debt.currency
    outstanding = [i.outstanding for i in debt.invoices.values()]
    return DebtBalance(
        debt_id=debt.debt_id,
        tenant_id=debt.tenant_id,
        debtor_id=debt.debtor_id,
        currency=currency,
        status=debt.status,
        invoices=invoices,
        principal=total([c.principal for c in outstanding], currency),
        interest=total([c.interest for c in outstanding], currency),
        fees=total([c.fees for c in outstanding], currency),
        total=debt.outstanding_total,
        disputed=disputed_amount(debt.disputes.values(), debt.outstanding_total),
        credit=debt.credit,
        placed_with=debt.placement_agency,
    )


def disputed_amount(disputes: Iterable[DisputeState], outstanding: Money) -> Money:
    """Open disputes, each capped at the balance, and their sum capped at it too: a dispute
    can never mark more as contested than is actually owed."""
    disputed = Money.zero(outstanding.currency)
    for dispute in disputes:
        if dispute.outcome is None:
            portion = dispute.portion or outstanding
            disputed = disputed + portion.min(outstanding)
    return disputed.min(outstanding)


def debtor_totals(balances: Iterable[DebtBalance]) -> dict[str, CurrencyTotals]:
    """Sums across one debtor's debts, kept apart per currency (never converted)."""
    grouped: dict[str, list[DebtBalance]] = {}
    for balance in balances:
        grouped.setdefault(balance.currency, []).append(balance)
    return {currency: _sum_currency(currency, items) for currency, items in grouped.items()}


def timeline(events: Iterable[Event]) -> list[TimelineEntry]:
    entries = [_entry(evt) for evt in events]
    return sorted(entries, key=lambda e: e.at)


def _sum_currency(currency: str, items: list[DebtBalance]) -> CurrencyTotals:
    return CurrencyTotals(
        currency=currency,
        total=total([b.total for b in items], currency),
        disputed=total([b.disputed for b in items], currency),
        credit=total([b.credit for b in items], currency),
    )


def _by_due(invoices: Iterable[InvoiceState]) -> list[InvoiceState]:
    return sorted(invoices, key=lambda i: (i.due_on, i.issued_on, i.invoice_id))


def _invoice_balance(invoice: InvoiceState) -> InvoiceBalance:
    out: Components = invoice.outstanding
    return InvoiceBalance(
        invoice_id=invoice.invoice_id,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        invoiced=invoice.original.total,
        principal=out.principal,
        interest=out.interest,
        fees=out.fees,
        instalment=invoice.instalment,
    )


def _entry(evt: Event) -> TimelineEntry:
    describe = _SUMMARIES.get(evt.NAME)
    summary = describe(evt) if describe else evt.NAME.removeprefix("ledger.")
    amount = _amount_of(evt)
    return TimelineEntry(at=evt.occurred_at, event=evt.NAME, summary=summary, amount=amount)


def _amount_of(evt: Event) -> Money | None:
    for name in ("amount", "outstanding", "portion"):
        value = getattr(evt, name, None)
        if isinstance(value, Money):
            return value
    return None


def _adjustment_summary(evt: Event) -> str:
    amount = getattr(evt, "amount", None)
    kind = "credit note" if isinstance(amount, Money) and amount.amount < 0 else "corrected up"
    return f"Invoice {getattr(evt, 'invoice_id', '')} {kind}"


# Summaries use only non-personal fields, so the timeline is safe to show after an erasure.
# The free-text reasons of corrections, refunds and reschedules are left out for that reason.
_SUMMARIES: dict[str, Callable[[Event], str]] = {
    "ledger.DebtOpened": lambda e: f"Debt opened ({getattr(e, 'debt_type', '')})",
    "ledger.InvoiceIssued": lambda e: f"Invoice {getattr(e, 'invoice_id', '')} issued",
    "ledger.PaymentApplied": lambda e: f"Payment {getattr(e, 'payment_id', '')} received",
    "ledger.PaymentReversed": lambda e: (
        f"Payment {getattr(e, 'payment_id', '')} reversed ({getattr(e, 'reason', '')})"
    ),
    "ledger.DisputeRaised": lambda e: (
        "Dispute raised" + (" in writing" if getattr(e, "written", False) else " orally")
    ),
    "ledger.DisputeResolved": lambda e: f"Dispute resolved: {getattr(e, 'outcome', '')}",
    "ledger.SettlementAgreed": lambda e: "Settlement agreed",
    "ledger.SettlementCompleted": lambda e: "Settlement completed",
    "ledger.SettlementBroken": lambda e: "Settlement deadline passed unpaid",
    "ledger.DebtWrittenOff": lambda e: f"Written off: {getattr(e, 'reason', '')}",
    "ledger.DebtPlaced": lambda e: f"Placed with agency {getattr(e, 'agency_id', '')}",
    "ledger.PlacementRecalled": lambda e: "Recalled from agency",
    "ledger.DebtDetailsUpdated": lambda e: (
        "Details updated: " + ", ".join(getattr(e, "changed", ()))
    ),
    "ledger.InvoiceRescheduled": lambda e: (
        f"Invoice {getattr(e, 'invoice_id', '')} now due {getattr(e, 'due_on', '')}"
        f" (was {getattr(e, 'previous_due_on', '')})"
    ),
    "ledger.InvoiceAdjusted": lambda e: _adjustment_summary(e),
    "ledger.CreditRefunded": lambda e: f"Credit refunded ({getattr(e, 'refund_id', '')})",
    "ledger.InvoiceOverdueMilestoneReached": lambda e: (
        f"Invoice {getattr(e, 'invoice_id', '')} {getattr(e, 'milestone_days', '')} days past due"
    ),
}
