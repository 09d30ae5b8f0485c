"""Value types shared by the public contracts."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


def personal(description: str) -> Any:
    """Mark a field as personal data: consumers store it encrypted under the person's key
    (crypto-shredding) and nobody logs it."""
    return Field(description=description, json_schema_extra={"x-personal-data": True})


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
