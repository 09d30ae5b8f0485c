"""Aging: outstanding amounts bucketed by days past due, per invoice, as of a date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ledger.domain.milestones import days_past_due
from ledger.domain.money import Money, total
from ledger.domain.views import DebtBalance


class AgingBucket(StrEnum):
    CURRENT = "current"
    DAYS_1_30 = "1-30"
    DAYS_31_60 = "31-60"
    DAYS_61_90 = "61-90"
    DAYS_91_120 = "91-120"
    OVER_120 = "over_120"


# Upper bound (inclusive) of days past due for each bucket; "current" is not yet past due.
_UPPER_BOUNDS: tuple[tuple[int, AgingBucket], ...] = (
    (0, AgingBucket.CURRENT),
    (30, AgingBucket.DAYS_1_30),
    (60, AgingBucket.DAYS_31_60),
    (90, AgingBucket.DAYS_61_90),
    (120, AgingBucket.DAYS_91_120),
)


@dataclass(frozen=True)
class AgingReport:
    as_of: date
    currency: str
    buckets: dict[AgingBucket, Money]

    @property
    def total(self) -> Money:
        return total(list(self.buckets.values()), self.currency)


def bucket_for(days: int) -> AgingBucket:
    """Day 0 (the due date itself) and earlier are current; day 1 is the first late day."""
    for upper, bucket in _UPPER_BOUNDS:
        if days <= upper:
            return bucket
    return AgingBucket.OVER_120


def age(balance: DebtBalance, as_of: date) -> AgingReport:
    buckets = {bucket: Money.zero(balance.currency) for bucket in AgingBucket}
    for invoice in balance.invoices:
        if invoice.outstanding.is_positive:
            bucket = bucket_for(days_past_due(invoice.due_on, as_of))
            buckets[bucket] = buckets[bucket] + invoice.outstanding
    return AgingReport(as_of=as_of, currency=balance.currency, buckets=buckets)


def age_portfolio(balances: Iterable[DebtBalance], as_of: date) -> dict[str, AgingReport]:
    """Aging across debts, one report per currency."""
    reports: dict[str, AgingReport] = {}
    for balance in balances:
        report = age(balance, as_of)
        previous = reports.get(balance.currency)
        reports[balance.currency] = report if previous is None else _merge(previous, report)
    return reports


def _merge(a: AgingReport, b: AgingReport) -> AgingReport:
    merged = {bucket: a.buckets[bucket] + b.buckets[bucket] for bucket in AgingBucket}
    return AgingReport(as_of=a.as_of, currency=a.currency, buckets=merged)
