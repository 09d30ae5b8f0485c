"""Is a debt time-barred? ``True``, ``False`` or ``"unknown"``, and never a guess.

Used by the compliance gate's FED-TIMEBARRED, CA-TB and NYS-TB rules: ``True`` blocks suits
and threats of suit and requires the state's time-barred notice; ``"unknown"`` blocks any
content mentioning legal action (fail closed). So the answer leans towards the debtor:

* every candidate accrual date (last payment, charge-off, default, ledger payments) and every
  legal basis the debt type could fall under is tried; the answer is ``True`` only if the debt
  is barred under all of them, ``False`` only if it is barred under none, else ``"unknown"``;
* the period is treated as run out on the anniversary date itself (a one-day lean towards
  "barred", which only ever stops a suit or adds a notice).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal, Protocol

from ledger.domain.debt_events import DebtPurpose, DebtType
from ledger.domain.limitation_periods import LIMITATION_PERIODS, LimitationPeriod

Unknown = Literal["unknown"]
UNKNOWN: Unknown = "unknown"


class LimitationFacts(Protocol):
    @property
    def governing_state(self) -> str | None: ...

    @property
    def debt_type(self) -> DebtType: ...

    @property
    def purpose(self) -> DebtPurpose: ...

    @property
    def accrual_candidates(self) -> tuple[date, ...]: ...


def applicable_periods(
    state: str | None,
    debt_type: DebtType | None,
    purpose: DebtPurpose | None,
    table: Sequence[LimitationPeriod] = LIMITATION_PERIODS,
) -> tuple[LimitationPeriod, ...]:
    if state is None or debt_type is None:
        return ()
    return tuple(
        row
        for row in table
        if row.state == state
        and debt_type in row.debt_types
        and (row.purpose is None or row.purpose == purpose)
    )


def expires_on(accrued_on: date, years: int) -> date:
    """The anniversary; a 29 February accrual runs out on 28 February (the earlier date)."""
    try:
        return accrued_on.replace(year=accrued_on.year + years)
    except ValueError:
        return accrued_on.replace(year=accrued_on.year + years, day=28)


def time_barred(debt: LimitationFacts, today: date) -> bool | Unknown:
    periods = applicable_periods(debt.governing_state, debt.debt_type, debt.purpose)
    accruals = debt.accrual_candidates
    if not periods or not accruals:
        return UNKNOWN
    outcomes = {
        today >= expires_on(accrued, period.years) for period in periods for accrued in accruals
    }
    return outcomes.pop() if len(outcomes) == 1 else UNKNOWN
