"""What the retention hold reads about one debtor: each debt's status and latest event, and
the latest contact attempts about the debtor and about each debt.

The debtor's projection row, then the debts' rows, are locked (``FOR UPDATE``, the debts in id
order) before their streams are read. Opening a debt reads the debtor's row ``FOR SHARE``, and
every debt writer takes its debt's lock before it appends, so no debt can appear and no event
can land on one between this read and the erasure's commit. Contact attempts are read
unlocked: one still on the topic is not seen anyway, so a lock would only add a way for the
consumer and an erasure to deadlock (see docs/service.md, what the hold does not cover).
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from ledger.adapters.contact_attempts import DEBT, DEBTOR
from ledger.adapters.streams import debt_stream
from ledger.domain.debt import DebtStatus
from ledger.domain.retention import DebtRecord

# The debtor's row first (open_debt reads it FOR SHARE): no debt can be opened for the debtor
# between this check and the erasure's commit. Then the debts, in id order.
_LOCK_DEBTOR = "SELECT 1 FROM ledger_debtors WHERE tenant = $1 AND debtor_id = $2 FOR UPDATE"

_LOCK_DEBTS = """
SELECT debt_id, status FROM ledger_debts WHERE tenant = $1 AND debtor_id = $2
ORDER BY debt_id FOR UPDATE
"""

# Each event's store time (recorded_at, the service's clock at the append) and its domain time
# (occurred_at: a payment's or dispute's received_at, which the caller supplies and may lie
# either side of it), whichever is later: the conservative reading of "last activity".
_LAST_EVENTS = """
SELECT stream_id, max(GREATEST(recorded_at, (payload->>'occurred_at')::timestamptz)) AS last_at
FROM events WHERE stream_id = ANY($1::text[]) GROUP BY stream_id
"""

_ATTEMPTS = """
SELECT subject, subject_id, last_attempt_at FROM ledger_contact_attempts
WHERE tenant = $1 AND ((subject = $2 AND subject_id = $3)
                       OR (subject = $4 AND subject_id = ANY($5::text[])))
"""


class RetentionRecords:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def of_debtor(
        self, tenant: str, debtor_id: str
    ) -> tuple[list[DebtRecord], datetime | None]:
        """The debtor's debts as the hold sees them, and the latest attempt about the debtor."""
        await self._conn.execute(_LOCK_DEBTOR, tenant, debtor_id)
        debts = await self._conn.fetch(_LOCK_DEBTS, tenant, debtor_id)
        ids = [row["debt_id"] for row in debts]
        streams = {debt_stream(tenant, debt_id): debt_id for debt_id in ids}
        last_event = {streams[row["stream_id"]]: row["last_at"]
                      for row in await self._conn.fetch(_LAST_EVENTS, list(streams))}
        attempts = {(row["subject"], row["subject_id"]): row["last_attempt_at"]
                    for row in await self._conn.fetch(_ATTEMPTS, tenant, DEBTOR, debtor_id,
                                                      DEBT, ids)}
        records = [DebtRecord(debt_id=row["debt_id"], status=DebtStatus(row["status"]),
                              last_event_at=last_event[row["debt_id"]],
                              last_attempt_at=attempts.get((DEBT, row["debt_id"])))
                   for row in debts]
        return records, attempts.get((DEBTOR, debtor_id))
