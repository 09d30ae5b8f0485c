"""Money: integer minor units plus an ISO 4217 currency code.

Floats never enter: binary fractions cannot represent cents exactly, and a rounding error in
a balance is a wrong demand made of a real person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.domain.errors import CurrencyMismatch, InvalidAmount, InvalidCurrency

_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An amount in minor units (cents for USD). May be negative only as an intermediate."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        # bool is a subclass of int; True dollars is a bug, not an amount.
        if type(self.amount) is not int:
            raise InvalidAmount(f"amount must be an int of minor units, got {self.amount!r}")
        if not isinstance(self.currency, str) or not _CURRENCY.fullmatch(self.currency):
            raise InvalidCurrency(f"currency must be 3 upper-case letters, got {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} cannot be combined")
        return other

    def __add__(self, other: object) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: object) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: object) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: object) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: object) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: object) -> bool:
        return self.amount >= self._same(other).amount

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    @property
    def is_positive(self) -> bool:
        return self.amount > 0

    def min(self, other: Money) -> Money:
        return self if self <= other else self._same(other)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} (minor units)"


def require_positive(money: Money, what: str) -> Money:
    """Commands take strictly positive amounts; zero or negative is always a caller bug."""
    if not isinstance(money, Money):
        raise InvalidAmount(f"{what} must be Money, got {type(money).__name__}")
    if not money.is_positive:
        raise InvalidAmount(f"{what} must be positive, got {money.amount} {money.currency}")
    return money


def require_non_negative(money: Money, what: str) -> Money:
    if not isinstance(money, Money):
        raise InvalidAmount(f"{what} must be Money, got {type(money).__name__}")
    if money.amount < 0:
        raise InvalidAmount(f"{what} must not be negative, got {money.amount} {money.currency}")
    return money


def require_currency(money: Money, currency: str, what: str) -> Money:
    if money.currency != currency:
        raise CurrencyMismatch(f"{what} is in {money.currency}; this debt is in {currency}")
    return money


def total(amounts: list[Money] | tuple[Money, ...], currency: str) -> Money:
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
