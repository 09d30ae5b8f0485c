"""Contracts published by the ledger."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, Field

from goodfaith_events.contracts.common import Contract, Id, Money


class InvoiceOverdue(Contract):
    """An invoice reached an overdue milestone (days past due). Emitted once per invoice and
    milestone; it starts or escalates collection in outreach."""

    debtor_id: Id
    debt_id: Id
    invoice_id: Id
    due_date: date
    milestone_days: Annotated[int, Field(ge=1)]
    days_past_due: Annotated[int, Field(ge=1)]
    outstanding: Money
    governing_state: str | None = Field(default=None, max_length=10)


class DisputeRaised(Contract):
    """A debtor disputed a debt, in whole or in part (15 U.S.C. 1692g(b); 12 CFR 1006.38)."""

    dispute_id: Id
    debtor_id: Id
    debt_id: Id
    written: bool = Field(description="Written or electronic; an oral dispute is not written")
    medium: Annotated[str, Field(max_length=30)]
    received_at: AwareDatetime
    portion: Money | None = Field(default=None, description="Disputed portion; None = whole debt")


class DebtorErased(Contract):
    """The ledger erased a debtor at their request (crypto-shredding: their key is gone), once
    no debt of theirs was held for the record-retention period (FED-RECORDS, 12 CFR 1006.100).
    Every service that keeps personal data about the debtor erases its own copy on it; the
    records stay, their personal fields read back as "[erased]". No personal data: ids only."""

    debtor_id: Id
    erased_at: AwareDatetime
