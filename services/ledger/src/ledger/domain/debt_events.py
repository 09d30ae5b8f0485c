"""Private events of the Debt aggregate and the value types they carry.

None of these carry personal data: the debt refers to its debtor by id, and stores only the
last four digits of the account number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ledger.domain.components import Allocation, Component
from ledger.domain.events import Event, PartialEvent, event
from ledger.domain.money import Money


class DebtType(StrEnum):
    CREDIT_CARD = "credit_card"
    MEDICAL = "medical"
    AUTO = "auto"
    PERSONAL_LOAN = "personal_loan"
    UTILITY = "utility"
    TELECOM = "telecom"
    STUDENT_LOAN = "student_loan"
    OTHER = "other"


class DebtPurpose(StrEnum):
    # FDCPA covers only consumer debts (personal, family or household purposes), 1692a(5).
    CONSUMER = "consumer"
    BUSINESS = "business"


class ReversalReason(StrEnum):
    REFUND = "refund"
    CHARGEBACK = "chargeback"


class DisputeMedium(StrEnum):
    LETTER = "letter"
    EMAIL = "email"
    WEB = "web"
    PHONE = "phone"
    IN_PERSON = "in_person"
    FAX = "fax"


class DisputeOutcome(StrEnum):
    """How a dispute ended, stated about the debt.

    upheld: verification confirmed the debt as stated; corrected: the debt was found wrong and
    corrected; withdrawn: the consumer withdrew the dispute.
    """

    UPHELD = "upheld"
    CORRECTED = "corrected"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Itemization:
    """Reg F 1006.34(c)(2) style itemization, as the creditor supplied it at placement."""

    itemization_date: date
    principal: Money
    interest: Money
    fees: Money
    payments: Money
    credits: Money


@dataclass(frozen=True)
class InstalmentRef:
    schedule_id: str
    number: int
    count: int


@dataclass(frozen=True)
class InstalmentTerms:
    due_on: date
    principal: Money
    interest: Money | None = None
    fees: Money | None = None


@dataclass(frozen=True)
class SettlementInstalment:
    due_on: date
    amount: Money


@event("ledger.DebtOpened")
@dataclass(frozen=True, kw_only=True)
class DebtOpened(Event):
    debt_id: str
    tenant_id: str
    debtor_id: str
    original_creditor: str
    account_last4: str
    debt_type: DebtType
    purpose: DebtPurpose
    currency: str
    governing_state: str | None
    time_zone: str | None
    charge_off_date: date | None
    last_payment_date: date | None
    default_date: date | None
    itemization: Itemization | None


@event("ledger.InvoiceIssued")
@dataclass(frozen=True, kw_only=True)
class InvoiceIssued(Event):
    debt_id: str
    invoice_id: str
    issued_on: date
    due_on: date
    principal: Money
    interest: Money
    fees: Money
    instalment: InstalmentRef | None


@event("ledger.PaymentApplied")
@dataclass(frozen=True, kw_only=True)
class PaymentApplied(Event):
    """``occurred_at`` is when the payment was received. ``credit`` is the unallocated rest."""

    debt_id: str
    payment_id: str
    amount: Money
    allocations: tuple[Allocation, ...]
    credit: Money
    settlement_id: str | None


@event("ledger.PaymentReversed")
@dataclass(frozen=True, kw_only=True)
class PaymentReversed(Event):
    """Undoes exactly the allocations and credit of one PaymentApplied."""

    debt_id: str
    payment_id: str
    reason: ReversalReason
    allocations: tuple[Allocation, ...]
    credit: Money
    settlement_id: str | None


@event("ledger.DisputeRaised")
@dataclass(frozen=True, kw_only=True)
class DisputeRaised(Event):
    """``occurred_at`` is when the dispute was received. ``portion`` None = the whole debt."""

    debt_id: str
    dispute_id: str
    written: bool
    medium: DisputeMedium
    portion: Money | None


@event("ledger.DisputeResolved")
@dataclass(frozen=True, kw_only=True)
class DisputeResolved(Event):
    debt_id: str
    dispute_id: str
    outcome: DisputeOutcome
    verification_sent_at: datetime | None


@event("ledger.SettlementAgreed")
@dataclass(frozen=True, kw_only=True)
class SettlementAgreed(Event):
    debt_id: str
    settlement_id: str
    amount: Money
    balance_at_agreement: Money
    deadline: datetime
    instalments: tuple[SettlementInstalment, ...]


@event("ledger.SettlementCompleted")
@dataclass(frozen=True, kw_only=True)
class SettlementCompleted(Event):
    debt_id: str
    settlement_id: str
    paid: Money


@event("ledger.SettlementBroken")
@dataclass(frozen=True, kw_only=True)
class SettlementBroken(Event):
    debt_id: str
    settlement_id: str
    deadline: datetime
    paid: Money


@event("ledger.DebtWrittenOff")
@dataclass(frozen=True, kw_only=True)
class DebtWrittenOff(Event):
    debt_id: str
    amount: Money
    allocations: tuple[Allocation, ...]
    reason: str
    settlement_id: str | None


@event("ledger.DebtPlaced")
@dataclass(frozen=True, kw_only=True)
class DebtPlaced(Event):
    debt_id: str
    placement_id: str
    agency_id: str


@event("ledger.PlacementRecalled")
@dataclass(frozen=True, kw_only=True)
class PlacementRecalled(Event):
    debt_id: str
    placement_id: str
    agency_id: str
    reason: str


@event("ledger.InvoiceOverdueMilestoneReached")
@dataclass(frozen=True, kw_only=True)
class InvoiceOverdueMilestoneReached(Event):
    """Everything the public ``ledger.InvoiceOverdue`` contract needs, so the relay maps 1:1.

    ``as_of`` is the calendar date ("today") in the debt's zone on which the milestone was
    found due; ``days_past_due`` can exceed ``milestone_days`` when a sweep catches up.
    """

    debt_id: str
    tenant_id: str
    debtor_id: str
    invoice_id: str
    due_date: date
    milestone_days: int
    days_past_due: int
    outstanding: Money
    governing_state: str | None
    as_of: date


@dataclass(frozen=True)
class DebtDetails:
    """What a debt says about itself beyond its amounts: the facts that may be corrected after
    opening (``update_details``). Currency, debtor and account number are not among them."""

    original_creditor: str
    debt_type: DebtType
    purpose: DebtPurpose
    governing_state: str | None
    time_zone: str | None
    charge_off_date: date | None
    last_payment_date: date | None
    default_date: date | None
    itemization: Itemization | None


DETAIL_FIELDS: tuple[str, ...] = tuple(DebtDetails.__dataclass_fields__)


@event("ledger.DebtDetailsUpdated")
@dataclass(frozen=True, kw_only=True)
class DebtDetailsUpdated(PartialEvent):
    """Only the fields named in ``changed`` are stored; the others are None and mean nothing."""

    OPTIONAL_FIELDS = frozenset(DETAIL_FIELDS)

    debt_id: str
    reason: str
    original_creditor: str | None = None
    debt_type: DebtType | None = None
    purpose: DebtPurpose | None = None
    governing_state: str | None = None
    time_zone: str | None = None
    charge_off_date: date | None = None
    last_payment_date: date | None = None
    default_date: date | None = None
    itemization: Itemization | None = None


@event("ledger.InvoiceRescheduled")
@dataclass(frozen=True, kw_only=True)
class InvoiceRescheduled(Event):
    """The due date moved later (a hardship extension). Milestones already reached stay."""

    debt_id: str
    invoice_id: str
    previous_due_on: date
    due_on: date
    reason: str


@event("ledger.InvoiceAdjusted")
@dataclass(frozen=True, kw_only=True)
class InvoiceAdjusted(Event):
    """A credit note (negative ``amount``) or an upward correction. The per-component changes
    are decided when recorded and add up to ``amount``; each may be negative."""

    debt_id: str
    invoice_id: str
    amount: Money
    principal: Money
    interest: Money
    fees: Money
    reason: str


@event("ledger.CreditRefunded")
@dataclass(frozen=True, kw_only=True)
class CreditRefunded(Event):
    """Part of the debt's credit (an overpayment) paid back to the debtor."""

    debt_id: str
    refund_id: str
    amount: Money
    reason: str


__all__ = [
    "DETAIL_FIELDS",
    "Allocation",
    "Component",
    "CreditRefunded",
    "DebtDetails",
    "DebtDetailsUpdated",
    "DebtOpened",
    "DebtPlaced",
    "DebtPurpose",
    "DebtType",
    "DebtWrittenOff",
    "DisputeMedium",
    "DisputeOutcome",
    "DisputeRaised",
    "DisputeResolved",
    "InstalmentRef",
    "InstalmentTerms",
    "InvoiceAdjusted",
    "InvoiceIssued",
    "InvoiceOverdueMilestoneReached",
    "InvoiceRescheduled",
    "Itemization",
    "PaymentApplied",
    "PaymentReversed",
    "PlacementRecalled",
    "ReversalReason",
    "SettlementAgreed",
    "SettlementBroken",
    "SettlementCompleted",
    "SettlementInstalment",
]
