"""Kafka entrypoints. Each handler runs inside the consumer's transaction, which also records
the message as processed. A request the gate cannot judge becomes a ContactBlocked with its
reason (the service layer never raises for bad data); only infrastructure failures raise, so the
runtime retries them and dead-letters a message that keeps failing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from compliance.adapters.person_stream import Cause
from compliance.service_layer.handlers import ComplianceService
from compliance.service_layer.requests import from_contract
from goodfaith_events.contracts import (
    ContactAttempted,
    ContactRequested,
    DebtorErased,
    DisputeRaised,
)
from goodfaith_runtime.consumer import Delivery

GATE = "compliance-gate"
FACTS = "compliance-facts"

Service = Callable[[], ComplianceService]
Handler = Callable[[Delivery], Awaitable[None]]


def _cause(delivery: Delivery) -> Cause:
    env = delivery.message.envelope
    return Cause(correlation_id=env.correlation_id or env.event_id, causation_id=env.event_id)


def gate_handlers(service: Service) -> dict[str, Handler]:
    async def contact_requested(delivery: Delivery) -> None:
        assert isinstance(delivery.contract, ContactRequested)
        await service().check(delivery.conn, delivery.message.envelope.tenant,
                              from_contract(delivery.contract), _cause(delivery))

    return {"outreach.ContactRequested": contact_requested}


def fact_handlers(service: Service) -> dict[str, Handler]:
    async def contact_attempted(delivery: Delivery) -> None:
        assert isinstance(delivery.contract, ContactAttempted)
        await service().record_attempt(delivery.conn, delivery.message.envelope.tenant,
                                       delivery.contract, _cause(delivery))

    async def dispute_raised(delivery: Delivery) -> None:
        assert isinstance(delivery.contract, DisputeRaised)
        await service().record_dispute(delivery.conn, delivery.message.envelope.tenant,
                                       delivery.contract, _cause(delivery))

    async def debtor_erased(delivery: Delivery) -> None:
        assert isinstance(delivery.contract, DebtorErased)
        await service().record_erasure(delivery.conn, delivery.message.envelope.tenant,
                                       delivery.contract, _cause(delivery))

    return {"outreach.ContactAttempted": contact_attempted,
            "ledger.DisputeRaised": dispute_raised,
            "ledger.DebtorErased": debtor_erased}
