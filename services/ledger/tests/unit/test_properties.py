from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given as for_all
from hypothesis import settings
from hypothesis import strategies as st

from ledger.domain.components import Component
from ledger.domain.debt import Debt
from ledger.domain.debt_events import ReversalReason
from ledger.domain.money import Money
from ledger.domain.views import debt_balance

from .factories import at, debt_opened, given, round_trip

invoices = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=120),  # due-date offset in days
        st.integers(min_value=1, max_value=50_000),  # principal
        st.integers(min_value=0, max_value=5_000),  # interest
        st.integers(min_value=0, max_value=5_000),  # fees
    ),
    min_size=0,
    max_size=5,
)

# ("pay", id, cents) or ("reverse", id, reason); ids drawn from a small pool so repeats,
# reversals of unknown or reversed payments, and re-payments of reversed ids all happen.
operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(0, 5), st.integers(1, 80_000)),
        st.tuples(st.just("reverse"), st.integers(0, 5), st.sampled_from(list(ReversalReason))),
    ),
    max_size=25,
)


def build(invoice_specs: list[tuple[int, int, int, int]]) -> tuple[Debt, int]:
    debt: Debt = given(debt_opened()).aggregate()
    invoiced = 0
    for n, (offset, principal, interest, fees) in enumerate(invoice_specs):
        due = date(2025, 1, 1) + timedelta(days=offset)
        debt.add_invoice(
            f"i{n}",
            issued_on=due,
            due_on=due,
            principal=Money(principal, "USD"),
            interest=Money(interest, "USD"),
            fees=Money(fees, "USD"),
            at=at(),
        )
        invoiced += principal + interest + fees
    return debt, invoiced


def run(debt: Debt, ops: list[tuple[str, int, object]]) -> int:
    """Apply the operations, skipping refused ones; return net payments (applied - reversed)."""
    net = 0
    for kind, pid, arg in ops:
        try:
            if kind == "pay":
                assert isinstance(arg, int)
                if debt.apply_payment(f"p{pid}", Money(arg, "USD"), at(1)):
                    net += arg
            else:
                assert isinstance(arg, ReversalReason)
                if debt.reverse_payment(f"p{pid}", arg, at(2)):
                    net -= debt.payments[f"p{pid}"].amount.amount
        except Exception as exc:  # only domain refusals are expected here
            assert type(exc).__module__ == "ledger.domain.errors", exc
    return net


@settings(max_examples=300, deadline=None)
@for_all(invoices, operations)
def test_balance_plus_credit_equals_invoiced_minus_net_payments(
    invoice_specs: list[tuple[int, int, int, int]], ops: list[tuple[str, int, object]]
) -> None:
    debt, invoiced = build(invoice_specs)
    net = run(debt, ops)
    balance = debt_balance(debt)
    # Credit is the debtor's money held by the ledger: a credit balance counts negatively.
    assert balance.total.amount - balance.credit.amount == invoiced - net
    assert balance.credit.amount >= 0
    for invoice in debt.invoices.values():
        for component in Component:
            assert invoice.outstanding.get(component).amount >= 0
            assert invoice.outstanding.get(component) <= invoice.original.get(component)


@settings(max_examples=100, deadline=None)
@for_all(invoices, operations)
def test_replaying_the_recorded_events_rebuilds_the_same_balance(
    invoice_specs: list[tuple[int, int, int, int]], ops: list[tuple[str, int, object]]
) -> None:
    debt, _ = build(invoice_specs)
    run(debt, ops)
    replayed = Debt.replay(round_trip(e) for e in (debt_opened(), *debt.pending_events))
    assert debt_balance(replayed) == debt_balance(debt)
    assert replayed.version == debt.version


# Corrections and refunds join payments and reversals: ("adjust", invoice index, signed cents)
# and ("refund", refund id, cents); refused ones are skipped like refused payments.
corrections = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(0, 5), st.integers(1, 80_000)),
        st.tuples(st.just("reverse"), st.integers(0, 5), st.sampled_from(list(ReversalReason))),
        st.tuples(st.just("adjust"), st.integers(0, 4), st.integers(-60_000, 5_000)),
        st.tuples(st.just("refund"), st.integers(0, 3), st.integers(1, 30_000)),
    ),
    max_size=25,
)


def correct(debt: Debt, op: tuple[str, int, object]) -> int:
    """Apply one correction; return how it moves ``invoiced - net payments + refunds``."""
    kind, n, arg = op
    assert isinstance(arg, int)
    if kind == "adjust":
        debt.adjust_invoice(f"i{n}", change=Money(arg, "USD"), reason="r", at=at(3))
        return arg
    return arg if debt.refund_credit(f"r{n}", Money(arg, "USD"), reason="r", at=at(3)) else 0


@settings(max_examples=300, deadline=None)
@for_all(invoices, corrections)
def test_adjustments_and_refunds_keep_the_books_balanced(
    invoice_specs: list[tuple[int, int, int, int]], ops: list[tuple[str, int, object]]
) -> None:
    debt, expected = build(invoice_specs)
    for op in ops:
        if op[0] in ("pay", "reverse"):
            expected -= run(debt, [op])
            continue
        try:
            expected += correct(debt, op)
        except Exception as exc:  # only domain refusals are expected here
            assert type(exc).__module__ == "ledger.domain.errors", exc
    balance = debt_balance(debt)
    assert balance.total.amount - balance.credit.amount == expected
    for invoice in debt.invoices.values():
        for component in Component:
            assert invoice.outstanding.get(component).amount >= 0
            assert invoice.outstanding.get(component) <= invoice.original.get(component)
    replayed = Debt.replay(round_trip(e) for e in (debt_opened(), *debt.pending_events))
    assert debt_balance(replayed) == balance
