"""Time helpers: candidate time zones, the strict 8-to-9 window, local days, the validation period.

Everything here is pure. ZoneInfo objects, phone-number zone look-ups and holiday calendars are
memoised because the gate evaluates tens of thousands of contexts a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import phonenumbers
from phonenumbers import PhoneNumberType
from phonenumbers import timezone as phone_timezone

from compliance.domain.context import Endpoint, Person, PhoneEndpoint

# FED-TIME-WINDOW (decisions.md D-03): 15 U.S.C. 1692c(a)(1) makes convenient only the times
# "after 8 o'clock antemeridian and before 9 o'clock postmeridian"; Reg F presumes inconvenient
# only times "before 8:00 a.m. and after 9:00 p.m.". The two differ at exactly 08:00:00 and
# 21:00:00. The statute is the narrower permission, so both instants are BLOCKED.
WINDOW_START = time(8, 0)
WINDOW_END = time(21, 0)
_JUST_AFTER = timedelta(microseconds=1)

_UNKNOWN_ZONE = "Etc/Unknown"
# phonenumbers answers with every NANP zone for non-geographic numbers (toll-free 800 etc.).
# Such a number says nothing about where the person is (decisions.md D-05).
_NON_GEOGRAPHIC = frozenset(
    {
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.VOIP,
        PhoneNumberType.PERSONAL_NUMBER,
        PhoneNumberType.UAN,
    }
)
_MAX_ZONES_FOR_ONE_AREA_CODE = 6


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo | None:
    """The ZoneInfo for an IANA name, or None when the name is unknown or malformed."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=65536)
def phone_zones(e164: str) -> tuple[str, ...] | None:
    """IANA zones of a number's area code; () if the number carries no location; None if the
    look-up knows nothing (only `Etc/Unknown`)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.number_type(number) in _NON_GEOGRAPHIC:
        return ()
    names = tuple(n for n in phone_timezone.time_zones_for_number(number) if n != _UNKNOWN_ZONE)
    if not names:
        return None
    if len(names) > _MAX_ZONES_FOR_ONE_AREA_CODE:
        return ()
    return names


class CandidateZones(NamedTuple):
    """The zones a contact must be convenient in (FED-TZ-ALL), plus what could not be used."""

    names: tuple[str, ...]
    zones: tuple[ZoneInfo, ...]
    # Field paths whose zone is not a known IANA name: evaluation blocks DATA_MISSING.
    invalid: tuple[str, ...]
    # Phones whose area code gave no zone at all; only fatal when `zones` is empty.
    unknown_phones: tuple[str, ...]
    # Field paths of addresses with no zone, listed only when `address_zone_required` (pack
    # version 2026.12.1, decisions.md D-43): always fatal, since that location's time is unknown.
    missing: tuple[str, ...] = ()


def candidate_tz(
    person: Person, endpoints: Sequence[Endpoint], *, address_zone_required: bool = False
) -> CandidateZones:
    """Union of address zones, area-code zones of every phone, and stated locations.

    The comment to 1006.6(b)(1)(i) requires a time convenient in all locations the collector's
    information indicates (reference FED-TZ-ALL; decisions.md D-04). An address without a zone
    is skipped unless `address_zone_required` (PolicyParams; 2026.12.1, D-43) lists it."""
    return _candidate_tz(
        tuple([a.tz for a in person.addresses]),
        tuple([loc.tz for loc in person.stated_locations]),
        tuple([(e.endpoint_id, e.e164) for e in endpoints if isinstance(e, PhoneEndpoint)]),
        address_zone_required,
    )


@lru_cache(maxsize=65536)
def _candidate_tz(
    address_tz: tuple[str | None, ...],
    stated_tz: tuple[str, ...],
    phones: tuple[tuple[str, str], ...],
    address_zone_required: bool = False,
) -> CandidateZones:
    # The flag is part of the cache key: the two versions never share an answer.
    names: dict[str, None] = {}
    invalid: list[str] = []
    missing: list[str] = []
    unknown_phones: list[str] = []
    sources = [(f"person.addresses[{i}].tz", tz) for i, tz in enumerate(address_tz)]
    sources += [(f"person.stated_locations[{i}].tz", tz) for i, tz in enumerate(stated_tz)]
    for path, name in sources:
        if name is None:
            # FED-TIME-WINDOW "Unknown location: BLOCK": an address is a location even when
            # another zone is known (D-43). Phones keep D-05: a number may carry no location.
            if address_zone_required:
                missing.append(path)
            continue
        if zone(name) is None:
            invalid.append(path)
        else:
            names[name] = None
    for endpoint_id, e164 in phones:
        found = phone_zones(e164)
        if found is None:
            unknown_phones.append(endpoint_id)
        else:
            names.update(dict.fromkeys(found))
    ordered = tuple(sorted(names))
    return CandidateZones(
        ordered,
        tuple(_known(zone(n)) for n in ordered),
        tuple(invalid),
        tuple(unknown_phones),
        tuple(missing),
    )


def _known(value: ZoneInfo | None) -> ZoneInfo:
    if value is None:
        raise ValueError("zone vanished from the cache")
    return value


def within(local: time, start: time, end: time) -> bool:
    """Strictly inside (start, end): both boundary instants are outside."""
    return start < local < end


def outside_window(
    instant: datetime, zones: Sequence[ZoneInfo], start: time, end: time
) -> list[str]:
    """Names of the zones in which `instant` is not strictly inside the window."""
    return [z.key for z in zones if not within(instant.astimezone(z).time(), start, end)]


def next_window_open(
    instant: datetime, zones: Sequence[ZoneInfo], start: time, end: time
) -> datetime | None:
    """Earliest instant >= `instant` strictly inside the window in every zone, or None when the
    zones never overlap within the next three days (then no automatic retry exists)."""
    if not zones:
        return None
    candidates = [instant]
    for z in zones:
        local_day = instant.astimezone(z).date()
        for offset in range(3):
            opening = datetime.combine(local_day + timedelta(days=offset), start, tzinfo=z)
            candidates.append(opening.astimezone(UTC) + _JUST_AFTER)
    for candidate in sorted(c for c in candidates if c >= instant):
        if not outside_window(candidate, zones, start, end):
            return candidate
    return None


def local_date(instant: datetime, z: ZoneInfo) -> date:
    return instant.astimezone(z).date()


def local_midnight(day: date, z: ZoneInfo) -> datetime:
    """The UTC instant at which `day` starts in zone `z`."""
    return datetime.combine(day, time(0), tzinfo=z).astimezone(UTC)


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> frozenset[date]:
    # holidays.US lists the 5 U.S.C. 6103(a) holidays with their 6103(b) observed days;
    # Inauguration Day (6103(c)) only concerns the D.C. area and is not included.
    return frozenset(holidays.country_holidays("US", years=year).keys())


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


@lru_cache(maxsize=4096)
def validation_period_end(provided: date) -> date:
    """FED-VN-PERIOD (12 CFR 1006.34(b)(5)): receipt is assumed 5 days after the notice is
    provided, not counting Saturdays, Sundays or federal holidays; the period then runs 30
    calendar days. The end date is not rolled forward (reference; decisions.md D-13)."""
    day, counted = provided, 0
    while counted < 5:
        day += timedelta(days=1)
        if is_business_day(day):
            counted += 1
    return day + timedelta(days=30)
