"""The one shape of a gate request, whether it came over Kafka or HTTP."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from goodfaith_events.contracts import ContactRequested


@dataclass(frozen=True)
class GateRequest:
    request_id: str
    person_id: str
    debt_ids: tuple[str, ...]
    channel: str
    endpoint: str
    content_hash: str
    intended_send_at: datetime
    source: str  # "kafka" or "http": recorded with the decision
    endpoint_id: str | None = None
    recipient_role: str = "consumer"
    template_id: str | None = None
    template_type: str | None = None
    content_text: str | None = None
    template_meta: dict[str, Any] = field(default_factory=dict)
    language: str = "en"
    consent_id: str | None = None
    responding_to_consumer_request: bool = False
    location_inquiry: bool = False  # 1692b: a third-party contact for location only (FED-LOC)
    location_followup_allowed: bool = False  # 1006.10(c)


def content_hash(text: str | None) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()


def from_contract(c: ContactRequested) -> GateRequest:
    return GateRequest(
        request_id=c.request_id, person_id=c.person_id, debt_ids=tuple(c.debt_ids),
        channel=str(c.channel), endpoint=c.endpoint, content_hash=c.content_hash,
        intended_send_at=c.intended_send_at, source="kafka", endpoint_id=c.endpoint_id,
        recipient_role=c.recipient_role, template_id=c.template_id,
        template_type=c.template_type, content_text=c.content_text,
        template_meta=dict(c.template_meta), language=c.language, consent_id=c.consent_id,
        responding_to_consumer_request=c.responding_to_consumer_request,
        location_inquiry=c.location_inquiry,
        location_followup_allowed=c.location_followup_allowed,
    )
