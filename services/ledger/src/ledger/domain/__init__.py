"""Pure, synchronous domain of the ledger: no I/O, no framework imports.

Importing this package registers every event type in ``EVENT_TYPES``.
"""

from ledger.domain import debt_events, debtor
from ledger.domain.aging import AgingBucket, AgingReport, age, age_portfolio, bucket_for
from ledger.domain.allocation import AllocationPolicy, InvoiceOrder, policy_for
from ledger.domain.components import Allocation, Component, Components
from ledger.domain.debt import Debt, DebtStatus
from ledger.domain.debtor import Debtor, EmailProvenance, PhoneType, PostalAddress, make_address
from ledger.domain.errors import LedgerError
from ledger.domain.events import (
    ERASED,
    EVENT_TYPES,
    Event,
    from_payload,
    mask_personal_fields,
    personal_fields,
    to_payload,
)
from ledger.domain.limitations import UNKNOWN, time_barred
from ledger.domain.milestones import DEFAULT_MILESTONES, due_milestones, today_in
from ledger.domain.money import Money
from ledger.domain.views import debt_balance, debtor_totals, timeline

__all__ = [
    "DEFAULT_MILESTONES",
    "ERASED",
    "EVENT_TYPES",
    "UNKNOWN",
    "AgingBucket",
    "AgingReport",
    "Allocation",
    "AllocationPolicy",
    "Component",
    "Components",
    "Debt",
    "DebtStatus",
    "Debtor",
    "EmailProvenance",
    "Event",
    "InvoiceOrder",
    "LedgerError",
    "Money",
    "PhoneType",
    "PostalAddress",
    "age",
    "age_portfolio",
    "bucket_for",
    "debt_balance",
    "debt_events",
    "debtor",
    "debtor_totals",
    "due_milestones",
    "from_payload",
    "make_address",
    "mask_personal_fields",
    "personal_fields",
    "policy_for",
    "time_barred",
    "timeline",
    "to_payload",
    "today_in",
]
