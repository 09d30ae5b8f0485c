"""The record-retention hold on erasure (12 CFR 1006.100(a),(b), FED-RECORDS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ledger.domain.debt import DebtStatus
from ledger.domain.errors import InvalidTimestamp, RetentionHold
from ledger.domain.retention import (
    CLOSED_STATUSES,
    DebtRecord,
    keep_until,
    last_collection_activity,
    plus_three_years,
    require_erasable,
)

LAST = datetime(2025, 6, 2, 18, 0, tzinfo=UTC)
KEEP_UNTIL = datetime(2028, 6, 2, 18, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def closed(debt_id: str = "D-1", last: datetime = LAST, *,
           status: DebtStatus = DebtStatus.PAID_OFF,
           attempt: datetime | None = None) -> DebtRecord:
    return DebtRecord(debt_id, status, last, attempt)


def refusal(debts: list[DebtRecord], now: datetime,
            debtor_attempt: datetime | None = None,
            unresolved: tuple[str, ...] = ()) -> RetentionHold:
    with pytest.raises(RetentionHold) as caught:
        require_erasable(debts, debtor_attempt, now, unresolved_payments=unresolved)
    return caught.value


def test_three_years_are_calendar_years_at_the_same_instant() -> None:
    assert plus_three_years(LAST) == KEEP_UNTIL
    assert plus_three_years(datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)) == datetime(
        2027, 12, 31, 23, 59, 59, tzinfo=UTC)


def test_29_february_keeps_until_1_march_as_compliance_does() -> None:
    leap = datetime(2024, 2, 29, 7, 30, tzinfo=UTC)
    assert plus_three_years(leap) == datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    # Only the 29th moves: 28 February stays 28 February.
    assert plus_three_years(leap - timedelta(days=1)) == datetime(2027, 2, 28, 7, 30, tzinfo=UTC)


def test_an_instant_in_another_zone_is_counted_in_utc() -> None:
    # 29 February 23:00 in New York is 1 March 04:00 UTC: no leap day involved.
    eastern = datetime(2024, 2, 29, 23, 0, tzinfo=ZoneInfo("America/New_York"))
    assert plus_three_years(eastern) == datetime(2027, 3, 1, 4, 0, tzinfo=UTC)


def test_erasure_is_allowed_exactly_three_years_after_the_last_activity() -> None:
    require_erasable([closed()], None, KEEP_UNTIL)
    require_erasable([closed()], None, KEEP_UNTIL + SECOND)


def test_one_second_before_the_three_years_the_erasure_is_held_until_then() -> None:
    held = refusal([closed()], KEEP_UNTIL - SECOND)
    assert held.keep_until == KEEP_UNTIL and held.open_debt_ids == ()
    assert (held.RULE_ID, held.CITATION) == ("FED-RECORDS", "12 CFR 1006.100(a),(b)")
    assert KEEP_UNTIL.isoformat() in str(held)


def test_a_leap_day_activity_holds_until_1_march() -> None:
    leap = datetime(2024, 2, 29, 12, 0, tzinfo=UTC)
    march_first = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    assert refusal([closed(last=leap)], march_first - SECOND).keep_until == march_first
    require_erasable([closed(last=leap)], None, march_first)


def test_an_open_debt_holds_the_erasure_however_old_its_activity_is() -> None:
    debts = [closed("D-2", status=DebtStatus.OPEN), closed("D-1"),
             closed("D-0", status=DebtStatus.OPEN)]
    held = refusal(debts, LAST + timedelta(days=365 * 50))
    assert held.open_debt_ids == ("D-0", "D-2") and held.keep_until is None
    assert "D-0, D-2" in str(held)


@pytest.mark.parametrize("status", sorted(CLOSED_STATUSES))
def test_paid_settled_and_written_off_debts_are_closed(status: DebtStatus) -> None:
    require_erasable([closed(status=status)], None, KEEP_UNTIL)
    assert refusal([closed(status=status)], KEEP_UNTIL - SECOND).keep_until == KEEP_UNTIL


def test_only_open_is_open() -> None:
    assert set(DebtStatus) - CLOSED_STATUSES == {DebtStatus.OPEN}


def test_a_debtor_without_debts_or_attempts_is_not_held() -> None:
    require_erasable([], None, LAST)
    assert keep_until([], None) is None


def test_an_attempt_holds_a_debtor_without_debts_for_three_years() -> None:
    # The attempt was about a debt the ledger does not hold; its record is compliance's.
    assert refusal([], KEEP_UNTIL - SECOND, debtor_attempt=LAST).keep_until == KEEP_UNTIL
    require_erasable([], LAST, KEEP_UNTIL)


def test_a_later_attempt_about_the_debt_moves_the_hold() -> None:
    attempt = LAST + timedelta(days=40, hours=3)
    debt = closed(attempt=attempt)
    assert last_collection_activity(debt, None) == attempt
    held = refusal([debt], KEEP_UNTIL + SECOND)
    assert held.keep_until == plus_three_years(attempt)
    require_erasable([debt], None, plus_three_years(attempt))


def test_a_later_attempt_about_the_debtor_moves_the_hold_of_every_debt() -> None:
    attempt = LAST + timedelta(days=400)
    debts = [closed("D-1"), closed("D-2", LAST - timedelta(days=700))]
    held = refusal(debts, KEEP_UNTIL + SECOND, debtor_attempt=attempt)
    assert held.keep_until == plus_three_years(attempt)


def test_an_earlier_attempt_does_not_shorten_the_hold() -> None:
    debt = closed(attempt=LAST - timedelta(days=900))
    assert refusal([debt], KEEP_UNTIL - SECOND, LAST - timedelta(days=1)).keep_until == KEEP_UNTIL


def test_the_debt_with_the_latest_activity_decides() -> None:
    later = LAST + timedelta(days=10)
    debts = [closed("D-1"), closed("D-2", later, status=DebtStatus.WRITTEN_OFF)]
    assert keep_until(debts, None) == plus_three_years(later)
    assert refusal(debts, KEEP_UNTIL + SECOND).keep_until == plus_three_years(later)


def test_naive_instants_are_refused() -> None:
    naive = datetime(2030, 1, 1)
    with pytest.raises(InvalidTimestamp):
        require_erasable([closed()], None, naive)
    with pytest.raises(InvalidTimestamp):
        plus_three_years(naive)


def test_a_debt_still_placed_with_an_agency_is_open_whatever_its_status() -> None:
    placed = DebtRecord("D-1", DebtStatus.WRITTEN_OFF, LAST, placed=True)
    assert not placed.closed
    assert refusal([placed], KEEP_UNTIL + SECOND).open_debt_ids == ("D-1",)


def test_an_unresolved_parked_payment_holds_even_after_three_years() -> None:
    held = refusal([closed()], KEEP_UNTIL + SECOND, None, unresolved=("pay-2", "pay-1"))
    assert held.unresolved_payment_ids == ("pay-1", "pay-2")


def test_three_years_past_year_9996_is_never() -> None:
    late = datetime(9998, 1, 1, tzinfo=UTC)
    assert plus_three_years(late) == datetime.max.replace(tzinfo=UTC)
    assert refusal([closed(attempt=late)], datetime(9999, 12, 31, tzinfo=UTC)).keep_until == (
        datetime.max.replace(tzinfo=UTC))
