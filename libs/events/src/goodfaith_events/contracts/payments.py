"""Contracts published by payments."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field

from goodfaith_events.contracts.common import Contract, Id, Money


class PaymentReceived(Contract):
    """Money arrived for a debt. `payment_id` is stable across processor retries."""

    payment_id: Id
    debtor_id: Id
    debt_id: Id
    amount: Money
    received_at: AwareDatetime
    method: Annotated[str, Field(max_length=30)]
    processor: Annotated[str, Field(max_length=30)]
    processor_reference: Annotated[str, Field(max_length=100)]
