"""Dates and instants reach PostgreSQL as themselves, the extremes included."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

pytestmark = pytest.mark.integration

DAYS = [date.min, date(1999, 12, 31), date(2000, 1, 1), date(2026, 12, 7), date.max]
INSTANTS = [datetime.min.replace(tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC),
            datetime(2026, 12, 7, 2, 3, 4, 567891, tzinfo=timezone(timedelta(hours=-5))),
            datetime.max.replace(tzinfo=UTC)]


async def test_dates_and_instants_are_stored_as_given_not_as_infinity(pool) -> None:
    async with pool.acquire() as conn:
        for day in DAYS:
            assert await conn.fetchval("SELECT $1::date::text", day) == day.isoformat()
            assert await conn.fetchval("SELECT $1::date", day) == day
        for instant in INSTANTS:
            assert await conn.fetchval("SELECT $1::timestamptz", instant) == instant
            assert "infinity" not in await conn.fetchval("SELECT $1::timestamptz::text", instant)
        moment = datetime(2026, 1, 1, 12, 30)
        assert await conn.fetchval("SELECT $1::timestamp", moment) == moment
        assert await conn.fetchval("SELECT $1::date[]", DAYS) == DAYS


async def test_date_arithmetic_on_the_extremes_works(pool) -> None:
    # asyncpg's own codec sent date.min as -infinity: "cannot subtract infinite dates".
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT $1::date - $2::date", date.min,
                                   date(2026, 1, 1)) == (date.min - date(2026, 1, 1)).days


async def test_a_stored_infinity_still_reads_as_the_extreme(pool) -> None:
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT 'infinity'::date") == date.max
        assert await conn.fetchval("SELECT '-infinity'::timestamptz") == INSTANTS[0]
