"""The Debt aggregate: one account owed by one debtor to one tenant (creditor).

Invoices live inside the debt rather than as their own aggregates: a payment allocates across
several invoices atomically, and the balance, settlement and write-off invariants span all of
them. One stream per debt keeps each of those a single optimistic-concurrency check.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from functools import singledispatchmethod
from typing import Any

from ledger.domain.adjustments import split_adjustment
from ledger.domain.aggregate import Aggregate
from ledger.domain.allocation import AllocationPolicy, OpenItem, allocate, policy_for
from ledger.domain.components import Allocation, Component, Components
from ledger.domain.debt_events import (
    CreditRefunded,
    DebtDetails,
    DebtDetailsUpdated,
    DebtOpened,
    DebtPlaced,
    DebtPurpose,
    DebtType,
    DebtWrittenOff,
    DisputeMedium,
    DisputeOutcome,
    DisputeRaised,
    DisputeResolved,
    InstalmentRef,
    InstalmentTerms,
    InvoiceAdjusted,
    InvoiceIssued,
    InvoiceOverdueMilestoneReached,
    InvoiceRescheduled,
    Itemization,
    PaymentApplied,
    PaymentReversed,
    PlacementRecalled,
    ReversalReason,
    SettlementAgreed,
    SettlementBroken,
    SettlementCompleted,
    SettlementInstalment,
)
from ledger.domain.details import changed_details, checked_itemization, details_of
from ledger.domain.errors import (
    DebtClosed,
    DisputeAlreadyResolved,
    DuplicateDispute,
    DuplicateInvoice,
    InsufficientCredit,
    InvalidAccountNumber,
    InvalidAmount,
    InvalidField,
    InvoiceChangeRefused,
    MilestoneNotDue,
    NothingToWriteOff,
    NotPlaced,
    PaymentIdConflict,
    PlacementRefused,
    RefundIdConflict,
    SettlementRefused,
    UnknownDispute,
    UnknownInvoice,
    UnknownPayment,
)
from ledger.domain.events import Event
from ledger.domain.milestones import (
    DEFAULT_MILESTONES,
    InvoiceMilestoneState,
    days_past_due,
    due_milestones,
)
from ledger.domain.money import (
    Money,
    require_currency,
    require_non_negative,
    require_positive,
    total,
)
from ledger.domain.values import (
    optional_zone,
    require_aware,
    require_id,
    require_region,
    require_text,
)

_LAST4 = re.compile(r"\d{4}")
_DIGIT = re.compile(r"\d")

SETTLEMENT_REMAINDER = "settlement_remainder"


class DebtStatus(StrEnum):
    OPEN = "open"
    PAID_OFF = "paid_off"
    SETTLED = "settled"
    WRITTEN_OFF = "written_off"


@dataclass
class InvoiceState:
    invoice_id: str
    issued_on: date
    due_on: date
    original: Components
    outstanding: Components
    instalment: InstalmentRef | None
    milestones: set[int] = field(default_factory=set)


@dataclass
class PaymentState:
    amount: Money
    received_at: datetime
    allocations: tuple[Allocation, ...]
    credit: Money
    settlement_id: str | None
    reversed: bool = False


@dataclass
class DisputeState:
    dispute_id: str
    written: bool
    medium: DisputeMedium
    portion: Money | None
    received_at: datetime
    outcome: DisputeOutcome | None = None
    verification_sent_at: datetime | None = None


@dataclass
class SettlementState:
    settlement_id: str
    amount: Money
    deadline: datetime
    paid: Money
    instalments: tuple[SettlementInstalment, ...]


@dataclass
class _Placement:
    placement_id: str
    agency_id: str


def mask_account_number(account_number: str) -> str:
    """Keep exactly the last four digits; anything longer is refused, never truncated here,
    so a full card number (PAN) can never reach the event store by accident."""
    if not isinstance(account_number, str) or not _LAST4.fullmatch(account_number):
        digits = len(_DIGIT.findall(str(account_number)))
        raise InvalidAccountNumber(
            f"pass only the last 4 digits of the account number (got {digits} digits)"
        )
    return account_number


class Debt(Aggregate):
    def __init__(self) -> None:
        super().__init__()
        self._opened: DebtOpened | None = None
        # The correctable facts, as opened and then updated (DebtDetailsUpdated).
        self._details: DebtDetails | None = None
        self._refunds: dict[str, Money] = {}
        self._invoices: dict[str, InvoiceState] = {}
        self._payments: dict[str, PaymentState] = {}
        self._disputes: dict[str, DisputeState] = {}
        self._settlement: SettlementState | None = None
        self._placement: _Placement | None = None
        self._credit = Money.zero("XXX")
        self._settled = False
        self._written_off = False

    # -- opening ----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        debt_id: str,
        tenant_id: str,
        debtor_id: str,
        original_creditor: str,
        account_last4: str,
        debt_type: DebtType,
        purpose: DebtPurpose,
        currency: str,
        at: datetime,
        governing_state: str | None = None,
        time_zone: str | None = None,
        charge_off_date: date | None = None,
        last_payment_date: date | None = None,
        default_date: date | None = None,
        itemization: Itemization | None = None,
    ) -> Debt:
        Money.zero(currency)  # validates the code
        debt = cls()
        debt._record(
            DebtOpened(
                occurred_at=require_aware(at, "at"),
                debt_id=require_id(debt_id, "debt_id"),
                tenant_id=require_id(tenant_id, "tenant_id"),
                debtor_id=require_id(debtor_id, "debtor_id"),
                original_creditor=require_text(original_creditor, "original_creditor"),
                account_last4=mask_account_number(account_last4),
                debt_type=DebtType(debt_type),
                purpose=DebtPurpose(purpose),
                currency=currency,
                governing_state=require_region(governing_state, "governing_state"),
                time_zone=optional_zone(time_zone),
                charge_off_date=charge_off_date,
                last_payment_date=last_payment_date,
                default_date=default_date,
                itemization=checked_itemization(itemization, currency),
            )
        )
        return debt

    # -- details ----------------------------------------------------------------------------

    def update_details(
        self, changes: Mapping[str, Any], *, reason: str, at: datetime
    ) -> tuple[Event, ...]:
        """Correct details given at opening (``details.py`` says which and why). Records only
        the fields whose value changes; nothing changing is a no-op. Allowed on any status:
        a closed debt's governing state still decides its limitation status."""
        changed = changed_details(self.details, changes, self.currency)
        if not changed:
            return ()
        return (
            self._record(
                DebtDetailsUpdated(
                    occurred_at=require_aware(at, "at"),
                    debt_id=self.debt_id,
                    reason=require_text(reason, "reason"),
                    changed=tuple(sorted(changed)),
                    **changed,
                )
            ),
        )

    # -- invoices ---------------------------------------------------------------------------

    def add_invoice(
        self,
        invoice_id: str,
        *,
        issued_on: date,
        due_on: date,
        principal: Money,
        at: datetime,
        interest: Money | None = None,
        fees: Money | None = None,
    ) -> Event:
        return self._issue(
            invoice_id, issued_on, InstalmentTerms(due_on, principal, interest, fees), None, at
        )

    def add_instalment_schedule(
        self,
        schedule_id: str,
        *,
        issued_on: date,
        instalments: Sequence[InstalmentTerms],
        at: datetime,
    ) -> tuple[Event, ...]:
        """One invoice per instalment, ids ``<schedule_id>-<n>`` counting from 1."""
        require_id(schedule_id, "schedule_id")
        if not instalments:
            raise InvalidField("an instalment schedule needs at least one instalment")
        count = len(instalments)
        return tuple(
            self._issue(
                f"{schedule_id}-{n}", issued_on, terms, InstalmentRef(schedule_id, n, count), at
            )
            for n, terms in enumerate(instalments, start=1)
        )

    def _issue(
        self,
        invoice_id: str,
        issued_on: date,
        terms: InstalmentTerms,
        instalment: InstalmentRef | None,
        at: datetime,
    ) -> Event:
        self._require_open_for("new invoices")
        require_id(invoice_id, "invoice_id")
        if invoice_id in self._invoices:
            raise DuplicateInvoice(f"invoice {invoice_id} already exists")
        if terms.due_on < issued_on:
            raise InvalidField("an invoice cannot fall due before it is issued")
        amounts = self._invoice_amounts(terms)
        if not amounts.total.is_positive:
            raise InvalidField("an invoice must be for a positive amount")
        return self._record(
            InvoiceIssued(
                occurred_at=require_aware(at, "at"),
                debt_id=self.debt_id,
                invoice_id=invoice_id,
                issued_on=issued_on,
                due_on=terms.due_on,
                principal=amounts.principal,
                interest=amounts.interest,
                fees=amounts.fees,
                instalment=instalment,
            )
        )

    def _invoice_amounts(self, terms: InstalmentTerms) -> Components:
        zero = Money.zero(self.currency)

        def checked(value: Money | None, what: str) -> Money:
            if value is None:
                return zero
            return require_currency(require_non_negative(value, what), self.currency, what)

        return Components(
            principal=checked(terms.principal, "principal"),
            interest=checked(terms.interest, "interest"),
            fees=checked(terms.fees, "fees"),
        )

    def reschedule_invoice(
        self, invoice_id: str, *, due_on: date, reason: str, at: datetime
    ) -> tuple[Event, ...]:
        """Give more time (a hardship extension). The same date again is a no-op.

        Only later: an earlier due date would make the debtor late after the fact. Milestones
        already reached stay reached and are never recorded again; later ones count from the
        new due date (see domain.md, "Rescheduling and milestones")."""
        self._require_open_for("rescheduling")
        invoice = self._invoice(invoice_id)
        if due_on == invoice.due_on:
            return ()
        if due_on < invoice.due_on:
            raise InvoiceChangeRefused("a due date can only move later, never earlier")
        if not invoice.outstanding.total.is_positive:
            raise InvoiceChangeRefused(f"invoice {invoice_id} is paid; nothing to reschedule")
        return (
            self._record(
                InvoiceRescheduled(
                    occurred_at=require_aware(at, "at"),
                    debt_id=self.debt_id,
                    invoice_id=invoice_id,
                    previous_due_on=invoice.due_on,
                    due_on=due_on,
                    reason=require_text(reason, "reason"),
                )
            ),
        )

    def adjust_invoice(
        self,
        invoice_id: str,
        *,
        change: Money,
        reason: str,
        at: datetime,
        component: Component | None = None,
    ) -> Event:
        """A credit note (negative ``change``) or an upward correction (positive), see
        ``adjustments.split_adjustment``. Refused during an active settlement: the settled
        amount was agreed against the balance as it stood."""
        self._require_open_for("adjustments")
        invoice = self._invoice(invoice_id)
        require_currency(change, self.currency, "adjustment")
        if change.is_zero:
            raise InvalidAmount("an adjustment must change the amount")
        if self._settlement is not None:
            raise InvoiceChangeRefused("invoices cannot change while a settlement is active")
        order = policy_for(self.governing_state).component_order
        deltas = split_adjustment(invoice.outstanding, change, order, component)
        return self._record(
            InvoiceAdjusted(
                occurred_at=require_aware(at, "at"),
                debt_id=self.debt_id,
                invoice_id=invoice_id,
                amount=change,
                principal=deltas.principal,
                interest=deltas.interest,
                fees=deltas.fees,
                reason=require_text(reason, "reason"),
            )
        )

    # -- payments ---------------------------------------------------------------------------

    def apply_payment(
        self,
        payment_id: str,
        amount: Money,
        received_at: datetime,
        allocation_policy: AllocationPolicy | None = None,
    ) -> tuple[Event, ...]:
        """Allocate a payment. Re-applying the same id and amount is a no-op returning ()."""
        require_id(payment_id, "payment_id")
        require_currency(require_positive(amount, "payment"), self.currency, "payment")
        if self._is_repeat(payment_id, amount):
            return ()
        at = require_aware(received_at, "received_at")
        policy = allocation_policy or policy_for(self.governing_state)
        allocations, _ = allocate(self._open_items(), self._allocatable(amount), policy)
        allocated = total([a.amount for a in allocations], self.currency)
        applied = self._record(
            PaymentApplied(
                occurred_at=at,
                debt_id=self.debt_id,
                payment_id=payment_id,
                amount=amount,
                allocations=allocations,
                credit=amount - allocated,
                settlement_id=self._settlement.settlement_id if self._settlement else None,
            )
        )
        return (applied, *self._complete_settlement_if_paid(at))

    def _is_repeat(self, payment_id: str, amount: Money) -> bool:
        previous = self._payments.get(payment_id)
        if previous is None:
            return False
        if previous.reversed:
            raise PaymentIdConflict(f"payment {payment_id} was reversed; use a new payment id")
        if previous.amount != amount:
            raise PaymentIdConflict(f"payment {payment_id} was applied with another amount")
        return True

    def _allocatable(self, amount: Money) -> Money:
        """Under a settlement the debtor owes only what is left of the settled amount; anything
        above it is kept as credit (refundable) rather than paying down the forgiven part."""
        if self._settlement is None:
            return amount
        return amount.min(self._settlement.amount - self._settlement.paid)

    def reverse_payment(
        self, payment_id: str, reason: ReversalReason, at: datetime
    ) -> tuple[Event, ...]:
        """Restore exactly the payment's allocations and remove its credit. Idempotent."""
        payment = self._payments.get(payment_id)
        if payment is None:
            raise UnknownPayment(f"payment {payment_id} was never applied to this debt")
        if payment.reversed:
            return ()
        return (
            self._record(
                PaymentReversed(
                    occurred_at=require_aware(at, "at"),
                    debt_id=self.debt_id,
                    payment_id=payment_id,
                    reason=ReversalReason(reason),
                    allocations=payment.allocations,
                    credit=payment.credit,
                    settlement_id=payment.settlement_id,
                )
            ),
        )

    def refund_credit(
        self, refund_id: str, amount: Money, *, reason: str, at: datetime
    ) -> tuple[Event, ...]:
        """Pay back part or all of the credit (an overpayment), on any debt status, so money
        is never stuck on a closed account. The same id and amount again is a no-op."""
        require_id(refund_id, "refund_id")
        require_currency(require_positive(amount, "refund"), self.currency, "refund")
        previous = self._refunds.get(refund_id)
        if previous is not None:
            if previous != amount:
                raise RefundIdConflict(f"refund {refund_id} was recorded with another amount")
            return ()
        if amount > self._credit:
            raise InsufficientCredit(f"refund of {amount} exceeds the credit of {self._credit}")
        return (
            self._record(
                CreditRefunded(
                    occurred_at=require_aware(at, "at"),
                    debt_id=self.debt_id,
                    refund_id=refund_id,
                    amount=amount,
                    reason=require_text(reason, "reason"),
                )
            ),
        )

    # -- disputes ---------------------------------------------------------------------------

    def raise_dispute(
        self,
        dispute_id: str,
        *,
        written: bool,
        medium: DisputeMedium,
        received_at: datetime,
        portion: Money | None = None,
    ) -> Event:
        require_id(dispute_id, "dispute_id")
        if dispute_id in self._disputes:
            raise DuplicateDispute(f"dispute {dispute_id} already exists")
        if portion is not None:
            require_currency(
                require_positive(portion, "disputed portion"), self.currency, "portion"
            )
        return self._record(
            DisputeRaised(
                occurred_at=require_aware(received_at, "received_at"),
                debt_id=self.debt_id,
                dispute_id=dispute_id,
                written=bool(written),
                medium=DisputeMedium(medium),
                portion=portion,
            )
        )

    def resolve_dispute(
        self,
        dispute_id: str,
        *,
        outcome: DisputeOutcome,
        at: datetime,
        verification_sent_at: datetime | None = None,
    ) -> Event:
        dispute = self._disputes.get(dispute_id)
        if dispute is None:
            raise UnknownDispute(f"dispute {dispute_id} does not exist")
        if dispute.outcome is not None:
            raise DisputeAlreadyResolved(f"dispute {dispute_id} was resolved already")
        outcome = DisputeOutcome(outcome)
        # 1692g(b): collection stops until verification is mailed; only a withdrawal needs none.
        if outcome is not DisputeOutcome.WITHDRAWN and verification_sent_at is None:
            raise InvalidField("an upheld or corrected dispute needs verification_sent_at")
        sent = (
            None
            if verification_sent_at is None
            else require_aware(verification_sent_at, "verification_sent_at")
        )
        return self._record(
            DisputeResolved(
                occurred_at=require_aware(at, "at"),
                debt_id=self.debt_id,
                dispute_id=dispute_id,
                outcome=outcome,
                verification_sent_at=sent,
            )
        )

    # -- settlements and write-offs ---------------------------------------------------------

    def agree_settlement(
        self,
        settlement_id: str,
        *,
        amount: Money,
        deadline: datetime,
        at: datetime,
        instalments: Sequence[SettlementInstalment] = (),
    ) -> Event:
        self._require_open_for("a settlement")
        require_id(settlement_id, "settlement_id")
        require_currency(require_positive(amount, "settlement amount"), self.currency, "settlement")
        if self._settlement is not None:
            raise SettlementRefused(f"settlement {self._settlement.settlement_id} is still active")
        balance = self.outstanding_total
        if amount >= balance:
            raise SettlementRefused("a settlement must be for less than the outstanding balance")
        agreed_at, deadline = require_aware(at, "at"), require_aware(deadline, "deadline")
        if deadline <= agreed_at:
            raise SettlementRefused("the settlement deadline must be after the agreement")
        return self._record(
            SettlementAgreed(
                occurred_at=agreed_at,
                debt_id=self.debt_id,
                settlement_id=settlement_id,
                amount=amount,
                balance_at_agreement=balance,
                deadline=deadline,
                instalments=self._checked_instalments(instalments, amount),
            )
        )

    def _checked_instalments(
        self, instalments: Sequence[SettlementInstalment], amount: Money
    ) -> tuple[SettlementInstalment, ...]:
        for item in instalments:
            require_currency(
                require_positive(item.amount, "instalment"), self.currency, "instalment"
            )
        if instalments and total([i.amount for i in instalments], self.currency) != amount:
            raise SettlementRefused("settlement instalments must add up to the settled amount")
        return tuple(sorted(instalments, key=lambda i: i.due_on))

    def check_settlement_deadline(self, now: datetime) -> tuple[Event, ...]:
        """Break the active settlement if its deadline has passed unpaid; else a no-op."""
        settlement = self._settlement
        now = require_aware(now, "now")
        if settlement is None or now <= settlement.deadline:
            return ()
        return (
            self._record(
                SettlementBroken(
                    occurred_at=now,
                    debt_id=self.debt_id,
                    settlement_id=settlement.settlement_id,
                    deadline=settlement.deadline,
                    paid=settlement.paid,
                )
            ),
        )

    def _complete_settlement_if_paid(self, at: datetime) -> tuple[Event, ...]:
        settlement = self._settlement
        if settlement is None or settlement.paid < settlement.amount:
            return ()
        completed = self._record(
            SettlementCompleted(
                occurred_at=at,
                debt_id=self.debt_id,
                settlement_id=settlement.settlement_id,
                paid=settlement.paid,
            )
        )
        if self.outstanding_total.is_zero:
            return (completed,)
        return (completed, self._write_off(SETTLEMENT_REMAINDER, at, settlement.settlement_id))

    def write_off(self, reason: str, at: datetime) -> Event:
        """Write off everything still outstanding; refused when nothing is."""
        require_text(reason, "reason")
        if self._settled or self._written_off:
            raise DebtClosed(f"debt {self.debt_id} is {self.status.value}")
        return self._write_off(reason, require_aware(at, "at"), None)

    def _write_off(self, reason: str, at: datetime, settlement_id: str | None) -> Event:
        allocations = tuple(
            Allocation(inv.invoice_id, c, inv.outstanding.get(c))
            for inv in self._invoices.values()
            for c in Component
            if inv.outstanding.get(c).is_positive
        )
        if not allocations:
            raise NothingToWriteOff(f"debt {self.debt_id} has no outstanding balance")
        return self._record(
            DebtWrittenOff(
                occurred_at=at,
                debt_id=self.debt_id,
                amount=total([a.amount for a in allocations], self.currency),
                allocations=allocations,
                reason=reason,
                settlement_id=settlement_id,
            )
        )

    # -- placement --------------------------------------------------------------------------

    def place_with_agency(self, placement_id: str, agency_id: str, at: datetime) -> Event:
        self._require_open_for("placement")
        if self._placement is not None:
            raise PlacementRefused(f"already placed with {self._placement.agency_id}")
        return self._record(
            DebtPlaced(
                occurred_at=require_aware(at, "at"),
                debt_id=self.debt_id,
                placement_id=require_id(placement_id, "placement_id"),
                agency_id=require_id(agency_id, "agency_id"),
            )
        )

    def recall_placement(self, reason: str, at: datetime) -> Event:
        placement = self._placement
        if placement is None:
            raise NotPlaced(f"debt {self.debt_id} is not placed with an agency")
        return self._record(
            PlacementRecalled(
                occurred_at=require_aware(at, "at"),
                debt_id=self.debt_id,
                placement_id=placement.placement_id,
                agency_id=placement.agency_id,
                reason=require_text(reason, "reason"),
            )
        )

    # -- overdue milestones -----------------------------------------------------------------

    def record_overdue_milestone(
        self, invoice_id: str, milestone_days: int, today: date, at: datetime
    ) -> tuple[Event, ...]:
        """Record one milestone once. Already recorded, or the invoice was paid meanwhile (a
        sweeper racing a payment), returns (); asking before the milestone is reached is a bug.
        """
        invoice = self._invoice(invoice_id)
        if milestone_days in invoice.milestones or not invoice.outstanding.total.is_positive:
            return ()
        late = days_past_due(invoice.due_on, today)
        if type(milestone_days) is not int or milestone_days < 1 or late < milestone_days:
            raise MilestoneNotDue(
                f"invoice {invoice_id} is {late} days past due, not {milestone_days}"
            )
        return (
            self._record(
                InvoiceOverdueMilestoneReached(
                    occurred_at=require_aware(at, "at"),
                    debt_id=self.debt_id,
                    tenant_id=self.tenant_id,
                    debtor_id=self.debtor_id,
                    invoice_id=invoice_id,
                    due_date=invoice.due_on,
                    milestone_days=milestone_days,
                    days_past_due=late,
                    outstanding=invoice.outstanding.total,
                    governing_state=self.governing_state,
                    as_of=today,
                )
            ),
        )

    def record_due_milestones(
        self, today: date, at: datetime, milestones: Collection[int] = DEFAULT_MILESTONES
    ) -> tuple[Event, ...]:
        """The sweeper's entry point: every milestone due on ``today``, oldest invoice first."""
        recorded: list[Event] = []
        for state in sorted(self.milestone_states(), key=lambda s: (s.due_on, s.invoice_id)):
            for days in due_milestones(state, today, milestones):
                recorded.extend(self.record_overdue_milestone(state.invoice_id, days, today, at))
        return tuple(recorded)

    def milestone_states(self) -> tuple[InvoiceMilestoneState, ...]:
        return tuple(
            InvoiceMilestoneState(
                i.invoice_id, i.due_on, i.outstanding.total, frozenset(i.milestones)
            )
            for i in self._invoices.values()
        )

    # -- queries ----------------------------------------------------------------------------

    @property
    def opened(self) -> DebtOpened:
        if self._opened is None:
            raise InvalidField("the debt has not been opened")
        return self._opened

    @property
    def debt_id(self) -> str:
        return self.opened.debt_id

    @property
    def tenant_id(self) -> str:
        return self.opened.tenant_id

    @property
    def debtor_id(self) -> str:
        return self.opened.debtor_id

    @property
    def currency(self) -> str:
        return self.opened.currency

    @property
    def details(self) -> DebtDetails:
        if self._details is None:
            raise InvalidField("the debt has not been opened")
        return self._details

    @property
    def governing_state(self) -> str | None:
        return self.details.governing_state

    @property
    def time_zone(self) -> str | None:
        return self.details.time_zone

    @property
    def debt_type(self) -> DebtType:
        return self.details.debt_type

    @property
    def purpose(self) -> DebtPurpose:
        return self.details.purpose

    @property
    def refunds(self) -> dict[str, Money]:
        return dict(self._refunds)

    @property
    def invoices(self) -> dict[str, InvoiceState]:
        return dict(self._invoices)

    @property
    def payments(self) -> dict[str, PaymentState]:
        return dict(self._payments)

    @property
    def disputes(self) -> dict[str, DisputeState]:
        return dict(self._disputes)

    @property
    def settlement(self) -> SettlementState | None:
        return self._settlement

    @property
    def placement_agency(self) -> str | None:
        return None if self._placement is None else self._placement.agency_id

    @property
    def credit(self) -> Money:
        return self._credit

    @property
    def outstanding_total(self) -> Money:
        return total([i.outstanding.total for i in self._invoices.values()], self.currency)

    @property
    def accrual_candidates(self) -> tuple[date, ...]:
        """Dates from which a limitation period may run: those supplied at opening plus the
        receipt date of every payment still standing (a payment can restart the clock)."""
        known = self.details
        supplied = (known.last_payment_date, known.charge_off_date, known.default_date)
        paid = (p.received_at.date() for p in self._payments.values() if not p.reversed)
        return tuple(sorted({d for d in (*supplied, *paid) if d is not None}))

    @property
    def status(self) -> DebtStatus:
        if self._written_off:
            return DebtStatus.WRITTEN_OFF
        if self._settled:
            return DebtStatus.SETTLED
        if self._invoices and self.outstanding_total.is_zero:
            return DebtStatus.PAID_OFF
        return DebtStatus.OPEN

    # -- helpers ----------------------------------------------------------------------------

    def _require_open_for(self, what: str) -> None:
        if self.status is not DebtStatus.OPEN:
            raise DebtClosed(f"debt {self.debt_id} is {self.status.value}; it refuses {what}")

    def _invoice(self, invoice_id: str) -> InvoiceState:
        try:
            return self._invoices[invoice_id]
        except KeyError:
            raise UnknownInvoice(f"invoice {invoice_id} is not on debt {self.debt_id}") from None

    def _open_items(self) -> list[OpenItem]:
        return [
            OpenItem(i.invoice_id, i.issued_on, i.due_on, i.outstanding)
            for i in self._invoices.values()
            if i.outstanding.total.is_positive
        ]

    def _move(self, allocations: Sequence[Allocation], sign: int) -> None:
        for a in allocations:
            invoice = self._invoices[a.invoice_id]
            delta = a.amount if sign > 0 else -a.amount
            invoice.outstanding = invoice.outstanding.plus(a.component, delta)

    # -- state changes ----------------------------------------------------------------------

    @singledispatchmethod
    def _apply(self, evt: Event) -> None:
        raise NotImplementedError(f"Debt cannot apply {type(evt).__name__}")

    @_apply.register
    def _(self, evt: DebtOpened) -> None:
        self._opened = evt
        self._details = details_of(evt)
        self._credit = Money.zero(evt.currency)

    @_apply.register
    def _(self, evt: DebtDetailsUpdated) -> None:
        self._details = replace(self.details, **{f: getattr(evt, f) for f in evt.changed})

    @_apply.register
    def _(self, evt: InvoiceRescheduled) -> None:
        self._invoices[evt.invoice_id].due_on = evt.due_on

    @_apply.register
    def _(self, evt: InvoiceAdjusted) -> None:
        invoice = self._invoices[evt.invoice_id]
        for component in Component:
            delta = getattr(evt, component.value)
            invoice.original = invoice.original.plus(component, delta)
            invoice.outstanding = invoice.outstanding.plus(component, delta)

    @_apply.register
    def _(self, evt: CreditRefunded) -> None:
        self._credit = self._credit - evt.amount
        self._refunds[evt.refund_id] = evt.amount

    @_apply.register
    def _(self, evt: InvoiceIssued) -> None:
        amounts = Components(evt.principal, evt.interest, evt.fees)
        self._invoices[evt.invoice_id] = InvoiceState(
            evt.invoice_id, evt.issued_on, evt.due_on, amounts, amounts, evt.instalment
        )

    @_apply.register
    def _(self, evt: PaymentApplied) -> None:
        self._move(evt.allocations, -1)
        self._credit = self._credit + evt.credit
        self._payments[evt.payment_id] = PaymentState(
            evt.amount, evt.occurred_at, evt.allocations, evt.credit, evt.settlement_id
        )
        if self._settlement and self._settlement.settlement_id == evt.settlement_id:
            self._settlement.paid = self._settlement.paid + _sum(evt.allocations, evt.amount)

    @_apply.register
    def _(self, evt: PaymentReversed) -> None:
        self._move(evt.allocations, +1)
        self._credit = self._credit - evt.credit
        self._payments[evt.payment_id].reversed = True
        if self._settlement and self._settlement.settlement_id == evt.settlement_id:
            self._settlement.paid = self._settlement.paid - _sum(evt.allocations, evt.credit)

    @_apply.register
    def _(self, evt: DisputeRaised) -> None:
        self._disputes[evt.dispute_id] = DisputeState(
            evt.dispute_id, evt.written, evt.medium, evt.portion, evt.occurred_at
        )

    @_apply.register
    def _(self, evt: DisputeResolved) -> None:
        dispute = self._disputes[evt.dispute_id]
        dispute.outcome = evt.outcome
        dispute.verification_sent_at = evt.verification_sent_at

    @_apply.register
    def _(self, evt: SettlementAgreed) -> None:
        self._settlement = SettlementState(
            evt.settlement_id,
            evt.amount,
            evt.deadline,
            Money.zero(evt.amount.currency),
            evt.instalments,
        )

    @_apply.register
    def _(self, evt: SettlementCompleted) -> None:
        self._settlement = None
        self._settled = True

    @_apply.register
    def _(self, evt: SettlementBroken) -> None:
        self._settlement = None

    @_apply.register
    def _(self, evt: DebtWrittenOff) -> None:
        self._move(evt.allocations, -1)
        if evt.settlement_id is None:
            self._written_off = True

    @_apply.register
    def _(self, evt: DebtPlaced) -> None:
        self._placement = _Placement(evt.placement_id, evt.agency_id)

    @_apply.register
    def _(self, evt: PlacementRecalled) -> None:
        self._placement = None

    @_apply.register
    def _(self, evt: InvoiceOverdueMilestoneReached) -> None:
        self._invoices[evt.invoice_id].milestones.add(evt.milestone_days)


def _sum(allocations: Sequence[Allocation], like: Money) -> Money:
    return total([a.amount for a in allocations], like.currency)
