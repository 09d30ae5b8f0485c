"""Corrections after opening: debt details, invoice reschedules and adjustments, credit
refunds. Given / when / then on the Debt aggregate."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.components import Component
from ledger.domain.debt import Debt
from ledger.domain.debt_events import (
    CreditRefunded,
    DebtDetailsUpdated,
    DebtPurpose,
    DebtType,
    InvoiceAdjusted,
    InvoiceOverdueMilestoneReached,
    InvoiceRescheduled,
    Itemization,
    PaymentReversed,
    ReversalReason,
    SettlementAgreed,
)
from ledger.domain.errors import (
    CurrencyMismatch,
    DebtClosed,
    DetailChangeRefused,
    InsufficientCredit,
    InvalidAmount,
    InvalidField,
    InvalidTimeZone,
    InvoiceChangeRefused,
    RefundIdConflict,
    UnknownInvoice,
)
from ledger.domain.events import from_payload, to_payload
from ledger.domain.limitations import UNKNOWN, time_barred
from ledger.domain.milestones import today_in
from ledger.domain.money import Money
from ledger.domain.views import debt_balance

from .factories import (
    DEBT_ID,
    T0,
    alloc,
    at,
    debt_opened,
    given,
    invoice_issued,
    payment_applied,
    usd,
)

FEES, INTEREST, PRINCIPAL = Component.FEES, Component.INTEREST, Component.PRINCIPAL
INV = invoice_issued("inv-1", principal=9_000, interest=600, fees=400)  # 10,000, due 1 March


def details_updated(reason: str = "creditor file", **changed: object) -> DebtDetailsUpdated:
    return DebtDetailsUpdated(occurred_at=T0, debt_id=DEBT_ID, reason=reason,
                              changed=tuple(sorted(changed)), **changed)  # type: ignore[arg-type]


# -- debt details ----------------------------------------------------------------------------


def test_only_the_changed_details_are_recorded() -> None:
    given(debt_opened()).when(
        lambda d: d.update_details(
            {"governing_state": "NY", "time_zone": "America/Los_Angeles",
             "charge_off_date": date(2024, 1, 31)},
            reason="creditor file", at=T0)
    ).then(details_updated(governing_state="NY", charge_off_date=date(2024, 1, 31)))


def test_the_stored_payload_holds_only_the_changed_fields_and_null_means_cleared() -> None:
    evt = details_updated(time_zone=None)
    payload = to_payload(evt)
    assert payload["time_zone"] is None and payload["changed"] == ["time_zone"]
    assert "governing_state" not in payload and "itemization" not in payload
    assert from_payload(evt.NAME, payload) == evt
    debt = given(debt_opened(), evt).aggregate()
    assert debt.time_zone is None and debt.governing_state == "CA"


def test_nothing_changing_is_a_no_op() -> None:
    given(debt_opened()).when(
        lambda d: d.update_details({"governing_state": "CA"}, reason="same", at=T0)
    ).then_nothing()


@pytest.mark.parametrize("field", ["currency", "debtor_id", "account_last4"])
def test_currency_debtor_and_account_number_never_change(field: str) -> None:
    given(debt_opened()).when(
        lambda d: d.update_details({field: "EUR"}, reason="x", at=T0)
    ).then_raises(DetailChangeRefused, field)


def test_a_consumer_debt_is_never_reclassified_as_business_but_the_reverse_is_allowed() -> None:
    given(debt_opened()).when(
        lambda d: d.update_details({"purpose": "business"}, reason="x", at=T0)
    ).then_raises(DetailChangeRefused, "FDCPA")
    given(debt_opened(purpose=DebtPurpose.BUSINESS)).when(
        lambda d: d.update_details({"purpose": "consumer", "debt_type": "medical"},
                                   reason="x", at=T0)
    ).then(details_updated(reason="x", purpose=DebtPurpose.CONSUMER, debt_type=DebtType.MEDICAL))


def test_bad_values_are_refused() -> None:
    debt = given(debt_opened()).aggregate
    cases: list[tuple[dict[str, object], type[Exception]]] = [
        ({"time_zone": "Mars/Olympus_Mons"}, InvalidTimeZone),
        ({"governing_state": "California"}, InvalidField),
        ({"debt_type": "yacht"}, InvalidField),
        ({"original_creditor": " "}, InvalidField),
        ({"charge_off_date": "2024-01-01"}, InvalidField),
        ({"colour": "red"}, InvalidField),
        ({"itemization": Itemization(date(2025, 1, 1), Money(1, "EUR"), usd(0), usd(0),
                                     usd(0), usd(0))}, CurrencyMismatch),
    ]
    for changes, error in cases:
        with pytest.raises(error):
            debt().update_details(changes, reason="x", at=T0)


def test_changed_dates_and_state_re_derive_the_limitation_status() -> None:
    debt = given(debt_opened(governing_state=None)).aggregate()
    today = date(2025, 6, 1)
    assert time_barred(debt, today) == UNKNOWN
    debt.update_details({"governing_state": "CA", "charge_off_date": date(2019, 1, 1)},
                        reason="x", at=T0)
    assert time_barred(debt, today) is True
    debt.update_details({"charge_off_date": date(2024, 1, 1)}, reason="x", at=T0)
    assert time_barred(debt, today) is False


def test_a_new_time_zone_changes_the_debtors_calendar() -> None:
    debt = given(debt_opened(), details_updated(time_zone="Pacific/Kiritimati")).aggregate()
    now = at(0, hours=-5)  # 10:00 UTC on 1 March: already 2 March in Kiritimati
    assert today_in(debt.time_zone, now) == date(2025, 3, 2)


def test_details_may_be_corrected_on_a_closed_debt() -> None:
    debt = given(debt_opened(), INV).aggregate()
    debt.write_off("uncollectible", T0)
    assert debt.update_details({"governing_state": "NY"}, reason="x", at=T0)


# -- rescheduling ----------------------------------------------------------------------------


def test_rescheduling_moves_the_due_date_later() -> None:
    given(debt_opened(), INV).when(
        lambda d: d.reschedule_invoice("inv-1", due_on=date(2025, 4, 1), reason="hardship",
                                       at=T0)
    ).then(InvoiceRescheduled(occurred_at=T0, debt_id=DEBT_ID, invoice_id="inv-1",
                              previous_due_on=date(2025, 3, 1), due_on=date(2025, 4, 1),
                              reason="hardship"))


def test_rescheduling_to_the_same_date_is_a_no_op_and_earlier_is_refused() -> None:
    given(debt_opened(), INV).when(
        lambda d: d.reschedule_invoice("inv-1", due_on=date(2025, 3, 1), reason="x", at=T0)
    ).then_nothing()
    given(debt_opened(), INV).when(
        lambda d: d.reschedule_invoice("inv-1", due_on=date(2025, 2, 1), reason="x", at=T0)
    ).then_raises(InvoiceChangeRefused, "later")


def test_a_paid_invoice_an_unknown_one_or_a_closed_debt_is_not_rescheduled() -> None:
    paid = payment_applied("p", 10_000, [alloc("inv-1", FEES, 400), alloc("inv-1", INTEREST, 600),
                                         alloc("inv-1", PRINCIPAL, 9_000)])
    other = invoice_issued("inv-2", due_on=date(2025, 5, 1))
    given(debt_opened(), INV, other, paid).when(
        lambda d: d.reschedule_invoice("inv-1", due_on=date(2025, 4, 1), reason="x", at=T0)
    ).then_raises(InvoiceChangeRefused, "paid")
    given(debt_opened(), INV).when(
        lambda d: d.reschedule_invoice("nope", due_on=date(2025, 4, 1), reason="x", at=T0)
    ).then_raises(UnknownInvoice)
    given(debt_opened(), INV, paid).when(
        lambda d: d.reschedule_invoice("inv-1", due_on=date(2025, 4, 1), reason="x", at=T0)
    ).then_raises(DebtClosed)


def milestone(days: int, as_of: date) -> InvoiceOverdueMilestoneReached:
    return InvoiceOverdueMilestoneReached(
        occurred_at=T0, debt_id=DEBT_ID, tenant_id="tenant-1", debtor_id="debtor-1",
        invoice_id="inv-1", due_date=date(2025, 3, 1), milestone_days=days,
        days_past_due=days, outstanding=usd(10_000), governing_state="CA", as_of=as_of)


def test_reached_milestones_are_never_recorded_again_and_later_ones_count_from_the_new_date(
) -> None:
    debt = given(debt_opened(), INV, milestone(1, date(2025, 3, 2)),
                 milestone(30, date(2025, 3, 31))).aggregate()
    debt.reschedule_invoice("inv-1", due_on=date(2025, 5, 1), reason="hardship", at=T0)
    # Between the old and the new due date nothing is due: 60 days after 1 March would have
    # been 30 April, but the invoice is not late at all until 2 May.
    assert debt.record_due_milestones(date(2025, 4, 30), T0) == ()
    # 1 and 30 days after the new date were reached before: not recorded again.
    assert debt.record_due_milestones(date(2025, 5, 31), T0) == ()
    (sixty,) = debt.record_due_milestones(date(2025, 6, 30), T0)
    assert isinstance(sixty, InvoiceOverdueMilestoneReached)
    assert (sixty.milestone_days, sixty.days_past_due, sixty.due_date) == (
        60, 60, date(2025, 5, 1))


# -- adjustments -----------------------------------------------------------------------------


def adjusted(amount: int, principal: int = 0, interest: int = 0, fees: int = 0,
             reason: str = "credit note") -> InvoiceAdjusted:
    return InvoiceAdjusted(occurred_at=T0, debt_id=DEBT_ID, invoice_id="inv-1",
                           amount=usd(amount), principal=usd(principal),
                           interest=usd(interest), fees=usd(fees), reason=reason)


def test_a_credit_note_takes_fees_then_interest_then_principal() -> None:
    outcome = given(debt_opened(), INV).when(
        lambda d: d.adjust_invoice("inv-1", change=usd(-1_500), reason="credit note", at=T0)
    ).then(adjusted(-1_500, principal=-500, interest=-600, fees=-400))
    balance = debt_balance(outcome.aggregate)
    assert (balance.total, balance.fees, balance.interest) == (usd(8_500), usd(0), usd(0))
    assert balance.invoices[0].invoiced == usd(8_500)


def test_a_credit_note_can_name_its_component() -> None:
    given(debt_opened(), INV).when(
        lambda d: d.adjust_invoice("inv-1", change=usd(-300), reason="credit note", at=T0,
                                   component=INTEREST)
    ).then(adjusted(-300, interest=-300))
    given(debt_opened(), INV).when(
        lambda d: d.adjust_invoice("inv-1", change=usd(-500), reason="x", at=T0,
                                   component=FEES)
    ).then_raises(InvoiceChangeRefused, "outstanding fees")


def test_an_invoice_never_goes_below_what_was_paid() -> None:
    paid = payment_applied("p", 4_000, [alloc("inv-1", FEES, 400), alloc("inv-1", INTEREST, 600),
                                        alloc("inv-1", PRINCIPAL, 3_000)])
    given(debt_opened(), INV, paid).when(
        lambda d: d.adjust_invoice("inv-1", change=usd(-6_001), reason="x", at=T0)
    ).then_raises(InvoiceChangeRefused, "never go below what was paid")
    outcome = given(debt_opened(), INV, paid).when(
        lambda d: d.adjust_invoice("inv-1", change=usd(-6_000), reason="x", at=T0)
    ).then(adjusted(-6_000, principal=-6_000, reason="x"))
    debt = outcome.aggregate
    assert debt.outstanding_total == usd(0) and debt.invoices["inv-1"].original.total == usd(4_000)
    # Reversing the payment afterwards restores exactly its allocations: 4,000 owed again.
    debt.reverse_payment("p", ReversalReason.CHARGEBACK, T0)
    assert debt.outstanding_total == usd(4_000)


def test_an_upward_correction_goes_to_principal_or_the_named_component() -> None:
    given(debt_opened(), INV).when(
        lambda d: d.adjust_invoice("inv-1", change=usd(250), reason="misbilled", at=T0)
    ).then(adjusted(250, principal=250, reason="misbilled"))
    given(debt_opened(), INV).when(
        lambda d: d.adjust_invoice("inv-1", change=usd(250), reason="x", at=T0, component=FEES)
    ).then(adjusted(250, fees=250, reason="x"))


def test_adjustments_refuse_zero_other_currencies_settlements_and_closed_debts() -> None:
    settlement = SettlementAgreed(occurred_at=T0, debt_id=DEBT_ID, settlement_id="s",
                                  amount=usd(5_000), balance_at_agreement=usd(10_000),
                                  deadline=at(30), instalments=())
    change = usd(-100)
    for events, amount, error in [
        ((INV,), usd(0), InvalidAmount),
        ((INV,), Money(-100, "EUR"), CurrencyMismatch),
        ((INV, settlement), change, InvoiceChangeRefused),
    ]:
        given(debt_opened(), *events).when(
            lambda d, a=amount: d.adjust_invoice("inv-1", change=a, reason="x", at=T0)
        ).then_raises(error)
    debt: Debt = given(debt_opened(), INV).aggregate()
    debt.write_off("uncollectible", T0)
    with pytest.raises(DebtClosed):
        debt.adjust_invoice("inv-1", change=change, reason="x", at=T0)


# -- credit refunds --------------------------------------------------------------------------

OVERPAID = payment_applied("p", 12_000, [alloc("inv-1", FEES, 400), alloc("inv-1", INTEREST, 600),
                                         alloc("inv-1", PRINCIPAL, 9_000)], credit=2_000)


def refunded(cents: int, refund_id: str = "r-1") -> CreditRefunded:
    return CreditRefunded(occurred_at=T0, debt_id=DEBT_ID, refund_id=refund_id,
                          amount=usd(cents), reason="overpayment")


def test_a_credit_is_refunded_up_to_its_amount_once_per_refund_id() -> None:
    outcome = given(debt_opened(), INV, OVERPAID).when(
        lambda d: d.refund_credit("r-1", usd(1_500), reason="overpayment", at=T0)
    ).then(refunded(1_500))
    assert outcome.aggregate.credit == usd(500)
    given(debt_opened(), INV, OVERPAID, refunded(1_500)).when(
        lambda d: d.refund_credit("r-1", usd(1_500), reason="overpayment", at=T0)
    ).then_nothing()
    given(debt_opened(), INV, OVERPAID, refunded(1_500)).when(
        lambda d: d.refund_credit("r-1", usd(100), reason="overpayment", at=T0)
    ).then_raises(RefundIdConflict)
    given(debt_opened(), INV, OVERPAID, refunded(1_500)).when(
        lambda d: d.refund_credit("r-2", usd(501), reason="overpayment", at=T0)
    ).then_raises(InsufficientCredit)
    given(debt_opened(), INV, OVERPAID).when(
        lambda d: d.refund_credit("r-2", usd(0), reason="overpayment", at=T0)
    ).then_raises(InvalidAmount)


def test_a_closed_debt_can_refund_its_credit() -> None:
    # Paid off with an overpayment: the debt refuses new business but returns the money.
    debt = given(debt_opened(), INV, OVERPAID).aggregate()
    assert debt.refund_credit("r-1", usd(2_000), reason="overpayment", at=T0)
    assert debt_balance(debt).credit == usd(0)


def test_a_chargeback_after_the_credit_was_refunded_leaves_a_visible_negative_credit() -> None:
    debt = given(debt_opened(), INV, OVERPAID, refunded(2_000)).aggregate()
    (evt,) = debt.reverse_payment("p", ReversalReason.CHARGEBACK, T0)
    assert isinstance(evt, PaymentReversed)
    # The debtor got the 2,000 back twice: the ledger shows it rather than hiding it.
    assert debt.credit == usd(-2_000) and debt.outstanding_total == usd(10_000)
