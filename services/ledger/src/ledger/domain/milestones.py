"""Overdue milestones: which "N days past due" marks an invoice has reached and not yet emitted.

Which calendar defines "today": the debt's time zone (the debtor's zone, recorded when the
debt is opened) when known. When it is not known we use ``Etc/GMT+12`` ("anywhere on
earth"), the last zone on the planet to finish a given date, not UTC: with UTC an invoice due
on the 10th would be "1 day past due" at 00:00 UTC on the 11th, which is the afternoon of the
10th in the Americas, while the person still has hours left to pay on time. Being up to a day
late with a reminder harms nobody; calling someone overdue before their due date has ended
does.

Several milestones due at once (the sweeper was down, or a partial payment made an older
invoice the earliest unpaid one): each is emitted exactly once, in ascending order. The ledger
records facts; deciding that a catch-up burst should collapse into the latest playbook step is
outreach's policy, and it can see the burst because each event carries ``days_past_due`` next
to ``milestone_days``. Emitting only the highest would lose the earlier facts for good and
would make the outcome depend on when the sweeper happened to run.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ledger.domain.errors import InvalidField
from ledger.domain.money import Money
from ledger.domain.values import require_aware

DEFAULT_MILESTONES: tuple[int, ...] = (1, 30, 60, 90, 120)

# The latest civil time zone on Earth (UTC-12). The POSIX sign is inverted: GMT+12 is UTC-12.
FALLBACK_ZONE = "Etc/GMT+12"


@dataclass(frozen=True)
class InvoiceMilestoneState:
    invoice_id: str
    due_on: date
    outstanding: Money
    emitted: frozenset[int]


def validate_milestones(milestones: Iterable[int]) -> tuple[int, ...]:
    values = tuple(sorted(set(milestones)))
    if not values or any(type(m) is not int or m < 1 for m in values):
        raise InvalidField("milestones must be positive whole days past due")
    return values


def days_past_due(due_on: date, today: date) -> int:
    return (today - due_on).days


def due_milestones(
    invoice: InvoiceMilestoneState,
    today: date,
    milestones: Collection[int] = DEFAULT_MILESTONES,
) -> tuple[int, ...]:
    """Milestones reached on ``today`` and not emitted yet; nothing for a paid invoice."""
    if not invoice.outstanding.is_positive:
        return ()
    late = days_past_due(invoice.due_on, today)
    return tuple(
        m for m in validate_milestones(milestones) if m <= late and m not in invoice.emitted
    )


def today_in(time_zone: str | None, now: datetime) -> date:
    """The calendar date of ``now`` in the debt's zone (see the module docstring)."""
    zone = ZoneInfo(time_zone or FALLBACK_ZONE)
    return require_aware(now, "now").astimezone(zone).date()
