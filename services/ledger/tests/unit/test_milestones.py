from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ledger.domain.components import Component
from ledger.domain.debt_events import InvoiceOverdueMilestoneReached
from ledger.domain.errors import MilestoneNotDue, UnknownInvoice
from ledger.domain.milestones import InvoiceMilestoneState, due_milestones, today_in

from .factories import (
    DEBT_ID,
    DEBTOR_ID,
    TENANT_ID,
    alloc,
    at,
    debt_opened,
    debt_with,
    given,
    invoice_issued,
    payment_applied,
    usd,
)

DUE = date(2025, 1, 1)
A = invoice_issued("a", due_on=DUE, principal=1_000)
B = invoice_issued("b", due_on=date(2025, 2, 1), principal=1_000)


def reached(
    invoice_id: str, milestone: int, today: date, *, due: date = DUE, outstanding: int = 1_000
) -> InvoiceOverdueMilestoneReached:
    return InvoiceOverdueMilestoneReached(
        occurred_at=at(),
        debt_id=DEBT_ID,
        tenant_id=TENANT_ID,
        debtor_id=DEBTOR_ID,
        invoice_id=invoice_id,
        due_date=due,
        milestone_days=milestone,
        days_past_due=(today - due).days,
        outstanding=usd(outstanding),
        governing_state="CA",
        as_of=today,
    )


def state(outstanding: int = 1_000, emitted: frozenset[int] = frozenset()) -> InvoiceMilestoneState:
    return InvoiceMilestoneState("a", DUE, usd(outstanding), emitted)


# -- the pure function ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 1, 1), ()),
        (date(2025, 1, 2), (1,)),
        (date(2025, 1, 30), (1,)),
        (date(2025, 1, 31), (1, 30)),
        (date(2025, 5, 1), (1, 30, 60, 90, 120)),
    ],
)
def test_due_milestones_are_those_reached_by_days_past_due(
    today: date, expected: tuple[int, ...]
) -> None:
    assert due_milestones(state(), today) == expected


def test_milestones_already_emitted_are_not_due_again() -> None:
    assert due_milestones(state(emitted=frozenset({1, 30})), date(2025, 3, 5)) == (60,)


def test_a_paid_invoice_has_no_due_milestones() -> None:
    assert due_milestones(state(outstanding=0), date(2025, 6, 1)) == ()


def test_milestones_are_configurable() -> None:
    assert due_milestones(state(), date(2025, 1, 16), milestones=(15, 7, 45)) == (7, 15)
    with pytest.raises(Exception, match="positive"):
        due_milestones(state(), date(2025, 1, 16), milestones=(0,))


def test_today_is_the_date_in_the_debts_zone() -> None:
    now = datetime(2025, 1, 2, 5, 0, tzinfo=UTC)  # still 1 January in Los Angeles
    assert today_in("America/Los_Angeles", now) == date(2025, 1, 1)
    assert today_in("Europe/Berlin", now) == date(2025, 1, 2)


def test_without_a_zone_today_is_the_last_place_on_earth_to_finish_the_day() -> None:
    assert today_in(None, datetime(2025, 1, 2, 11, 59, tzinfo=UTC)) == date(2025, 1, 1)
    assert today_in(None, datetime(2025, 1, 2, 12, 0, tzinfo=UTC)) == date(2025, 1, 2)


# -- recording on the debt -------------------------------------------------------------------


def test_recording_a_reached_milestone_records_the_contract_fields() -> None:
    given(debt_opened(), A).when(
        lambda d: d.record_overdue_milestone("a", 1, date(2025, 1, 2), at())
    ).then(reached("a", 1, date(2025, 1, 2)))


def test_recording_the_same_milestone_again_is_a_no_op() -> None:
    outcome = given(debt_opened(), A, reached("a", 1, date(2025, 1, 2))).when(
        lambda d: d.record_overdue_milestone("a", 1, date(2025, 1, 3), at())
    )
    outcome.then_nothing()
    assert outcome.returned == ()


def test_two_racing_sweepers_produce_one_event() -> None:
    first = debt_with(A)
    second = debt_with(A)
    won = first.record_overdue_milestone("a", 1, date(2025, 1, 2), at())
    assert len(won) == 1
    # The loser's append conflicts on the stream version; it reloads and tries again.
    reloaded = debt_with(A, *won)
    assert len(second.pending_events) == 0
    assert reloaded.record_overdue_milestone("a", 1, date(2025, 1, 2), at()) == ()


def test_recording_a_milestone_not_yet_reached_is_refused() -> None:
    given(debt_opened(), A).when(
        lambda d: d.record_overdue_milestone("a", 30, date(2025, 1, 30), at())
    ).then_raises(MilestoneNotDue)
    given(debt_opened(), A).when(
        lambda d: d.record_overdue_milestone("zz", 1, date(2025, 1, 30), at())
    ).then_raises(UnknownInvoice)


def test_a_paid_invoice_records_nothing() -> None:
    paid = payment_applied("p", 1_000, [alloc("a", Component.PRINCIPAL, 1_000)])
    given(debt_opened(), A, paid).when(
        lambda d: d.record_overdue_milestone("a", 1, date(2025, 1, 2), at())
    ).then_nothing()


def test_each_milestone_is_emitted_exactly_once_across_daily_sweeps() -> None:
    debt = debt_with(A)
    emitted = []
    day = date(2024, 12, 25)
    while day <= date(2025, 6, 1):
        emitted += [e.milestone_days for e in debt.record_due_milestones(day, at())]  # type: ignore[attr-defined]
        day = date.fromordinal(day.toordinal() + 1)
    assert emitted == [1, 30, 60, 90, 120]


def test_a_sweep_after_downtime_catches_up_every_missed_milestone_in_order() -> None:
    today = date(2025, 4, 5)  # 94 days past due
    given(debt_opened(), A, reached("a", 1, date(2025, 1, 2))).when(
        lambda d: d.record_due_milestones(today, at())
    ).then(reached("a", 30, today), reached("a", 60, today), reached("a", 90, today))


def test_a_partial_payment_moving_the_earliest_unpaid_invoice_loses_no_milestone() -> None:
    # Invoice a is paid off; b (due 1 Feb) becomes the earliest unpaid invoice. b's own
    # milestones derive from b's due date, so 1 and 30 still come out once each.
    pays_a = payment_applied(
        "p", 1_500, [alloc("a", Component.PRINCIPAL, 1_000), alloc("b", Component.PRINCIPAL, 500)]
    )
    today = date(2025, 3, 5)
    given(
        debt_opened(),
        A,
        B,
        reached("a", 1, date(2025, 1, 2)),
        reached("a", 30, date(2025, 1, 31)),
        pays_a,
    ).when(lambda d: d.record_due_milestones(today, at())).then(
        reached("b", 1, today, due=date(2025, 2, 1), outstanding=500),
        reached("b", 30, today, due=date(2025, 2, 1), outstanding=500),
    )


def test_milestones_of_several_unpaid_invoices_come_oldest_invoice_first() -> None:
    today = date(2025, 2, 2)
    given(debt_opened(), B, A).when(lambda d: d.record_due_milestones(today, at())).then(
        reached("a", 1, today),
        reached("a", 30, today),
        reached("b", 1, today, due=date(2025, 2, 1)),
    )
