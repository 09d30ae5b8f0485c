"""Pure parts of the adapters: public twins, the milestone queue instant, error mapping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from goodfaith_events.contracts import REGISTRY, InvoiceOverdue, Topics
from ledger.adapters.projections import day_starts_at, next_milestone
from ledger.adapters.streams import public_count, public_twin
from ledger.domain import errors as e
from ledger.domain.debt import Debt
from ledger.domain.debt_events import DebtPurpose, DebtType, DisputeMedium
from ledger.domain.milestones import today_in
from ledger.entrypoints.errors import problem_for

from .factories import T0, usd


def debt_with_invoice(zone: str | None = "America/Los_Angeles") -> Debt:
    debt = Debt.open(debt_id="d1", tenant_id="t1", debtor_id="p1", original_creditor="Acme",
                     account_last4="4242", debt_type=DebtType.CREDIT_CARD,
                     purpose=DebtPurpose.CONSUMER, currency="USD", at=T0, time_zone=zone)
    debt.add_invoice("INV-1", issued_on=date(2025, 1, 1), due_on=date(2025, 3, 1),
                     principal=usd(10_000), at=T0)
    return debt


def test_a_milestone_event_becomes_a_valid_public_invoice_overdue_keyed_by_debt() -> None:
    debt = debt_with_invoice()
    (evt,) = debt.record_due_milestones(date(2025, 3, 2), T0)
    twin = public_twin(evt, debt.debtor_id)
    assert twin is not None and twin.type == REGISTRY.spec_for(InvoiceOverdue).name
    assert twin.publish_to == (Topics.INVOICE_OVERDUE, "d1")
    contract = InvoiceOverdue.model_validate(twin.payload)
    assert (contract.milestone_days, contract.outstanding.amount_minor) == (1, 10_000)


def test_only_milestones_and_disputes_have_public_twins() -> None:
    debt = debt_with_invoice()
    dispute = debt.raise_dispute("x", written=True, medium=DisputeMedium.LETTER, received_at=T0)
    paid = debt.apply_payment("p", usd(100), T0)[0]
    twin = public_twin(dispute, "p1")
    assert twin is not None and twin.publish_to == (Topics.DISPUTE_RAISED, "d1")
    assert public_twin(paid, "p1") is None
    assert public_count([e.NAME for e in debt.pending_events]) == 1


def test_the_queue_instant_is_the_first_moment_of_the_day_in_the_debt_zone() -> None:
    debt = debt_with_invoice()
    days, due_at = next_milestone(debt.invoices["INV-1"], (1, 30), debt.time_zone) or (0, None)
    assert days == 1 and due_at == datetime(2025, 3, 2, 8, tzinfo=UTC)  # PST midnight
    assert today_in(debt.time_zone, due_at) == date(2025, 3, 2)
    assert today_in(debt.time_zone, due_at - timedelta(microseconds=1)) == date(2025, 3, 1)


def test_without_a_zone_the_day_starts_anywhere_on_earth_last() -> None:
    assert day_starts_at(date(2025, 3, 2), None) == datetime(2025, 3, 2, 12, tzinfo=UTC)


def test_a_midnight_in_a_dst_gap_resolves_to_a_moment_already_on_that_day() -> None:
    # Santiago skipped 00:00-01:00 on 2024-09-08.
    start = day_starts_at(date(2024, 9, 8), "America/Santiago")
    assert today_in("America/Santiago", start) == date(2024, 9, 8)
    assert today_in("America/Santiago", start - timedelta(hours=1)) == date(2024, 9, 7)


def test_a_paid_invoice_leaves_the_queue() -> None:
    debt = debt_with_invoice()
    debt.apply_payment("p", usd(10_000), T0)
    assert next_milestone(debt.invoices["INV-1"], (1,), debt.time_zone) is None


def test_domain_errors_map_to_404_409_or_422_problems() -> None:
    assert problem_for(e.UnknownDebt("x")).status == 404
    assert problem_for(e.PaymentIdConflict("x")).status == 409
    problem = problem_for(e.CurrencyMismatch("USD and EUR"))
    assert problem.status == 422 and problem.type.endswith("/currency-mismatch")
