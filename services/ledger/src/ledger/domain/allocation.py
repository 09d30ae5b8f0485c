"""Payment allocation: which invoice, and which component within it, a payment pays first.

The default is oldest invoice first (by due date, then issue date, then id for a stable order)
and, within an invoice, fees -> interest -> principal. Some jurisdictions prescribe the order
within an invoice, so the component order is looked up by governing state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ledger.domain.components import Allocation, Component, Components
from ledger.domain.errors import InvalidField
from ledger.domain.money import Money

DEFAULT_COMPONENT_ORDER: tuple[Component, ...] = (
    Component.FEES,
    Component.INTEREST,
    Component.PRINCIPAL,
)


class InvoiceOrder(StrEnum):
    OLDEST_DUE_FIRST = "oldest_due_first"
    NEWEST_DUE_FIRST = "newest_due_first"


@dataclass(frozen=True)
class AllocationPolicy:
    invoice_order: InvoiceOrder = InvoiceOrder.OLDEST_DUE_FIRST
    component_order: tuple[Component, ...] = DEFAULT_COMPONENT_ORDER

    def __post_init__(self) -> None:
        if sorted(self.component_order) != sorted(Component):
            raise InvalidField("component_order must name each component exactly once")


# Per-state overrides of the component order. Deliberately empty: no state's allocation rule
# has been checked against its text yet ([M] needs counsel), and a guessed rule would be worse
# than the documented default. Add a row with its citation when one is verified.
COMPONENT_ORDER_BY_STATE: dict[str, tuple[Component, ...]] = {}


def policy_for(governing_state: str | None) -> AllocationPolicy:
    order = COMPONENT_ORDER_BY_STATE.get(governing_state or "", DEFAULT_COMPONENT_ORDER)
    return AllocationPolicy(component_order=order)


@dataclass(frozen=True)
class OpenItem:
    invoice_id: str
    issued_on: date
    due_on: date
    outstanding: Components


def allocate(
    items: Sequence[OpenItem], amount: Money, policy: AllocationPolicy
) -> tuple[tuple[Allocation, ...], Money]:
    """Spread ``amount`` over the items; return the allocations and what is left over."""
    remaining = amount
    allocations: list[Allocation] = []
    for item in _ordered(items, policy.invoice_order):
        for component in policy.component_order:
            if remaining.is_zero:
                break
            take = remaining.min(item.outstanding.get(component))
            if take.is_positive:
                allocations.append(Allocation(item.invoice_id, component, take))
                remaining = remaining - take
    return tuple(allocations), remaining


def _ordered(items: Sequence[OpenItem], order: InvoiceOrder) -> list[OpenItem]:
    oldest = sorted(items, key=lambda i: (i.due_on, i.issued_on, i.invoice_id))
    return oldest if order is InvoiceOrder.OLDEST_DUE_FIRST else oldest[::-1]
