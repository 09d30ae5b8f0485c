"""Public contracts: the only event types that cross a service boundary.

Each is registered under a stable name, a schema version and its Kafka topic.
"""

from goodfaith_events.contracts.common import Channel, Money
from goodfaith_events.contracts.gate import (
    AttemptOutcome,
    ContactApproved,
    ContactAttempted,
    ContactBlocked,
    ContactRequested,
    FailingRule,
    approval_signing_bytes,
)
from goodfaith_events.contracts.ledger import DebtorErased, DisputeRaised, InvoiceOverdue
from goodfaith_events.contracts.payments import PaymentReceived
from goodfaith_events.registry import REGISTRY


class Topics:
    INVOICE_OVERDUE = "goodfaith.invoice-overdue"
    DISPUTE_RAISED = "goodfaith.dispute-raised"
    PAYMENT_RECEIVED = "goodfaith.payment-received"
    CONTACT_REQUESTED = "goodfaith.contact-requested"
    CONTACT_DECIDED = "goodfaith.contact-decided"
    CONTACT_ATTEMPTED = "goodfaith.contact-attempted"
    DEBTOR_ERASED = "goodfaith.debtor-erased"

    @classmethod
    def all(cls) -> list[str]:
        return [v for k, v in vars(cls).items() if k.isupper()]


REGISTRY.register(InvoiceOverdue, name="ledger.InvoiceOverdue", version=1,
                  topic=Topics.INVOICE_OVERDUE)
REGISTRY.register(DisputeRaised, name="ledger.DisputeRaised", version=1,
                  topic=Topics.DISPUTE_RAISED)
REGISTRY.register(DebtorErased, name="ledger.DebtorErased", version=1,
                  topic=Topics.DEBTOR_ERASED)
REGISTRY.register(PaymentReceived, name="payments.PaymentReceived", version=1,
                  topic=Topics.PAYMENT_RECEIVED)
REGISTRY.register(ContactRequested, name="outreach.ContactRequested", version=1,
                  topic=Topics.CONTACT_REQUESTED)
REGISTRY.register(ContactApproved, name="compliance.ContactApproved", version=1,
                  topic=Topics.CONTACT_DECIDED)
REGISTRY.register(ContactBlocked, name="compliance.ContactBlocked", version=1,
                  topic=Topics.CONTACT_DECIDED)
REGISTRY.register(ContactAttempted, name="outreach.ContactAttempted", version=1,
                  topic=Topics.CONTACT_ATTEMPTED)

__all__ = [
    "REGISTRY",
    "AttemptOutcome",
    "Channel",
    "ContactApproved",
    "ContactAttempted",
    "ContactBlocked",
    "ContactRequested",
    "DebtorErased",
    "DisputeRaised",
    "FailingRule",
    "InvoiceOverdue",
    "Money",
    "PaymentReceived",
    "Topics",
    "approval_signing_bytes",
]
