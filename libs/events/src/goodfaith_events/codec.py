"""CloudEvents 1.0 in Kafka binary content mode.

Attributes travel as `ce_*` headers, the payload is the JSON body, and the W3C `traceparent`
rides along as its own header so a consumer can continue the producer's trace.
See https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from goodfaith_events.canonical import NotCanonical, canonical_json, loads
from goodfaith_events.envelope import Envelope, EventMessage

Headers = list[tuple[str, bytes]]

_EXTENSIONS = {
    "ce_schemaversion": "schema_version",
    "ce_tenant": "tenant",
    "ce_streamid": "stream_id",
    "ce_streamversion": "stream_version",
    "ce_correlationid": "correlation_id",
    "ce_causationid": "causation_id",
}


class CodecError(ValueError):
    """A Kafka record is not a valid goodfaith CloudEvent; the reason says which part."""


@dataclass(frozen=True)
class KafkaRecord:
    key: bytes
    value: bytes
    headers: Headers


def encode(message: EventMessage, *, partition_key: str) -> KafkaRecord:
    env = message.envelope
    headers: Headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", str(env.event_id).encode()),
        ("ce_source", f"/goodfaith/{env.producer}".encode()),
        ("ce_type", env.type.encode()),
        ("ce_time", env.occurred_at.isoformat().encode()),
        ("ce_subject", env.stream_id.encode()),
        ("content-type", b"application/json"),
    ]
    for header, attr in _EXTENSIONS.items():
        value = getattr(env, attr)
        if value is not None:
            headers.append((header, str(value).encode()))
    if env.traceparent:
        headers.append(("traceparent", env.traceparent.encode()))
    try:
        body = canonical_json(message.payload)
    except NotCanonical as exc:
        raise CodecError(str(exc)) from exc
    return KafkaRecord(key=partition_key.encode(), value=body, headers=headers)


def _header_map(headers: Headers | tuple[tuple[str, bytes], ...]) -> dict[str, str]:
    try:
        return {name: value.decode() for name, value in headers if value is not None}
    except UnicodeDecodeError as exc:
        raise CodecError("header is not UTF-8") from exc


def decode(value: bytes | None, headers: Headers | tuple[tuple[str, bytes], ...]) -> EventMessage:
    """Decode a record; every malformed part raises CodecError with a readable reason."""
    h = _header_map(headers)
    if h.get("ce_specversion") != "1.0":
        raise CodecError(f"ce_specversion must be 1.0, got {h.get('ce_specversion')!r}")
    missing = [k for k in ("ce_id", "ce_type", "ce_source", "ce_time") if k not in h]
    if missing:
        raise CodecError(f"missing CloudEvents headers: {', '.join(missing)}")
    if value is None:
        raise CodecError("empty body")
    try:
        payload: Any = loads(value)
    except ValueError as exc:
        raise CodecError(f"body is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise CodecError("body must be a JSON object")
    fields: dict[str, Any] = {attr: h[hdr] for hdr, attr in _EXTENSIONS.items() if hdr in h}
    try:
        envelope = Envelope(
            event_id=uuid.UUID(h["ce_id"]),
            type=h["ce_type"],
            occurred_at=datetime.fromisoformat(h["ce_time"]),
            producer=h["ce_source"].rsplit("/", 1)[-1],
            traceparent=h.get("traceparent"),
            **fields,
        )
    except (ValueError, ValidationError) as exc:
        raise CodecError(f"invalid envelope: {exc}") from exc
    return EventMessage(envelope=envelope, payload=payload)
