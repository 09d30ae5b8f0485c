"""How an invoice adjustment (credit note or upward correction) moves the invoice's components.

A reduction comes off what is still outstanding, never off what was paid: the invoice can
never end below the payments already allocated to it, so no payment is ever turned into an
unexplained credit by a paper correction (refunding a payment is ``reverse_payment``). Unless
the caller names the component the credit note is about, the reduction is taken in the same
component order as a payment (``policy_for(governing_state)``: fees, then interest, then
principal by default), so one table decides how amounts come off an invoice. An increase goes
to the named component, principal by default.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.domain.components import Component, Components
from ledger.domain.errors import InvoiceChangeRefused
from ledger.domain.money import Money


def split_adjustment(
    outstanding: Components,
    change: Money,
    order: Sequence[Component],
    component: Component | None = None,
) -> Components:
    """Signed per-component changes adding up to ``change`` (which is non-zero)."""
    zero = Components.zero(change.currency)
    if change.is_positive:
        return zero.plus(component or Component.PRINCIPAL, change)
    reduction = -change
    available = outstanding.total if component is None else outstanding.get(component)
    if reduction > available:
        where = "outstanding" if component is None else f"outstanding {component.value}"
        raise InvoiceChangeRefused(
            f"a reduction of {reduction} exceeds the {where} ({available}); the invoice can "
            "never go below what was paid")
    deltas = zero
    for part in (component,) if component is not None else order:
        take = reduction.min(outstanding.get(part))
        deltas = deltas.plus(part, -take)
        reduction = reduction - take
    return deltas
