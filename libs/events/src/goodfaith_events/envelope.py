"""The envelope every public event travels in, inside a service and across Kafka.

The envelope carries what the record needs for audit and tracing; the payload is the contract.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    create_model,
    field_validator,
)

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


# What every event of one append shares (an event store's Metadata), with Envelope's own field
# constraints (taken from its fields, so the two cannot drift apart): a store checks an
# append's metadata once against it, and so never stores an event whose envelope could not be
# built. The relay could neither publish such an event nor skip it (that would break
# per-stream order), so it would hold up every event after it.
SHARED_FIELDS = ("tenant", "producer", "correlation_id", "causation_id", "traceparent")
_shared: dict[str, Any] = {name: (Envelope.model_fields[name].annotation,
                                  Envelope.model_fields[name]) for name in SHARED_FIELDS}
SharedEnvelope: type[BaseModel] = create_model(
    "SharedEnvelope", __config__=ConfigDict(frozen=True, extra="forbid"), **_shared)

_TENANT: TypeAdapter[str] = TypeAdapter(Annotated[str, Envelope.model_fields["tenant"]])


def is_valid_tenant(value: object) -> bool:
    """Whether `value` can be an envelope's tenant (a bearer token's tenant must be one: every
    event written for the request carries it)."""
    try:
        _TENANT.validate_python(value, strict=True)  # strict: a string, never coerced
    except ValidationError:
        return False
    return True
