from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ledger.domain.components import Component
from ledger.domain.debt import Debt, DebtStatus
from ledger.domain.debt_events import (
    DebtPlaced,
    DebtPurpose,
    DebtType,
    DebtWrittenOff,
    DisputeMedium,
    DisputeOutcome,
    DisputeRaised,
    DisputeResolved,
    InstalmentRef,
    InstalmentTerms,
    Itemization,
    PlacementRecalled,
    ReversalReason,
    SettlementAgreed,
    SettlementBroken,
    SettlementCompleted,
    SettlementInstalment,
)
from ledger.domain.errors import (
    CurrencyMismatch,
    DebtClosed,
    DisputeAlreadyResolved,
    DuplicateDispute,
    DuplicateInvoice,
    InvalidAccountNumber,
    InvalidAmount,
    InvalidField,
    InvalidTimestamp,
    InvalidTimeZone,
    NothingToWriteOff,
    NotPlaced,
    PlacementRefused,
    SettlementRefused,
    UnknownDispute,
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
INV = invoice_issued("inv-1", principal=9_000, interest=600, fees=400)  # 10,000 in total


def open_debt(**overrides: object) -> Debt:
    args: dict[str, object] = {
        "debt_id": DEBT_ID,
        "tenant_id": "t",
        "debtor_id": "p",
        "original_creditor": "Acme",
        "account_last4": "1234",
        "debt_type": DebtType.MEDICAL,
        "purpose": DebtPurpose.CONSUMER,
        "currency": "USD",
        "at": T0,
    }
    args.update(overrides)
    return Debt.open(**args)  # type: ignore[arg-type]


# -- opening and invoices --------------------------------------------------------------------


def test_opening_records_debt_opened_with_the_last_four_digits_only() -> None:
    debt = open_debt(governing_state="NY", time_zone="America/New_York")
    (evt,) = debt.pending_events
    assert evt == debt_opened(
        debtor_id="p",
        tenant_id="t",
        original_creditor="Acme",
        account_last4="1234",
        debt_type=DebtType.MEDICAL,
        governing_state="NY",
        time_zone="America/New_York",
    )
    assert debt.version == 1 and debt.committed_version == 0


@pytest.mark.parametrize("number", ["4111111111111111", "41111", "12a4", "123", "****1234"])
def test_anything_but_four_digits_is_refused_as_an_account_number(number: str) -> None:
    with pytest.raises(InvalidAccountNumber):
        open_debt(account_last4=number)


def test_opening_refuses_unknown_zones_naive_times_and_bad_codes() -> None:
    with pytest.raises(InvalidTimeZone):
        open_debt(time_zone="Mars/Olympus_Mons")
    with pytest.raises(InvalidTimestamp):
        open_debt(at=datetime(2025, 1, 1))
    with pytest.raises(InvalidField):
        open_debt(governing_state="California")


def test_itemization_must_be_in_the_debt_currency_and_not_negative() -> None:
    good = Itemization(date(2024, 12, 31), usd(9_000), usd(600), usd(400), usd(0), usd(0))
    assert open_debt(itemization=good).opened.itemization == good
    with pytest.raises(InvalidAmount):
        open_debt(
            itemization=Itemization(date(2024, 12, 31), usd(-1), usd(0), usd(0), usd(0), usd(0))
        )
    with pytest.raises(CurrencyMismatch):
        bad = Itemization(date(2024, 12, 31), Money(1, "EUR"), usd(0), usd(0), usd(0), usd(0))
        open_debt(itemization=bad)


def test_add_invoice_records_invoice_issued() -> None:
    given(debt_opened()).when(
        lambda d: d.add_invoice(
            "inv-1",
            issued_on=date(2025, 1, 30),
            due_on=date(2025, 3, 1),
            principal=usd(9_000),
            interest=usd(600),
            fees=usd(400),
            at=T0,
        )
    ).then(invoice_issued("inv-1", principal=9_000, interest=600, fees=400))


def test_an_instalment_schedule_issues_one_invoice_per_instalment() -> None:
    terms = [
        InstalmentTerms(date(2025, 4, 1), usd(5_000)),
        InstalmentTerms(date(2025, 5, 1), usd(5_000)),
    ]
    given(debt_opened()).when(
        lambda d: d.add_instalment_schedule(
            "plan", issued_on=date(2025, 3, 1), instalments=terms, at=T0
        )
    ).then(
        invoice_issued(
            "plan-1",
            due_on=date(2025, 4, 1),
            issued_on=date(2025, 3, 1),
            principal=5_000,
            instalment=InstalmentRef("plan", 1, 2),
        ),
        invoice_issued(
            "plan-2",
            due_on=date(2025, 5, 1),
            issued_on=date(2025, 3, 1),
            principal=5_000,
            instalment=InstalmentRef("plan", 2, 2),
        ),
    )


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"principal": usd(0)}, InvalidField),
        ({"principal": usd(-5)}, InvalidAmount),
        ({"principal": Money(5, "EUR")}, CurrencyMismatch),
        ({"due_on": date(2025, 1, 1)}, InvalidField),
        ({"invoice_id": "inv-1"}, DuplicateInvoice),
    ],
)
def test_invalid_invoices_are_refused(kwargs: dict[str, object], error: type[Exception]) -> None:
    args: dict[str, object] = {
        "invoice_id": "inv-2",
        "issued_on": date(2025, 2, 1),
        "due_on": date(2025, 3, 1),
        "principal": usd(100),
        "at": T0,
    }
    args.update(kwargs)
    given(debt_opened(), INV).when(lambda d: d.add_invoice(**args)).then_raises(error)


def test_a_paid_off_debt_refuses_new_invoices() -> None:
    paid = payment_applied(
        "p1",
        10_000,
        [
            alloc("inv-1", FEES, 400),
            alloc("inv-1", INTEREST, 600),
            alloc("inv-1", PRINCIPAL, 9_000),
        ],
    )
    given(debt_opened(), INV, paid).when(
        lambda d: d.add_invoice(
            "inv-2", issued_on=date(2025, 3, 1), due_on=date(2025, 4, 1), principal=usd(1), at=T0
        )
    ).then_raises(DebtClosed, "paid_off")


# -- disputes --------------------------------------------------------------------------------


def dispute(
    dispute_id: str = "d1", portion: Money | None = None, written: bool = True
) -> DisputeRaised:
    return DisputeRaised(
        occurred_at=at(1),
        debt_id=DEBT_ID,
        dispute_id=dispute_id,
        written=written,
        medium=DisputeMedium.LETTER,
        portion=portion,
    )


def test_a_written_dispute_of_the_whole_debt_marks_the_whole_balance_disputed() -> None:
    outcome = given(debt_opened(), INV).when(
        lambda d: d.raise_dispute(
            "d1", written=True, medium=DisputeMedium.LETTER, received_at=at(1)
        )
    )
    outcome.then(dispute())
    assert debt_balance(outcome.aggregate).disputed == usd(10_000)


def test_an_oral_dispute_of_a_portion_marks_only_that_portion() -> None:
    outcome = given(debt_opened(), INV).when(
        lambda d: d.raise_dispute(
            "d1", written=False, medium=DisputeMedium.PHONE, received_at=at(1), portion=usd(2_500)
        )
    )
    assert debt_balance(outcome.aggregate).disputed == usd(2_500)
    assert outcome.produced[0] == DisputeRaised(
        occurred_at=at(1),
        debt_id=DEBT_ID,
        dispute_id="d1",
        written=False,
        medium=DisputeMedium.PHONE,
        portion=usd(2_500),
    )


def test_disputed_amount_never_exceeds_the_balance() -> None:
    debt = debt_with(INV, dispute("d1", usd(8_000)), dispute("d2", usd(8_000)))
    assert debt_balance(debt).disputed == usd(10_000)


@pytest.mark.parametrize("portion", [usd(0), usd(-1)])
def test_a_zero_or_negative_disputed_portion_is_refused(portion: Money) -> None:
    given(debt_opened(), INV).when(
        lambda d: d.raise_dispute(
            "d1", written=True, medium=DisputeMedium.WEB, received_at=at(1), portion=portion
        )
    ).then_raises(InvalidAmount)


def test_a_dispute_id_cannot_be_reused() -> None:
    given(debt_opened(), INV, dispute()).when(
        lambda d: d.raise_dispute("d1", written=True, medium=DisputeMedium.WEB, received_at=at(1))
    ).then_raises(DuplicateDispute)


def test_resolving_with_verification_sent_clears_the_disputed_amount() -> None:
    outcome = given(debt_opened(), INV, dispute()).when(
        lambda d: d.resolve_dispute(
            "d1", outcome=DisputeOutcome.UPHELD, at=at(10), verification_sent_at=at(9)
        )
    )
    outcome.then(
        DisputeResolved(
            occurred_at=at(10),
            debt_id=DEBT_ID,
            dispute_id="d1",
            outcome=DisputeOutcome.UPHELD,
            verification_sent_at=at(9),
        )
    )
    assert debt_balance(outcome.aggregate).disputed == usd(0)


def test_an_upheld_dispute_needs_verification_but_a_withdrawal_does_not() -> None:
    given(debt_opened(), INV, dispute()).when(
        lambda d: d.resolve_dispute("d1", outcome=DisputeOutcome.CORRECTED, at=at(10))
    ).then_raises(InvalidField, "verification_sent_at")
    given(debt_opened(), INV, dispute()).when(
        lambda d: d.resolve_dispute("d1", outcome=DisputeOutcome.WITHDRAWN, at=at(10))
    ).then(
        DisputeResolved(
            occurred_at=at(10),
            debt_id=DEBT_ID,
            dispute_id="d1",
            outcome=DisputeOutcome.WITHDRAWN,
            verification_sent_at=None,
        )
    )


def test_resolving_unknown_or_resolved_disputes_is_an_error() -> None:
    given(debt_opened(), INV).when(
        lambda d: d.resolve_dispute("d9", outcome=DisputeOutcome.WITHDRAWN, at=at(2))
    ).then_raises(UnknownDispute)
    resolved = DisputeResolved(
        occurred_at=at(2),
        debt_id=DEBT_ID,
        dispute_id="d1",
        outcome=DisputeOutcome.WITHDRAWN,
        verification_sent_at=None,
    )
    given(debt_opened(), INV, dispute(), resolved).when(
        lambda d: d.resolve_dispute("d1", outcome=DisputeOutcome.WITHDRAWN, at=at(3))
    ).then_raises(DisputeAlreadyResolved)


# -- settlements and write-offs --------------------------------------------------------------

DEADLINE = at(30)
AGREED = SettlementAgreed(
    occurred_at=at(1),
    debt_id=DEBT_ID,
    settlement_id="s1",
    amount=usd(6_000),
    balance_at_agreement=usd(10_000),
    deadline=DEADLINE,
    instalments=(),
)


def test_a_settlement_for_less_than_the_balance_is_agreed() -> None:
    given(debt_opened(), INV).when(
        lambda d: d.agree_settlement("s1", amount=usd(6_000), deadline=DEADLINE, at=at(1))
    ).then(AGREED)


@pytest.mark.parametrize("cents", [10_000, 10_001])
def test_a_settlement_not_below_the_balance_is_refused(cents: int) -> None:
    given(debt_opened(), INV).when(
        lambda d: d.agree_settlement("s1", amount=usd(cents), deadline=DEADLINE, at=at(1))
    ).then_raises(SettlementRefused, "less than")


def test_settlement_instalments_must_add_up_and_a_second_settlement_waits() -> None:
    parts = [
        SettlementInstalment(date(2025, 3, 10), usd(3_000)),
        SettlementInstalment(date(2025, 3, 20), usd(2_000)),
    ]
    given(debt_opened(), INV).when(
        lambda d: d.agree_settlement(
            "s1", amount=usd(6_000), deadline=DEADLINE, at=at(1), instalments=parts
        )
    ).then_raises(SettlementRefused, "add up")
    given(debt_opened(), INV, AGREED).when(
        lambda d: d.agree_settlement("s2", amount=usd(5_000), deadline=DEADLINE, at=at(2))
    ).then_raises(SettlementRefused, "still active")


def test_paying_the_settled_amount_completes_it_and_writes_off_the_remainder() -> None:
    part1 = payment_applied(
        "p1",
        4_000,
        [
            alloc("inv-1", FEES, 400),
            alloc("inv-1", INTEREST, 600),
            alloc("inv-1", PRINCIPAL, 3_000),
        ],
        settlement_id="s1",
    )
    outcome = given(debt_opened(), INV, AGREED, part1).when(
        lambda d: d.apply_payment("p2", usd(2_000), at(5))
    )
    outcome.then(
        payment_applied(
            "p2", 2_000, [alloc("inv-1", PRINCIPAL, 2_000)], received_at=at(5), settlement_id="s1"
        ),
        SettlementCompleted(
            occurred_at=at(5), debt_id=DEBT_ID, settlement_id="s1", paid=usd(6_000)
        ),
        DebtWrittenOff(
            occurred_at=at(5),
            debt_id=DEBT_ID,
            amount=usd(4_000),
            allocations=(alloc("inv-1", PRINCIPAL, 4_000),),
            reason="settlement_remainder",
            settlement_id="s1",
        ),
    )
    assert outcome.aggregate.status is DebtStatus.SETTLED
    assert debt_balance(outcome.aggregate).total == usd(0)


def test_paying_more_than_the_settlement_keeps_the_excess_as_credit() -> None:
    outcome = given(debt_opened(), INV, AGREED).when(
        lambda d: d.apply_payment("p1", usd(7_000), at(5))
    )
    applied = outcome.produced[0]
    assert applied == payment_applied(
        "p1",
        7_000,
        [
            alloc("inv-1", FEES, 400),
            alloc("inv-1", INTEREST, 600),
            alloc("inv-1", PRINCIPAL, 5_000),
        ],
        credit=1_000,
        received_at=at(5),
        settlement_id="s1",
    )
    assert outcome.aggregate.credit == usd(1_000)
    assert outcome.aggregate.status is DebtStatus.SETTLED


def test_a_settlement_is_broken_once_its_deadline_passes_unpaid() -> None:
    given(debt_opened(), INV, AGREED).when(
        lambda d: d.check_settlement_deadline(DEADLINE)
    ).then_nothing()
    outcome = given(debt_opened(), INV, AGREED).when(
        lambda d: d.check_settlement_deadline(DEADLINE + timedelta(seconds=1))
    )
    outcome.then(
        SettlementBroken(
            occurred_at=DEADLINE + timedelta(seconds=1),
            debt_id=DEBT_ID,
            settlement_id="s1",
            deadline=DEADLINE,
            paid=usd(0),
        )
    )
    assert outcome.aggregate.settlement is None
    assert outcome.aggregate.status is DebtStatus.OPEN


def test_payments_after_a_broken_settlement_pay_the_full_balance_down() -> None:
    broken = SettlementBroken(
        occurred_at=at(31), debt_id=DEBT_ID, settlement_id="s1", deadline=DEADLINE, paid=usd(0)
    )
    outcome = given(debt_opened(), INV, AGREED, broken).when(
        lambda d: d.apply_payment("p1", usd(6_000), at(32))
    )
    assert len(outcome.produced) == 1
    assert debt_balance(outcome.aggregate).total == usd(4_000)


def test_write_off_takes_every_outstanding_component_and_closes_the_debt() -> None:
    outcome = given(debt_opened(), INV).when(lambda d: d.write_off("uncollectible", at(3)))
    outcome.then(
        DebtWrittenOff(
            occurred_at=at(3),
            debt_id=DEBT_ID,
            amount=usd(10_000),
            allocations=(
                alloc("inv-1", FEES, 400),
                alloc("inv-1", INTEREST, 600),
                alloc("inv-1", PRINCIPAL, 9_000),
            ),
            reason="uncollectible",
            settlement_id=None,
        )
    )
    assert outcome.aggregate.status is DebtStatus.WRITTEN_OFF


def test_a_write_off_of_zero_is_refused() -> None:
    given(debt_opened()).when(lambda d: d.write_off("uncollectible", at(3))).then_raises(
        NothingToWriteOff
    )


def test_a_written_off_debt_refuses_invoices_settlements_and_another_write_off() -> None:
    written = DebtWrittenOff(
        occurred_at=at(3),
        debt_id=DEBT_ID,
        amount=usd(10_000),
        allocations=(
            alloc("inv-1", FEES, 400),
            alloc("inv-1", INTEREST, 600),
            alloc("inv-1", PRINCIPAL, 9_000),
        ),
        reason="uncollectible",
        settlement_id=None,
    )
    state = given(debt_opened(), INV, written)
    state.when(lambda d: d.write_off("again", at(4))).then_raises(DebtClosed)
    state.when(
        lambda d: d.agree_settlement("s", amount=usd(1), deadline=DEADLINE, at=at(4))
    ).then_raises(DebtClosed)
    state.when(
        lambda d: d.add_invoice(
            "x", issued_on=date(2025, 3, 1), due_on=date(2025, 3, 2), principal=usd(1), at=at(4)
        )
    ).then_raises(DebtClosed)


# -- placement -------------------------------------------------------------------------------

PLACED = DebtPlaced(occurred_at=at(2), debt_id=DEBT_ID, placement_id="pl1", agency_id="agency-9")


def test_a_debt_is_placed_with_an_agency_and_recalled() -> None:
    given(debt_opened(), INV).when(lambda d: d.place_with_agency("pl1", "agency-9", at(2))).then(
        PLACED
    )
    outcome = given(debt_opened(), INV, PLACED).when(
        lambda d: d.recall_placement("performance", at(9))
    )
    outcome.then(
        PlacementRecalled(
            occurred_at=at(9),
            debt_id=DEBT_ID,
            placement_id="pl1",
            agency_id="agency-9",
            reason="performance",
        )
    )
    assert outcome.aggregate.placement_agency is None


def test_placing_twice_or_recalling_an_unplaced_debt_is_refused() -> None:
    given(debt_opened(), INV, PLACED).when(
        lambda d: d.place_with_agency("pl2", "agency-2", at(3))
    ).then_raises(PlacementRefused)
    given(debt_opened(), INV).when(lambda d: d.recall_placement("x", at(3))).then_raises(NotPlaced)


def test_a_reversed_settlement_payment_no_longer_counts_towards_the_settlement() -> None:
    part = payment_applied(
        "p1",
        4_000,
        [
            alloc("inv-1", FEES, 400),
            alloc("inv-1", INTEREST, 600),
            alloc("inv-1", PRINCIPAL, 3_000),
        ],
        settlement_id="s1",
    )
    debt = debt_with(INV, AGREED, part)
    debt.reverse_payment("p1", ReversalReason.CHARGEBACK, at(6))
    assert debt.settlement is not None and debt.settlement.paid == usd(0)
    events = debt.apply_payment("p2", usd(2_000), at(7))
    assert [e.NAME for e in events] == ["ledger.PaymentApplied"]
    assert debt.status is DebtStatus.OPEN
