from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from ledger.domain.debt_events import DebtPurpose, DebtType
from ledger.domain.limitation_periods import LIMITATION_PERIODS
from ledger.domain.limitations import UNKNOWN, expires_on, time_barred

from .factories import at, debt_opened, debt_with, given, usd


@dataclass(frozen=True)
class Facts:
    governing_state: str | None = "CA"
    debt_type: DebtType = DebtType.PERSONAL_LOAN
    purpose: DebtPurpose = DebtPurpose.CONSUMER
    accrual_candidates: tuple[date, ...] = (date(2020, 6, 1),)


def test_ca_written_contract_is_barred_on_the_fourth_anniversary() -> None:
    assert time_barred(Facts(), date(2024, 5, 31)) is False
    assert time_barred(Facts(), date(2024, 6, 1)) is True


def test_ny_consumer_credit_is_barred_after_three_years() -> None:
    facts = Facts(governing_state="NY", debt_type=DebtType.CREDIT_CARD)
    assert time_barred(facts, date(2023, 5, 31)) is False
    assert time_barred(facts, date(2023, 6, 1)) is True


def test_disagreeing_bases_give_unknown_between_their_expiries() -> None:
    # A Florida credit card may be a written contract (5 years) or an open account (4 years).
    facts = Facts(governing_state="FL", debt_type=DebtType.CREDIT_CARD)
    assert time_barred(facts, date(2024, 5, 31)) is False
    assert time_barred(facts, date(2024, 6, 1)) == UNKNOWN
    assert time_barred(facts, date(2025, 6, 1)) is True


def test_disagreeing_accrual_dates_give_unknown_between_them() -> None:
    facts = Facts(accrual_candidates=(date(2020, 1, 1), date(2021, 1, 1)))
    assert time_barred(facts, date(2023, 12, 31)) is False
    assert time_barred(facts, date(2024, 6, 1)) == UNKNOWN
    assert time_barred(facts, date(2025, 1, 1)) is True


@pytest.mark.parametrize(
    "facts",
    [
        Facts(governing_state=None),
        Facts(governing_state="ZZ"),
        Facts(accrual_candidates=()),
        Facts(debt_type=DebtType.STUDENT_LOAN),
        Facts(debt_type=DebtType.OTHER),
    ],
)
def test_missing_state_type_or_accrual_date_is_unknown(facts: Facts) -> None:
    assert time_barred(facts, date(2040, 1, 1)) == UNKNOWN


def test_a_debt_without_any_accrual_date_is_unknown() -> None:
    assert time_barred(debt_with(), date(2040, 1, 1)) == UNKNOWN


def test_a_debt_uses_its_supplied_dates_and_its_ledger_payments() -> None:
    debt = given(debt_opened(last_payment_date=date(2019, 1, 1))).aggregate()
    assert time_barred(debt, date(2026, 1, 1)) is True
    # A payment received in the ledger since then makes "barred" depend on revival rules.
    debt.apply_payment("p", usd(100), at(0))
    assert debt.accrual_candidates == (date(2019, 1, 1), at(0).date())
    assert time_barred(debt, date(2026, 1, 1)) == UNKNOWN


def test_a_29_february_accrual_runs_out_on_28_february() -> None:
    assert expires_on(date(2020, 2, 29), 4) == date(2024, 2, 29)
    assert expires_on(date(2020, 2, 29), 3) == date(2023, 2, 28)


def test_every_row_cites_a_source_and_states_its_confidence() -> None:
    for row in LIMITATION_PERIODS:
        assert row.source and row.confidence.startswith(("[M]", "[S]", "[V]"))
        assert row.years > 0 and DebtType.STUDENT_LOAN not in row.debt_types
