"""Parked payments: PaymentReceived messages the ledger could not apply, kept with the reason.

A parked payment is ``open`` until a retry applies it, then ``resolved``; the row stays, so
what was parked and why remains visible. A retry locks the row (``FOR UPDATE``), so two
retries of one payment queue up, and the second finds it resolved. Applying twice is
impossible anyway: the debt treats a repeated payment id as a no-op.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from ledger.domain.commands import ApplyPayment
from ledger.domain.errors import UnknownParkedPayment
from ledger.domain.money import Money

OPEN, RESOLVED = "open", "resolved"


@dataclass(frozen=True)
class ParkedPayment:
    tenant: str
    payment_id: str
    debt_id: str
    debtor_id: str | None
    amount_minor: int
    currency: str
    received_at: datetime
    event_id: uuid.UUID
    status: str

    def command(self) -> ApplyPayment:
        """The same command the consumer ran (debtor check included)."""
        return ApplyPayment(
            tenant=self.tenant, debt_id=self.debt_id, payment_id=self.payment_id,
            amount=Money(self.amount_minor, self.currency), received_at=self.received_at,
            debtor_id=self.debtor_id)


_LOCK = """
SELECT tenant, payment_id, debt_id, debtor_id, amount_minor, currency, received_at, event_id,
    status FROM ledger_parked_payments WHERE tenant = $1 AND payment_id = $2 FOR UPDATE
"""


class ParkedPayments:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def lock(self, tenant: str, payment_id: str) -> ParkedPayment:
        row = await self._conn.fetchrow(_LOCK, tenant, payment_id)
        if row is None:
            raise UnknownParkedPayment(f"no parked payment {payment_id}")
        return ParkedPayment(**dict(row))

    async def resolve(self, parked: ParkedPayment, at: datetime) -> None:
        await self._conn.execute(
            "UPDATE ledger_parked_payments SET status = $3, resolved_at = $4, "
            "attempts = attempts + 1 WHERE tenant = $1 AND payment_id = $2",
            parked.tenant, parked.payment_id, RESOLVED, at)

    async def refused_again(self, parked: ParkedPayment, error: Exception, at: datetime) -> None:
        """Keep it open with the reason of this attempt (the cause may have changed)."""
        await self._conn.execute(
            "UPDATE ledger_parked_payments SET reason = $3, detail = $4, parked_at = $5, "
            "attempts = attempts + 1 WHERE tenant = $1 AND payment_id = $2",
            parked.tenant, parked.payment_id, type(error).__name__, str(error), at)


async def park_payment(conn: asyncpg.Connection, **row: Any) -> None:
    """Park (or park again, counting the attempt) a payment the consumer could not apply."""
    await conn.execute(
        "INSERT INTO ledger_parked_payments (tenant, payment_id, debt_id, debtor_id, "
        "amount_minor, currency, received_at, reason, detail, event_id, parked_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
        "ON CONFLICT (tenant, payment_id) DO UPDATE SET reason = EXCLUDED.reason, "
        "detail = EXCLUDED.detail, event_id = EXCLUDED.event_id, "
        "attempts = ledger_parked_payments.attempts + 1, parked_at = EXCLUDED.parked_at, "
        "status = 'open', resolved_at = NULL",
        row["tenant"], row["payment_id"], row["debt_id"], row["debtor_id"],
        row["amount_minor"], row["currency"], row["received_at"], row["reason"],
        row["detail"], row["event_id"], row["parked_at"])
