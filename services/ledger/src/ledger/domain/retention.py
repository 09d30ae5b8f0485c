"""The record-retention hold on erasure (Regulation F, 12 CFR 1006.100(a),(b); FED-RECORDS).

A debt collector keeps the records that evidence compliance from the start of collection
activity on a debt until 3 years after the last collection activity on it. Destroying a
debtor's key (crypto-shredding) destroys the identifying half of those records, so erasure
waits until every one of the debtor's debts is closed and 3 years past its last activity.
The privacy laws that grant erasure exempt data kept to meet a legal obligation (CCPA
1798.105(d), GDPR art. 17(3)(b)): the answer inside the window is a refusal, not a deletion.

What counts as closed, what counts as activity and why: docs/service.md, "Erasure and the
record-retention hold".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime

from ledger.domain.debt import DebtStatus
from ledger.domain.errors import RetentionHold
from ledger.domain.values import require_aware

# Paid in full, settled in full, written off: the ledger refuses every further collection
# step on these (new invoices, settlements, placement; a payment is parked, not applied).
CLOSED_STATUSES = frozenset({DebtStatus.PAID_OFF, DebtStatus.SETTLED, DebtStatus.WRITTEN_OFF})
# What a hold that outlives the calendar reads as: an activity instant 3 years before year
# 10000 (a contract allows it) must hold the erasure, not crash it.
NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class DebtRecord:
    """What the hold needs of one debt: its status and the latest instant anything happened
    on it that the ledger knows of (its own events, and contact attempts naming it)."""

    debt_id: str
    status: DebtStatus
    last_event_at: datetime
    last_attempt_at: datetime | None = None
    # Still placed with an agency: someone is collecting it whatever its status says.
    placed: bool = False

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES and not self.placed


def plus_three_years(at: datetime) -> datetime:
    """The same calendar instant 3 years later; 29 February becomes 1 March (the later date
    is the safe one). Exactly compliance's ``_plus_three_years`` (decisions.md D-31), on the
    UTC instant."""
    at = require_aware(at, "at")
    if at.year + 3 > MAXYEAR:
        return NEVER
    try:
        return at.replace(year=at.year + 3)
    except ValueError:
        return datetime.combine(date(at.year + 3, 3, 1), at.timetz())


def last_collection_activity(debt: DebtRecord, debtor_attempt_at: datetime | None) -> datetime:
    """The latest of the debt's own events and every attempt about the debt or its debtor.

    An attempt about the debtor counts for each of their debts: an attempt names the debts
    it was about, but a conversation with the person is evidence about all of them."""
    instants = [debt.last_event_at, debt.last_attempt_at, debtor_attempt_at]
    return max(require_aware(i, "activity") for i in instants if i is not None)


def keep_until(debts: Sequence[DebtRecord], debtor_attempt_at: datetime | None) -> datetime | None:
    """The first instant the debtor's records may go, when every debt is closed; None when
    nothing is to be kept (no debt and no contact attempt).

    An attempt about a debtor with no debt here still holds them: it was made in connection
    with a debt (one the ledger has not learned, or one another system holds), and its record
    sits in compliance, which erases its copy when the ledger announces the erasure."""
    if not debts:
        return None if debtor_attempt_at is None else plus_three_years(debtor_attempt_at)
    return max(plus_three_years(last_collection_activity(d, debtor_attempt_at)) for d in debts)


def require_erasable(
    debts: Sequence[DebtRecord], debtor_attempt_at: datetime | None, now: datetime,
    *, unresolved_payments: Sequence[str] = (),
) -> None:
    """Raise ``RetentionHold`` unless the debtor's records may be destroyed at ``now``.

    `debtor_attempt_at`: the latest activity about the debtor not tied to one of their debts
    here (a contact attempt, a payment naming them for a debt the ledger does not know).
    `unresolved_payments`: parked payments of theirs still open, money someone must still
    refund or apply to them: the records stay until that is done."""
    now = require_aware(now, "now")
    if unresolved_payments:
        raise RetentionHold(
            f"parked payments {', '.join(sorted(unresolved_payments))} are not resolved; the "
            "debtor's records stay until each is applied or refunded",
            unresolved_payment_ids=tuple(sorted(unresolved_payments)))
    still_open = tuple(sorted(d.debt_id for d in debts if not d.closed))
    if still_open:
        raise RetentionHold(
            f"debts {', '.join(still_open)} are still open for collection; their records "
            "must be kept until 3 years after the last collection activity on them",
            open_debt_ids=still_open)
    until = keep_until(debts, debtor_attempt_at)
    if until is not None and now < until:
        raise RetentionHold(
            f"the debtor's records must be kept until {until.isoformat()}, 3 years after the "
            "last collection activity on their debts", keep_until=until)
