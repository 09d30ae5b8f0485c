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
from typing import NamedTuple

import asyncpg

from ledger.adapters.contact_attempts import DEBT, DEBTOR
from ledger.adapters.streams import debt_stream
from ledger.domain.debt import DebtStatus
from ledger.domain.retention import DebtRecord

# The debtor's row first (open_debt reads it FOR SHARE): no debt can be opened for the debtor
# between this check and the erasure's commit. Then the debts, in id order.
_LOCK_DEBTOR = "SELECT 1 FROM ledger_debtors WHERE tenant = $1 AND debtor_id = $2 FOR UPDATE"

_LOCK_DEBTS = """
SELECT debt_id, status, placed_with FROM ledger_debts WHERE tenant = $1 AND debtor_id = $2
ORDER BY debt_id FOR UPDATE
"""

# Payments parked for the debtor or one of their debts (a closed debt, an unknown one): money
# received is collection activity, at the later of its receipt and its parking, and one still
# open is money someone must still apply or refund to this person.
_PARKED = """
SELECT payment_id, debt_id, status, GREATEST(received_at, parked_at) AS at
FROM ledger_parked_payments WHERE tenant = $1 AND (debtor_id = $2 OR debt_id = ANY($3::text[]))
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

    async def of_debtor(self, tenant: str, debtor_id: str) -> HeldRecords:
        """The debtor's debts as the hold sees them, the latest activity about the debtor not
        tied to one of those debts, and their unresolved parked payments."""
        await self._conn.execute(_LOCK_DEBTOR, tenant, debtor_id)
        debts = await self._conn.fetch(_LOCK_DEBTS, tenant, debtor_id)
        ids = [row["debt_id"] for row in debts]
        streams = {debt_stream(tenant, debt_id): debt_id for debt_id in ids}
        last = {streams[row["stream_id"]]: row["last_at"]
                for row in await self._conn.fetch(_LAST_EVENTS, list(streams))}
        attempts = {(row["subject"], row["subject_id"]): row["last_attempt_at"]
                    for row in await self._conn.fetch(_ATTEMPTS, tenant, DEBTOR, debtor_id,
                                                      DEBT, ids)}
        about_debtor = [attempts.get((DEBTOR, debtor_id))]
        unresolved = []
        for row in await self._conn.fetch(_PARKED, tenant, debtor_id, ids):
            if row["status"] == "open":
                unresolved.append(row["payment_id"])
            if row["debt_id"] in last:
                last[row["debt_id"]] = max(last[row["debt_id"]], row["at"])
            else:
                about_debtor.append(row["at"])
        records = [DebtRecord(debt_id=row["debt_id"], status=DebtStatus(row["status"]),
                              last_event_at=last[row["debt_id"]],
                              last_attempt_at=attempts.get((DEBT, row["debt_id"])),
                              placed=row["placed_with"] is not None)
                   for row in debts]
        known = [at for at in about_debtor if at is not None]
        return HeldRecords(records, max(known) if known else None, tuple(unresolved))


class HeldRecords(NamedTuple):
    debts: list[DebtRecord]
    debtor_activity_at: datetime | None
    unresolved_payments: tuple[str, ...]
