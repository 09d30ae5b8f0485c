"""Small validators shared by the aggregates: ids, instants, zones, codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ledger.domain.errors import InvalidField, InvalidTimestamp, InvalidTimeZone

_REGION = re.compile(r"[A-Z]{2}")
_COUNTRY = re.compile(r"[A-Z]{2}")


def require_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidField(f"{what} must be a non-empty string")
    return value


def require_text(value: str, what: str) -> str:
    return require_id(value, what)


def require_aware(value: datetime, what: str) -> datetime:
    """Accept only timezone-aware instants and normalise them to UTC for storage."""
    if not isinstance(value, datetime):
        raise InvalidTimestamp(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidTimestamp(f"{what} is naive; pass a timezone-aware datetime")
    return value.astimezone(UTC)


def require_zone(name: str, what: str = "time_zone") -> str:
    if not isinstance(name, str) or not name:
        raise InvalidTimeZone(f"{what} must be an IANA zone name")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidTimeZone(f"{what} {name!r} is not an IANA zone") from exc
    return name


def optional_zone(name: str | None) -> str | None:
    return None if name is None else require_zone(name)


def require_region(code: str | None, what: str) -> str | None:
    """US state / region codes as two upper-case letters (``CA``, ``NY``, ``DC``)."""
    if code is None:
        return None
    if not isinstance(code, str) or not _REGION.fullmatch(code):
        raise InvalidField(f"{what} must be two upper-case letters, got {code!r}")
    return code


def require_country(code: str, what: str = "country") -> str:
    """ISO 3166-1 alpha-2."""
    if not isinstance(code, str) or not _COUNTRY.fullmatch(code):
        raise InvalidField(f"{what} must be an ISO 3166-1 alpha-2 code, got {code!r}")
    return code
