"""The injectable clock. Nothing in goodfaith reads the wall clock except SystemClock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock tests and simulations move by hand."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("naive datetime")
        self._now = instant.astimezone(UTC)


class ShiftedClock:
    """Real time moved by a fixed offset: durations are real, the instant is chosen.

    For benchmarks and simulations that must meet the same time of day whenever they run (the
    gate's calling hours, a validation period) while their latencies stay real. Processes that
    share one offset share one notion of now."""

    def __init__(self, offset: timedelta, base: Clock | None = None) -> None:
        self.offset = offset
        self._base = base or SystemClock()

    @classmethod
    def starting_at(cls, start: datetime, base: Clock | None = None) -> ShiftedClock:
        """A clock that reads `start` now and runs on from there."""
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs a timezone-aware start")
        base = base or SystemClock()
        return cls(start.astimezone(UTC) - base.now(), base)

    def now(self) -> datetime:
        return self._base.now() + self.offset
