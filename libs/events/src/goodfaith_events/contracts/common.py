"""Value types shared by the public contracts."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field


def personal(description: str) -> Any:
    """Mark a field as personal data: consumers store it encrypted under the person's key
    (crypto-shredding) and nobody logs it."""
    return Field(description=description, json_schema_extra={"x-personal-data": True})


def _within_utc_years(value: datetime) -> datetime:
    try:
        value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC: PostgreSQL refuses it
        raise ValueError("the instant is outside the years 1-9999 in UTC") from None
    return value


# A timezone-aware instant that UTC, and so PostgreSQL's timestamptz, can hold: for the HTTP
# schemas, where an out-of-range offset used to pass validation and fail at the database.
Instant = Annotated[AwareDatetime, AfterValidator(_within_utc_years)]


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Money(Contract):
    """Integer minor units plus ISO 4217 code: 1234 USD is $12.34. Never a float."""

    amount_minor: Annotated[int, Field(strict=True, description="Amount in minor units")]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]


class Channel(StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    VOICEMAIL = "voicemail"
    SOCIAL_DM = "social_dm"
    VISIT = "visit"


Id = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
