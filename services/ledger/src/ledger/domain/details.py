"""Which debt details may be corrected after opening, and how each new value is checked.

Correctable: the original creditor, debt type, purpose (towards ``consumer`` only), governing
state, time zone, the accrual dates and the itemization, because creditors' files are often
incomplete at placement and each of them changes the law that applies (limitation status,
the debtor's calendar). Not correctable, because history depends on them:

* ``currency``: every amount already in the stream is in it; a new currency would silently
  reinterpret them. A debt in the wrong currency is written off and opened again.
* ``debtor_id``: moving a debt to another person is not a correction of a record, it is a
  different claim against a different person (and their compliance history).
* ``account_last4``: it identifies which account was placed; another number means another
  account.

Purpose may only move from ``business`` to ``consumer``: that adds FDCPA protection. The other
way would remove it by an edit; that needs a person's review outside the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from ledger.domain.debt_events import (
    DETAIL_FIELDS,
    DebtDetails,
    DebtOpened,
    DebtPurpose,
    DebtType,
    Itemization,
)
from ledger.domain.errors import DetailChangeRefused, InvalidField
from ledger.domain.money import require_currency, require_non_negative
from ledger.domain.values import optional_zone, require_region, require_text

FIXED_FIELDS = ("currency", "debtor_id", "account_last4", "debt_id", "tenant_id")


def details_of(opened: DebtOpened) -> DebtDetails:
    return DebtDetails(**{name: getattr(opened, name) for name in DETAIL_FIELDS})


def changed_details(
    current: DebtDetails, changes: Mapping[str, Any], currency: str
) -> dict[str, Any]:
    """The checked new values that differ from ``current``; {} when nothing changes."""
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        if name in FIXED_FIELDS:
            raise DetailChangeRefused(f"{name} cannot change after opening (see domain.md)")
        check = _CHECKS.get(name)
        if check is None:
            raise InvalidField(f"{name} is not a debt detail")
        new = check(value, currency)
        if new != getattr(current, name):
            checked[name] = new
    if checked.get("purpose") is DebtPurpose.BUSINESS:
        raise DetailChangeRefused(
            "a consumer debt cannot be reclassified as business by an update: that would "
            "remove FDCPA protection")
    return checked


def _enum(kind: type[DebtType] | type[DebtPurpose], name: str) -> Callable[[Any, str], Any]:
    def check(value: Any, _: str) -> Any:
        try:
            return kind(value)
        except ValueError:
            allowed = [k.value for k in kind]
            raise InvalidField(f"{name} {value!r} is not one of {allowed}") from None

    return check


def _optional_date(name: str) -> Callable[[Any, str], date | None]:
    def check(value: Any, _: str) -> date | None:
        if value is not None and not isinstance(value, date):
            raise InvalidField(f"{name} must be a date or null")
        return value

    return check


def checked_itemization(value: Any, currency: str) -> Itemization | None:
    if value is None:
        return None
    if not isinstance(value, Itemization):
        raise InvalidField("itemization must be an Itemization or null")
    for name in ("principal", "interest", "fees", "payments", "credits"):
        amount = require_non_negative(getattr(value, name), name)
        require_currency(amount, currency, f"itemization {name}")
    return value


_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "original_creditor": lambda v, _: require_text(v, "original_creditor"),
    "debt_type": _enum(DebtType, "debt_type"),
    "purpose": _enum(DebtPurpose, "purpose"),
    "governing_state": lambda v, _: require_region(v, "governing_state"),
    "time_zone": lambda v, _: optional_zone(v),
    "charge_off_date": _optional_date("charge_off_date"),
    "last_payment_date": _optional_date("last_payment_date"),
    "default_date": _optional_date("default_date"),
    "itemization": checked_itemization,
}
