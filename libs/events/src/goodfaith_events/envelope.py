"""The envelope every public event travels in, inside a service and across Kafka.

The envelope carries what the record needs for audit and tracing; the payload is the contract.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from goodfaith_events.ids import new_id


class Envelope(BaseModel):
    """Metadata of one event. Immutable once built."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID = Field(default_factory=new_id, description="UUIDv7 of this event")
    type: str = Field(description="Stable contract name, e.g. 'ledger.InvoiceOverdue'")
    schema_version: int = Field(ge=1, description="Version of the payload schema")
    stream_id: str = Field(min_length=1, max_length=200)
    stream_version: int = Field(ge=1)
    occurred_at: AwareDatetime
    tenant: str = Field(min_length=1, max_length=100, description="Creditor (tenant) id")
    producer: str = Field(min_length=1, max_length=50, description="Service that wrote it")
    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None
    traceparent: str | None = Field(default=None, max_length=55)

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        offset = value.utcoffset()
        if offset is None or offset.total_seconds() != 0:
            raise ValueError("occurred_at must be in UTC")
        return value


class EventMessage(BaseModel):
    """An envelope plus its contract payload: the unit that is stored, published and consumed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    envelope: Envelope
    payload: dict[str, Any]
