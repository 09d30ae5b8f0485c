"""The clocks (unit)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from goodfaith_runtime.clock import ManualClock, ShiftedClock


def test_a_shifted_clock_starts_at_the_chosen_instant_and_runs_in_real_time() -> None:
    base = ManualClock(datetime(2026, 12, 7, 1, 45, tzinfo=UTC))
    start = datetime(2026, 12, 1, 14, 0, tzinfo=ZoneInfo("America/New_York"))
    clock = ShiftedClock.starting_at(start, base)
    assert clock.now() == start and clock.now().tzinfo == UTC
    base.advance(timedelta(seconds=90))
    assert clock.now() == start + timedelta(seconds=90)
    # Another process given the same offset reads the same instant.
    assert ShiftedClock(clock.offset, base).now() == clock.now()


def test_a_shifted_clock_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ShiftedClock.starting_at(datetime(2026, 12, 1, 14, 0))
