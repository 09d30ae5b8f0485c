from __future__ import annotations

from datetime import date, timedelta

import pytest

from ledger.domain.aging import AgingBucket, age, age_portfolio, bucket_for
from ledger.domain.components import Component
from ledger.domain.debt_events import DebtOpened
from ledger.domain.money import Money
from ledger.domain.views import debt_balance

from .factories import alloc, debt_opened, debt_with, given, invoice_issued, payment_applied, usd

DUE = date(2025, 1, 1)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, AgingBucket.CURRENT),
        (0, AgingBucket.CURRENT),
        (1, AgingBucket.DAYS_1_30),
        (30, AgingBucket.DAYS_1_30),
        (31, AgingBucket.DAYS_31_60),
        (60, AgingBucket.DAYS_31_60),
        (61, AgingBucket.DAYS_61_90),
        (90, AgingBucket.DAYS_61_90),
        (91, AgingBucket.DAYS_91_120),
        (120, AgingBucket.DAYS_91_120),
        (121, AgingBucket.OVER_120),
    ],
)
def test_bucket_edges(days: int, bucket: AgingBucket) -> None:
    assert bucket_for(days) is bucket
    debt = debt_with(invoice_issued("a", due_on=DUE, principal=700))
    report = age(debt_balance(debt), DUE + timedelta(days=days))
    assert report.buckets[bucket] == usd(700)
    assert report.total == usd(700)


def test_each_invoice_ages_by_its_own_due_date_and_paid_invoices_drop_out() -> None:
    debt = debt_with(
        invoice_issued("a", due_on=date(2025, 1, 1), principal=100),
        invoice_issued("b", due_on=date(2025, 3, 1), principal=200),
        invoice_issued("c", due_on=date(2025, 4, 1), principal=400),
        invoice_issued("paid", due_on=date(2024, 1, 1), principal=800),
        payment_applied(
            "p", 850, [alloc("paid", Component.PRINCIPAL, 800), alloc("a", Component.PRINCIPAL, 50)]
        ),
    )
    report = age(debt_balance(debt), date(2025, 4, 1))
    assert report.buckets[AgingBucket.DAYS_61_90] == usd(50)
    assert report.buckets[AgingBucket.DAYS_31_60] == usd(200)
    assert report.buckets[AgingBucket.CURRENT] == usd(400)
    assert report.buckets[AgingBucket.OVER_120] == usd(0)
    assert report.total == usd(650)


def test_a_portfolio_is_aged_per_currency() -> None:
    usd_debt = debt_with(invoice_issued("a", due_on=DUE, principal=100))
    eur_opened: DebtOpened = debt_opened(debt_id="debt-2", currency="EUR")
    eur_debt = given(eur_opened).aggregate()
    eur_debt.add_invoice(
        "e", issued_on=DUE, due_on=DUE, principal=Money(300, "EUR"), at=eur_opened.occurred_at
    )
    reports = age_portfolio(
        [debt_balance(usd_debt), debt_balance(usd_debt), debt_balance(eur_debt)], date(2025, 1, 10)
    )
    assert reports["USD"].buckets[AgingBucket.DAYS_1_30] == usd(200)
    assert reports["EUR"].total.amount == 300
