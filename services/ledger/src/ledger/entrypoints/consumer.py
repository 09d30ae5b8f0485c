"""PaymentReceived from the payments service. A payment the ledger cannot apply (unknown debt,
other debtor, currency mismatch, closed account, any broken rule) is parked with its reason,
never dropped, and the consumer moves on. Infrastructure failures raise, so the runtime
retries them and, after its attempts, dead-letters the message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from goodfaith_events.contracts import PaymentReceived
from goodfaith_runtime.clock import Clock
from goodfaith_runtime.consumer import Delivery
from ledger.adapters.parked import park_payment
from ledger.domain.commands import ApplyPayment
from ledger.domain.errors import LedgerError
from ledger.domain.money import Money
from ledger.service_layer.messagebus import MessageBus
from ledger.service_layer.unit_of_work import Cause

log = structlog.get_logger("ledger.consumer")

# The ledger's one consumer group. It also takes ContactAttempted (contact_consumer.py); the
# name stays, since its committed offsets, inbox rows and dead-letter topic are keyed by it.
CONSUMER = "ledger-payments"


def payment_received(
    bus: Callable[[], MessageBus], clock: Clock
) -> Callable[[Delivery], Awaitable[None]]:
    async def handle(delivery: Delivery) -> None:
        p = delivery.contract
        assert isinstance(p, PaymentReceived)
        env = delivery.message.envelope
        cause = Cause(correlation_id=env.correlation_id or env.event_id, causation_id=env.event_id)
        try:
            command = ApplyPayment(
                tenant=env.tenant, debt_id=p.debt_id, payment_id=p.payment_id,
                amount=Money(p.amount.amount_minor, p.amount.currency),
                received_at=p.received_at, debtor_id=p.debtor_id)
            await bus().handle(command, conn=delivery.conn, cause=cause)
        except LedgerError as exc:
            log.warning("ledger.payment_parked", payment_id=p.payment_id,
                        reason=type(exc).__name__)
            await park_payment(
                delivery.conn, tenant=env.tenant, payment_id=p.payment_id, debt_id=p.debt_id,
                debtor_id=p.debtor_id, amount_minor=p.amount.amount_minor,
                currency=p.amount.currency, received_at=p.received_at,
                reason=type(exc).__name__, detail=str(exc), event_id=env.event_id,
                parked_at=clock.now())

    return handle
