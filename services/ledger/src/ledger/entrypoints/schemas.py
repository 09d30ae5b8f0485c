"""HTTP request and response models (with OpenAPI examples). They never enter the domain:
routes turn them into commands."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from goodfaith_events.contracts.common import Instant
from ledger.domain.components import Component
from ledger.domain.debt_events import (
    DebtPurpose,
    DebtType,
    DisputeMedium,
    DisputeOutcome,
    ReversalReason,
)
from ledger.domain.debtor import EmailProvenance, PhoneType

# The public contracts' id alphabet: invoice and payment ids travel in InvoiceOverdue.
Id = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
Text = Annotated[str, Field(min_length=1, max_length=200)]


def examples(*items: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(items)})


# The largest amount one request may carry: 10^15 minor units ($10 trillion in cents). A debt's
# totals are sums of its amounts kept in PostgreSQL bigints; amounts up to 2^63 each let two of
# them overflow the sum (a 500 once). At this bound, 9,000 of them still fit.
MAX_MINOR = 10**15
Minor = Annotated[StrictInt, Field(ge=-MAX_MINOR, le=MAX_MINOR)]


class MoneyIn(BaseModel):
    model_config = examples({"amount_minor": 12500, "currency": "USD"})
    amount_minor: Minor = Field(description="Integer minor units (cents); never a float")
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class MoneyOut(BaseModel):
    amount_minor: int
    currency: str


# --- debtors -------------------------------------------------------------------------------

class RegisterDebtorIn(BaseModel):
    model_config = examples({"given_name": "Jane", "family_name": "Roe", "language": "en-US",
                             "country": "US", "region": "CA"})
    given_name: Text
    family_name: Text
    other_names: list[Text] = Field(default_factory=list, max_length=10)
    language: Annotated[str, Field(min_length=2, max_length=35)]
    country: Annotated[str, Field(min_length=2, max_length=2)]
    region: Annotated[str, Field(min_length=2, max_length=2)] | None = None


class PhoneIn(BaseModel):
    model_config = examples({"number": "+14155550123", "type": "cell"})
    number: Annotated[str, Field(max_length=20)]
    type: PhoneType


class EmailIn(BaseModel):
    model_config = examples({"address": "jane@example.com", "provenance": "consumer_provided"})
    address: Annotated[str, Field(max_length=320)]
    provenance: EmailProvenance


class AddressIn(BaseModel):
    model_config = examples({"lines": ["1 Main St", "Apt 2"], "city": "Oakland", "region": "CA",
                             "postal_code": "94607", "country": "US",
                             "time_zone": "America/Los_Angeles"})
    lines: Annotated[list[Text], Field(min_length=1, max_length=4)]
    city: Text
    region: Annotated[str, Field(min_length=2, max_length=2)] | None = None
    postal_code: Annotated[str, Field(min_length=1, max_length=20)]
    country: Annotated[str, Field(min_length=2, max_length=2)]
    time_zone: Annotated[str, Field(min_length=1, max_length=64, description="IANA zone")]


class LanguageIn(BaseModel):
    model_config = examples({"language": "es-US"})
    language: Annotated[str, Field(min_length=2, max_length=35)]


class ErasureIn(BaseModel):
    model_config = examples({"reason": "GDPR art. 17 request 2025-0042"})
    reason: Text


class PhoneOut(BaseModel):
    phone_id: str
    number: str
    type: str
    area_code: str | None


class EmailOut(BaseModel):
    email_id: str
    address: str
    provenance: str


class AddressOut(BaseModel):
    address_id: str
    lines: list[str]
    city: str
    region: str | None
    postal_code: str
    country: str
    time_zone: str


class DebtorOut(BaseModel):
    model_config = examples({
        "debtor_id": "0197a0c4-0000-7000-8000-000000000001", "given_name": "Jane",
        "family_name": "Roe", "other_names": [], "language": "en-US", "country": "US",
        "region": "CA", "erased": False, "phones": [], "emails": [], "addresses": []})
    debtor_id: str
    given_name: str
    family_name: str
    other_names: list[str]
    language: str
    country: str
    region: str | None
    erased: bool
    phones: list[PhoneOut]
    emails: list[EmailOut]
    addresses: list[AddressOut]


class CreatedOut(BaseModel):
    model_config = examples({"id": "0197a0c4-0000-7000-8000-0000000000aa"})
    id: str


class TotalsOut(BaseModel):
    model_config = examples({"debtor_id": "0197a0c4-0000-7000-8000-000000000001", "totals": [
        {"currency": "USD", "debts": 2, "total": 45000, "disputed": 0, "credit": 0}]})
    debtor_id: str
    totals: list[dict[str, Any]]


# --- debts ---------------------------------------------------------------------------------

class ItemizationIn(BaseModel):
    itemization_date: date
    principal: Minor = Field(ge=0)
    interest: Minor = Field(ge=0)
    fees: Minor = Field(ge=0)
    payments: Minor = Field(ge=0)
    credits: Minor = Field(ge=0)


class OpenDebtIn(BaseModel):
    model_config = examples({
        "debtor_id": "0197a0c4-0000-7000-8000-000000000001", "original_creditor": "Acme Bank",
        "account_last4": "4242", "debt_type": "credit_card", "purpose": "consumer",
        "currency": "USD", "governing_state": "CA", "time_zone": "America/Los_Angeles",
        "charge_off_date": "2024-11-30", "last_payment_date": "2024-09-15",
        "itemization": {"itemization_date": "2024-11-30", "principal": 100000, "interest": 5000,
                        "fees": 2500, "payments": 0, "credits": 0}})
    debtor_id: Text
    original_creditor: Text
    account_last4: Annotated[str, Field(max_length=30, description="Last 4 digits only")]
    debt_type: DebtType
    purpose: DebtPurpose
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    governing_state: Annotated[str, Field(max_length=2)] | None = None
    time_zone: Annotated[str, Field(max_length=64)] | None = None
    charge_off_date: date | None = None
    last_payment_date: date | None = None
    default_date: date | None = None
    itemization: ItemizationIn | None = None


class DebtDetailsIn(BaseModel):
    """Only the fields present change; ``null`` clears an optional one. Currency, debtor and
    account number cannot change (unknown fields are refused)."""

    model_config = examples(
        {"governing_state": "NY", "time_zone": "America/New_York",
         "charge_off_date": "2024-12-31", "reason": "creditor file correction 2025-06"},
        {"last_payment_date": None, "reason": "date entered in error"})
    reason: Text
    original_creditor: Text | None = None
    debt_type: DebtType | None = None
    purpose: DebtPurpose | None = None
    governing_state: Annotated[str, Field(max_length=2)] | None = None
    time_zone: Annotated[str, Field(max_length=64, description="IANA zone")] | None = None
    charge_off_date: date | None = None
    last_payment_date: date | None = None
    default_date: date | None = None
    itemization: ItemizationIn | None = None


class RescheduleIn(BaseModel):
    model_config = examples({"due_on": "2025-07-31", "reason": "hardship extension"})
    due_on: date
    reason: Text


class AdjustmentIn(BaseModel):
    model_config = examples(
        {"change": {"amount_minor": -2500, "currency": "USD"}, "reason": "credit note CN-17"},
        {"change": {"amount_minor": 1000, "currency": "USD"}, "component": "fees",
         "reason": "late fee omitted at issue"})
    change: MoneyIn = Field(description="Negative: a credit note; positive: a correction up")
    reason: Text
    component: Component | None = Field(
        None, description="Only this component; by default a reduction takes fees, interest, "
        "then principal and an increase goes to principal")


class CreditRefundIn(BaseModel):
    model_config = examples({"refund_id": "rf_01J0", "amount": {"amount_minor": 1500,
                                                               "currency": "USD"},
                             "reason": "overpayment returned by ACH"})
    refund_id: Id | None = None
    amount: MoneyIn
    reason: Text


class InvoiceIn(BaseModel):
    model_config = examples({"invoice_id": "INV-2025-0001", "issued_on": "2025-03-01",
                             "due_on": "2025-03-31", "principal": {"amount_minor": 10000,
                                                                   "currency": "USD"}})
    invoice_id: Id | None = None
    issued_on: date
    due_on: date
    principal: MoneyIn
    interest: MoneyIn | None = None
    fees: MoneyIn | None = None


class InstalmentIn(BaseModel):
    due_on: date
    principal: MoneyIn
    interest: MoneyIn | None = None
    fees: MoneyIn | None = None


class ScheduleIn(BaseModel):
    model_config = examples({"schedule_id": "PLAN-7", "issued_on": "2025-03-01", "instalments": [
        {"due_on": "2025-04-01", "principal": {"amount_minor": 5000, "currency": "USD"}},
        {"due_on": "2025-05-01", "principal": {"amount_minor": 5000, "currency": "USD"}}]})
    schedule_id: Annotated[str, Field(min_length=1, max_length=90,
                                      pattern=r"^[A-Za-z0-9._:-]+$")] | None = None
    issued_on: date
    instalments: Annotated[list[InstalmentIn], Field(min_length=1, max_length=120)]


class PaymentIn(BaseModel):
    model_config = examples({"payment_id": "pay_01HZX", "amount": {"amount_minor": 2500,
                                                                   "currency": "USD"},
                             "received_at": "2025-04-02T15:04:05Z"})
    payment_id: Id
    amount: MoneyIn
    received_at: Instant
    invoice_order: Literal["oldest_due_first", "newest_due_first"] | None = None


class ReversalIn(BaseModel):
    model_config = examples({"reason": "chargeback"})
    reason: ReversalReason


class DisputeIn(BaseModel):
    model_config = examples({"written": True, "medium": "letter",
                             "received_at": "2025-04-03T10:00:00Z",
                             "portion": {"amount_minor": 2500, "currency": "USD"}})
    written: bool
    medium: DisputeMedium
    received_at: Instant
    portion: MoneyIn | None = None


class ResolutionIn(BaseModel):
    model_config = examples({"outcome": "upheld", "verification_sent_at": "2025-04-10T12:00:00Z"})
    outcome: DisputeOutcome
    verification_sent_at: Instant | None = None


class SettlementInstalmentIn(BaseModel):
    due_on: date
    amount: MoneyIn


class SettlementIn(BaseModel):
    model_config = examples({"amount": {"amount_minor": 6000, "currency": "USD"},
                             "deadline": "2025-06-30T23:59:59Z"})
    amount: MoneyIn
    deadline: Instant
    instalments: list[SettlementInstalmentIn] = Field(default_factory=list, max_length=60)


class ReasonIn(BaseModel):
    model_config = examples({"reason": "bankruptcy discharge"})
    reason: Text


class PlacementIn(BaseModel):
    model_config = examples({"agency_id": "agency-northwind"})
    agency_id: Id


class InvoiceOut(BaseModel):
    invoice_id: str
    issued_on: date
    due_on: date
    invoiced: int
    principal: int
    interest: int
    fees: int
    outstanding: int
    schedule_id: str | None
    instalment_number: int | None
    instalment_count: int | None
    milestones_reached: list[int]
    next_milestone_days: int | None
    next_milestone_at: datetime | None


class DebtOut(BaseModel):
    model_config = examples({
        "debt_id": "0197a0c4-0000-7000-8000-0000000000aa",
        "debtor_id": "0197a0c4-0000-7000-8000-000000000001", "original_creditor": "Acme Bank",
        "account_last4": "4242", "debt_type": "credit_card", "purpose": "consumer",
        "currency": "USD", "governing_state": "CA", "time_zone": "America/Los_Angeles",
        "status": "open", "principal": 10000, "interest": 0, "fees": 0, "total": 10000,
        "disputed": 0, "credit": 0, "placed_with": None, "settlement": None,
        "open_disputes": 0, "version": 2, "opened_at": "2025-03-01T15:00:00Z"})
    debt_id: str
    debtor_id: str
    original_creditor: str
    account_last4: str
    debt_type: str
    purpose: str
    currency: str
    governing_state: str | None
    time_zone: str | None
    charge_off_date: date | None = None
    last_payment_date: date | None = None
    default_date: date | None = None
    itemization: dict[str, Any] | None = None
    status: str
    principal: int
    interest: int
    fees: int
    total: int
    disputed: int
    credit: int
    placed_with: str | None
    settlement: dict[str, Any] | None
    open_disputes: int
    next_milestone_at: datetime | None = None
    version: int
    opened_at: datetime
    invoices: list[InvoiceOut] = Field(default_factory=list)


class DebtPage(BaseModel):
    items: list[DebtOut]
    next_cursor: str | None


class BalanceOut(BaseModel):
    model_config = examples({"debt_id": "0197a0c4-0000-7000-8000-0000000000aa",
                             "currency": "USD", "status": "open", "principal": 7500,
                             "interest": 0, "fees": 0, "total": 7500, "disputed": 2500,
                             "credit": 0, "invoices": []})
    debt_id: str
    currency: str
    status: str
    principal: int
    interest: int
    fees: int
    total: int
    disputed: int
    credit: int
    invoices: list[InvoiceOut]


class AgingOut(BaseModel):
    model_config = examples({"as_of": "2025-05-01", "by_currency": {"USD": {
        "current": 0, "1-30": 5000, "31-60": 2500, "61-90": 0, "91-120": 0, "over_120": 0}}})
    as_of: date
    by_currency: dict[str, dict[str, int]]


class TimelineEntryOut(BaseModel):
    version: int
    at: datetime
    event: str
    summary: str
    amount: MoneyOut | None


class TimelinePage(BaseModel):
    model_config = examples({"items": [{"version": 1, "at": "2025-03-01T15:00:00Z",
                                        "event": "ledger.DebtOpened",
                                        "summary": "Debt opened (credit_card)", "amount": None}],
                             "next_cursor": None})
    items: list[TimelineEntryOut]
    next_cursor: str | None


class LimitationOut(BaseModel):
    model_config = examples({"debt_id": "0197a0c4-0000-7000-8000-0000000000aa",
                             "as_of": "2025-05-01", "time_barred": "unknown",
                             "governing_state": None, "debt_type": "credit_card",
                             "accrual_dates": []})
    debt_id: str
    as_of: date
    time_barred: bool | Literal["unknown"]
    governing_state: str | None
    debt_type: str
    accrual_dates: list[date]


class ParkedPaymentOut(BaseModel):
    payment_id: str
    debt_id: str
    debtor_id: str | None
    amount_minor: int
    currency: str
    received_at: datetime
    reason: str
    detail: str
    attempts: int
    parked_at: datetime
    status: Literal["open", "resolved"]
    resolved_at: datetime | None


class ParkedPage(BaseModel):
    model_config = examples({"items": [{
        "payment_id": "pay_01HZX", "debt_id": "unknown-debt", "debtor_id": "d-1",
        "amount_minor": 2500, "currency": "USD", "received_at": "2025-04-02T15:04:05Z",
        "reason": "UnknownDebt", "detail": "debt unknown-debt does not exist", "attempts": 1,
        "parked_at": "2025-04-02T15:04:06Z", "status": "open", "resolved_at": None}],
        "next_cursor": None})
    items: list[ParkedPaymentOut]
    next_cursor: str | None
