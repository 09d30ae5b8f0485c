"""Commands: what a caller asks the ledger to do, in the imperative. Plain data, no rules.

Every command names its tenant; the service layer only ever loads streams of that tenant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ledger.domain.allocation import AllocationPolicy
from ledger.domain.components import Component
from ledger.domain.debt_events import (
    DebtPurpose,
    DebtType,
    DisputeMedium,
    DisputeOutcome,
    InstalmentTerms,
    Itemization,
    ReversalReason,
    SettlementInstalment,
)
from ledger.domain.debtor import EmailProvenance, PhoneType, PostalAddress
from ledger.domain.money import Money


@dataclass(frozen=True, kw_only=True)
class Command:
    tenant: str


@dataclass(frozen=True, kw_only=True)
class RegisterDebtor(Command):
    debtor_id: str
    given_name: str
    family_name: str
    language: str
    country: str
    region: str | None = None
    other_names: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DebtorCommand(Command):
    debtor_id: str


@dataclass(frozen=True, kw_only=True)
class AddPhone(DebtorCommand):
    phone_id: str
    number: str
    kind: PhoneType


@dataclass(frozen=True, kw_only=True)
class AddEmail(DebtorCommand):
    email_id: str
    address: str
    provenance: EmailProvenance


@dataclass(frozen=True, kw_only=True)
class AddAddress(DebtorCommand):
    address_id: str
    address: PostalAddress


@dataclass(frozen=True, kw_only=True)
class RemoveContactPoint(DebtorCommand):
    kind: str  # "phone", "email" or "address"
    item_id: str


@dataclass(frozen=True, kw_only=True)
class ChangeLanguage(DebtorCommand):
    language: str


@dataclass(frozen=True, kw_only=True)
class EraseDebtor(DebtorCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class OpenDebt(Command):
    debt_id: str
    debtor_id: str
    original_creditor: str
    account_last4: str
    debt_type: DebtType
    purpose: DebtPurpose
    currency: str
    governing_state: str | None = None
    time_zone: str | None = None
    charge_off_date: date | None = None
    last_payment_date: date | None = None
    default_date: date | None = None
    itemization: Itemization | None = None


@dataclass(frozen=True, kw_only=True)
class DebtCommand(Command):
    debt_id: str


@dataclass(frozen=True, kw_only=True)
class AddInvoice(DebtCommand):
    invoice_id: str
    issued_on: date
    due_on: date
    principal: Money
    interest: Money | None = None
    fees: Money | None = None


@dataclass(frozen=True, kw_only=True)
class AddInstalmentSchedule(DebtCommand):
    schedule_id: str
    issued_on: date
    instalments: tuple[InstalmentTerms, ...]


@dataclass(frozen=True, kw_only=True)
class ApplyPayment(DebtCommand):
    payment_id: str
    amount: Money
    received_at: datetime
    # The debtor the payer named, when known: a mismatch is refused, never guessed at.
    debtor_id: str | None = None
    policy: AllocationPolicy | None = None


@dataclass(frozen=True, kw_only=True)
class ReversePayment(DebtCommand):
    payment_id: str
    reason: ReversalReason


@dataclass(frozen=True, kw_only=True)
class RaiseDispute(DebtCommand):
    dispute_id: str
    written: bool
    medium: DisputeMedium
    received_at: datetime
    portion: Money | None = None


@dataclass(frozen=True, kw_only=True)
class ResolveDispute(DebtCommand):
    dispute_id: str
    outcome: DisputeOutcome
    verification_sent_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class AgreeSettlement(DebtCommand):
    settlement_id: str
    amount: Money
    deadline: datetime
    instalments: tuple[SettlementInstalment, ...] = ()


@dataclass(frozen=True, kw_only=True)
class WriteOff(DebtCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class PlaceWithAgency(DebtCommand):
    placement_id: str
    agency_id: str


@dataclass(frozen=True, kw_only=True)
class RecallPlacement(DebtCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class UpdateDebtDetails(DebtCommand):
    # Only the fields to change, by name; None clears an optional one (see domain/details.py).
    changes: Mapping[str, Any]
    reason: str


@dataclass(frozen=True, kw_only=True)
class RescheduleInvoice(DebtCommand):
    invoice_id: str
    due_on: date
    reason: str


@dataclass(frozen=True, kw_only=True)
class AdjustInvoice(DebtCommand):
    invoice_id: str
    change: Money  # negative: a credit note; positive: an upward correction
    reason: str
    component: Component | None = None


@dataclass(frozen=True, kw_only=True)
class RefundCredit(DebtCommand):
    refund_id: str
    amount: Money
    reason: str


@dataclass(frozen=True, kw_only=True)
class RetryParkedPayment(Command):
    payment_id: str
