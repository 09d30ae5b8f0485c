from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ledger.domain.allocation import AllocationPolicy, InvoiceOrder, policy_for
from ledger.domain.components import Component
from ledger.domain.debt import DebtStatus
from ledger.domain.debt_events import PaymentApplied, PaymentReversed, ReversalReason
from ledger.domain.errors import (
    CurrencyMismatch,
    InvalidAmount,
    InvalidTimestamp,
    PaymentIdConflict,
    UnknownPayment,
)
from ledger.domain.money import Money
from ledger.domain.views import debt_balance

from .factories import (
    DEBT_ID,
    T0,
    alloc,
    at,
    debt_opened,
    debt_with,
    given,
    invoice_issued,
    payment_applied,
    usd,
)

FEES, INTEREST, PRINCIPAL = Component.FEES, Component.INTEREST, Component.PRINCIPAL

OLD = invoice_issued("old", due_on=date(2025, 1, 1), principal=5_000, interest=300, fees=200)
NEW = invoice_issued("new", due_on=date(2025, 2, 1), principal=5_000, interest=300, fees=200)


def test_allocates_to_the_oldest_invoice_first_fees_then_interest_then_principal() -> None:
    given(debt_opened(), NEW, OLD).when(lambda d: d.apply_payment("p1", usd(5_700), T0)).then(
        payment_applied(
            "p1",
            5_700,
            [
                alloc("old", FEES, 200),
                alloc("old", INTEREST, 300),
                alloc("old", PRINCIPAL, 5_000),
                alloc("new", FEES, 200),
            ],
        )
    )


def test_orders_invoices_with_the_same_due_date_by_issue_date() -> None:
    later = invoice_issued("a", due_on=date(2025, 2, 1), issued_on=date(2025, 1, 20))
    earlier = invoice_issued("b", due_on=date(2025, 2, 1), issued_on=date(2025, 1, 5))
    given(debt_opened(), later, earlier).when(lambda d: d.apply_payment("p1", usd(100), T0)).then(
        payment_applied("p1", 100, [alloc("b", PRINCIPAL, 100)])
    )


def test_a_custom_policy_changes_invoice_and_component_order() -> None:
    policy = AllocationPolicy(
        invoice_order=InvoiceOrder.NEWEST_DUE_FIRST,
        component_order=(PRINCIPAL, INTEREST, FEES),
    )
    given(debt_opened(), OLD, NEW).when(
        lambda d: d.apply_payment("p1", usd(5_100), T0, policy)
    ).then(
        payment_applied("p1", 5_100, [alloc("new", PRINCIPAL, 5_000), alloc("new", INTEREST, 100)])
    )


def test_a_policy_must_name_each_component_exactly_once() -> None:
    with pytest.raises(Exception, match="exactly once"):
        AllocationPolicy(component_order=(FEES, FEES, PRINCIPAL))


def test_states_without_a_verified_rule_get_the_default_component_order() -> None:
    assert policy_for("CA").component_order == (FEES, INTEREST, PRINCIPAL)
    assert policy_for(None) == AllocationPolicy()


def test_a_partial_payment_leaves_the_rest_of_the_component_outstanding() -> None:
    outcome = given(debt_opened(), OLD).when(lambda d: d.apply_payment("p1", usd(350), T0))
    outcome.then(payment_applied("p1", 350, [alloc("old", FEES, 200), alloc("old", INTEREST, 150)]))
    balance = debt_balance(outcome.aggregate)
    assert (balance.fees, balance.interest, balance.principal) == (usd(0), usd(150), usd(5_000))
    assert balance.total == usd(5_150)


def test_an_overpayment_is_kept_as_credit_and_the_debt_is_paid_off() -> None:
    outcome = given(debt_opened(), OLD).when(lambda d: d.apply_payment("p1", usd(6_000), T0))
    outcome.then(
        payment_applied(
            "p1",
            6_000,
            [alloc("old", FEES, 200), alloc("old", INTEREST, 300), alloc("old", PRINCIPAL, 5_000)],
            credit=500,
        )
    )
    assert outcome.aggregate.credit == usd(500)
    assert outcome.aggregate.status is DebtStatus.PAID_OFF


def test_a_payment_on_a_debt_without_invoices_becomes_credit() -> None:
    given(debt_opened()).when(lambda d: d.apply_payment("p1", usd(100), T0)).then(
        payment_applied("p1", 100, [], credit=100)
    )


def test_applying_the_same_payment_id_twice_is_a_no_op() -> None:
    first = payment_applied("p1", 100, [alloc("old", FEES, 100)])
    outcome = given(debt_opened(), OLD, first).when(lambda d: d.apply_payment("p1", usd(100), T0))
    outcome.then_nothing()
    assert outcome.returned == ()
    assert debt_balance(outcome.aggregate).total == usd(5_400)


def test_reusing_a_payment_id_with_another_amount_is_refused() -> None:
    first = payment_applied("p1", 100, [alloc("old", FEES, 100)])
    given(debt_opened(), OLD, first).when(
        lambda d: d.apply_payment("p1", usd(101), T0)
    ).then_raises(PaymentIdConflict)


def test_reusing_a_reversed_payment_id_is_refused() -> None:
    first = payment_applied("p1", 100, [alloc("old", FEES, 100)])
    reversed_ = PaymentReversed(
        occurred_at=T0,
        debt_id=DEBT_ID,
        payment_id="p1",
        reason=ReversalReason.REFUND,
        allocations=first.allocations,
        credit=usd(0),
        settlement_id=None,
    )
    given(debt_opened(), OLD, first, reversed_).when(
        lambda d: d.apply_payment("p1", usd(100), T0)
    ).then_raises(PaymentIdConflict, "reversed")


def test_a_payment_in_another_currency_is_refused() -> None:
    given(debt_opened(), OLD).when(
        lambda d: d.apply_payment("p1", Money(100, "EUR"), T0)
    ).then_raises(CurrencyMismatch)


@pytest.mark.parametrize("cents", [0, -1, -10_000])
def test_zero_and_negative_payments_are_refused(cents: int) -> None:
    given(debt_opened(), OLD).when(lambda d: d.apply_payment("p1", usd(cents), T0)).then_raises(
        InvalidAmount
    )


def test_a_naive_received_at_is_refused() -> None:
    given(debt_opened(), OLD).when(
        lambda d: d.apply_payment("p1", usd(1), datetime(2025, 3, 1, 12, 0))
    ).then_raises(InvalidTimestamp)


def test_received_at_is_stored_in_utc() -> None:
    eastern = timezone(timedelta(hours=-5))
    outcome = given(debt_opened(), OLD).when(
        lambda d: d.apply_payment("p1", usd(1), datetime(2025, 3, 1, 10, 0, tzinfo=eastern))
    )
    (evt,) = outcome.produced
    assert isinstance(evt, PaymentApplied)
    assert evt.occurred_at == datetime(2025, 3, 1, 15, 0, tzinfo=UTC)
    assert evt.occurred_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("reason", [ReversalReason.REFUND, ReversalReason.CHARGEBACK])
def test_a_reversal_restores_exactly_the_balance_before_the_payment(reason: ReversalReason) -> None:
    before = debt_balance(debt_with(OLD, NEW))
    allocations = [
        alloc("old", FEES, 200),
        alloc("old", INTEREST, 300),
        alloc("old", PRINCIPAL, 5_000),
        alloc("new", FEES, 200),
        alloc("new", INTEREST, 300),
        alloc("new", PRINCIPAL, 5_000),
    ]
    paid = payment_applied("p1", 12_000, allocations, credit=1_000)
    outcome = given(debt_opened(), OLD, NEW, paid).when(
        lambda d: d.reverse_payment("p1", reason, at(5))
    )
    outcome.then(
        PaymentReversed(
            occurred_at=at(5),
            debt_id=DEBT_ID,
            payment_id="p1",
            reason=reason,
            allocations=tuple(allocations),
            credit=usd(1_000),
            settlement_id=None,
        )
    )
    assert debt_balance(outcome.aggregate) == before
    assert outcome.aggregate.status is DebtStatus.OPEN


def test_reversing_one_payment_leaves_the_others_in_place() -> None:
    p1 = payment_applied("p1", 200, [alloc("old", FEES, 200)])
    p2 = payment_applied("p2", 300, [alloc("old", INTEREST, 300)])
    debt = debt_with(OLD, p1, p2)
    debt.reverse_payment("p1", ReversalReason.CHARGEBACK, at(1))
    balance = debt_balance(debt)
    assert (balance.fees, balance.interest) == (usd(200), usd(0))


def test_reversing_a_payment_twice_is_a_no_op() -> None:
    paid = payment_applied("p1", 200, [alloc("old", FEES, 200)])
    reversed_ = PaymentReversed(
        occurred_at=T0,
        debt_id=DEBT_ID,
        payment_id="p1",
        reason=ReversalReason.REFUND,
        allocations=paid.allocations,
        credit=usd(0),
        settlement_id=None,
    )
    given(debt_opened(), OLD, paid, reversed_).when(
        lambda d: d.reverse_payment("p1", ReversalReason.REFUND, at(1))
    ).then_nothing()


def test_reversing_an_unknown_payment_is_an_error() -> None:
    given(debt_opened(), OLD).when(
        lambda d: d.reverse_payment("nope", ReversalReason.REFUND, at(1))
    ).then_raises(UnknownPayment, "nope")
