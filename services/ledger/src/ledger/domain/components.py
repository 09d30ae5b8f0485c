"""Balance components of an invoice and the allocations that move them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from ledger.domain.money import Money


class Component(StrEnum):
    FEES = "fees"
    INTEREST = "interest"
    PRINCIPAL = "principal"


@dataclass(frozen=True)
class Components:
    principal: Money
    interest: Money
    fees: Money

    @classmethod
    def zero(cls, currency: str) -> Components:
        zero = Money.zero(currency)
        return cls(zero, zero, zero)

    def get(self, component: Component) -> Money:
        value: Money = getattr(self, component.value)
        return value

    def plus(self, component: Component, amount: Money) -> Components:
        return replace(self, **{component.value: self.get(component) + amount})

    @property
    def total(self) -> Money:
        return self.principal + self.interest + self.fees


@dataclass(frozen=True)
class Allocation:
    """Part of a payment (or write-off) taken from one component of one invoice."""

    invoice_id: str
    component: Component
    amount: Money
