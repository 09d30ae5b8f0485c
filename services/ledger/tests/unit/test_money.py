from __future__ import annotations

import pytest

from ledger.domain.errors import CurrencyMismatch, InvalidAmount, InvalidCurrency
from ledger.domain.money import Money, require_positive, total


@pytest.mark.parametrize("amount", [1.0, 0.5, True, "100", None])
def test_money_refuses_anything_but_int_minor_units(amount: object) -> None:
    with pytest.raises(InvalidAmount):
        Money(amount, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("currency", ["usd", "US", "USDX", "", "U$D"])
def test_money_refuses_malformed_currency_codes(currency: str) -> None:
    with pytest.raises(InvalidCurrency):
        Money(1, currency)


def test_arithmetic_and_comparison_within_one_currency() -> None:
    assert Money(150, "USD") + Money(50, "USD") == Money(200, "USD")
    assert Money(150, "USD") - Money(200, "USD") == Money(-50, "USD")
    assert Money(1, "USD") < Money(2, "USD") <= Money(2, "USD")
    assert Money(3, "USD") > Money(2, "USD") >= Money(2, "USD")
    assert Money(3, "USD").min(Money(2, "USD")) == Money(2, "USD")
    assert total([Money(1, "USD"), Money(2, "USD")], "USD") == Money(3, "USD")


def test_mixing_currencies_is_refused_everywhere() -> None:
    usd, eur = Money(1, "USD"), Money(1, "EUR")
    for operation in (
        lambda: usd + eur,
        lambda: usd - eur,
        lambda: usd < eur,
        lambda: usd >= eur,
        lambda: usd.min(eur),
    ):
        with pytest.raises(CurrencyMismatch):
            operation()


def test_money_never_combines_with_plain_numbers() -> None:
    with pytest.raises(TypeError):
        Money(1, "USD") + 1


@pytest.mark.parametrize("cents", [0, -1])
def test_require_positive_refuses_zero_and_negative(cents: int) -> None:
    with pytest.raises(InvalidAmount, match="positive"):
        require_positive(Money(cents, "USD"), "payment")
