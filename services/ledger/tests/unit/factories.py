"""Builders for ledger domain tests, and the given / when / then helper."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ledger.domain.aggregate import Aggregate
from ledger.domain.components import Allocation, Component
from ledger.domain.debt import Debt
from ledger.domain.debt_events import (
    DebtOpened,
    DebtPurpose,
    DebtType,
    InvoiceIssued,
    PaymentApplied,
)
from ledger.domain.debtor import Debtor, DebtorRegistered
from ledger.domain.events import Event, from_payload, to_payload
from ledger.domain.money import Money

T0 = datetime(2025, 3, 1, 15, 0, tzinfo=UTC)
DEBT_ID = "debt-1"
DEBTOR_ID = "debtor-1"
TENANT_ID = "tenant-1"


def usd(cents: int) -> Money:
    return Money(cents, "USD")


def at(days: int = 0, hours: int = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def debt_opened(**overrides: Any) -> DebtOpened:
    fields: dict[str, Any] = {
        "occurred_at": T0,
        "debt_id": DEBT_ID,
        "tenant_id": TENANT_ID,
        "debtor_id": DEBTOR_ID,
        "original_creditor": "Acme Bank",
        "account_last4": "4242",
        "debt_type": DebtType.CREDIT_CARD,
        "purpose": DebtPurpose.CONSUMER,
        "currency": "USD",
        "governing_state": "CA",
        "time_zone": "America/Los_Angeles",
        "charge_off_date": None,
        "last_payment_date": None,
        "default_date": None,
        "itemization": None,
    }
    fields.update(overrides)
    return DebtOpened(**fields)


def invoice_issued(
    invoice_id: str = "inv-1",
    *,
    due_on: date = date(2025, 3, 1),
    issued_on: date | None = None,
    principal: int = 10_000,
    interest: int = 0,
    fees: int = 0,
    instalment: Any = None,
) -> InvoiceIssued:
    return InvoiceIssued(
        occurred_at=T0,
        debt_id=DEBT_ID,
        invoice_id=invoice_id,
        issued_on=issued_on or due_on - timedelta(days=30),
        due_on=due_on,
        principal=usd(principal),
        interest=usd(interest),
        fees=usd(fees),
        instalment=instalment,
    )


def alloc(invoice_id: str, component: Component, cents: int) -> Allocation:
    return Allocation(invoice_id, component, usd(cents))


def payment_applied(
    payment_id: str,
    cents: int,
    allocations: Sequence[Allocation],
    *,
    credit: int = 0,
    received_at: datetime = T0,
    settlement_id: str | None = None,
) -> PaymentApplied:
    return PaymentApplied(
        occurred_at=received_at,
        debt_id=DEBT_ID,
        payment_id=payment_id,
        amount=usd(cents),
        allocations=tuple(allocations),
        credit=usd(credit),
        settlement_id=settlement_id,
    )


def debtor_registered(**overrides: Any) -> DebtorRegistered:
    fields: dict[str, Any] = {
        "occurred_at": T0,
        "debtor_id": DEBTOR_ID,
        "tenant_id": TENANT_ID,
        "given_name": "Ada",
        "family_name": "Lovelace",
        "other_names": ("Ada King",),
        "language": "en-US",
        "country": "US",
        "region": "CA",
    }
    fields.update(overrides)
    return DebtorRegistered(**fields)


_AGGREGATES: dict[type[Event], type[Aggregate]] = {DebtOpened: Debt, DebtorRegistered: Debtor}


def round_trip(evt: Event) -> Event:
    return from_payload(evt.NAME, to_payload(evt))


@dataclass
class Outcome:
    aggregate: Any
    returned: Any = None
    error: Exception | None = None
    produced: tuple[Event, ...] = field(default_factory=tuple)

    def then(self, *expected: Event) -> Outcome:
        """The command recorded exactly these events, and each survives the event codec."""
        if self.error is not None:
            raise AssertionError(f"command failed: {self.error!r}")
        assert list(self.produced) == list(expected)
        assert [round_trip(e) for e in self.produced] == list(expected)
        return self

    def then_nothing(self) -> Outcome:
        return self.then()

    def then_raises(self, error: type[Exception], match: str = "") -> Outcome:
        assert isinstance(self.error, error), f"expected {error.__name__}, got {self.error!r}"
        assert match in str(self.error)
        assert self.produced == ()
        return self


@dataclass
class Given:
    events: tuple[Event, ...]

    def aggregate(self) -> Any:
        cls = _AGGREGATES[type(self.events[0])]
        return cls.replay(round_trip(e) for e in self.events)

    def when(self, command: Callable[[Any], Any]) -> Outcome:
        aggregate = self.aggregate()
        try:
            returned = command(aggregate)
        except Exception as exc:  # the outcome records it; then_raises inspects it
            return Outcome(aggregate, error=exc, produced=aggregate.pending_events)
        return Outcome(aggregate, returned=returned, produced=aggregate.pending_events)


def given(*events: Event) -> Given:
    return Given(tuple(events))


def debt_with(*events: Event) -> Debt:
    """A Debt replayed from DebtOpened plus ``events``."""
    debt: Debt = given(debt_opened(), *events).aggregate()
    return debt
