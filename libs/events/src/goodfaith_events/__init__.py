"""goodfaith public event contracts: envelope, registry, contracts, CloudEvents codec."""

from goodfaith_events.envelope import Envelope, EventMessage
from goodfaith_events.ids import new_id

__all__ = ["Envelope", "EventMessage", "new_id"]
