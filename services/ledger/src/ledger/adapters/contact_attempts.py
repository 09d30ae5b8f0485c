"""The latest contact attempt per debtor and per debt (``ledger_contact_attempts``).

Written by the ContactAttempted consumer, read by the retention hold on erasure. An attempt
is one statement whatever it names: the debtor's row and one row per debt, each moved to the
later of its stored and the new instant. ``GREATEST`` makes a redelivery, an older attempt
arriving late or two partitions racing harmless, so the row never moves back in time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import asyncpg

DEBTOR, DEBT = "debtor", "debt"

_UPSERT = """
INSERT INTO ledger_contact_attempts AS a (tenant, subject, subject_id, last_attempt_at)
SELECT $1, subject, subject_id, $4 FROM unnest($2::text[], $3::text[]) AS t(subject, subject_id)
ON CONFLICT (tenant, subject, subject_id)
    DO UPDATE SET last_attempt_at = GREATEST(a.last_attempt_at, EXCLUDED.last_attempt_at)
"""


async def record_attempt(
    conn: asyncpg.Connection, *, tenant: str, debtor_id: str, debt_ids: Iterable[str],
    at: datetime,
) -> None:
    # An id named twice would make the upsert touch one row twice, which PostgreSQL refuses.
    debts = sorted(set(debt_ids))
    await conn.execute(_UPSERT, tenant, [DEBTOR, *(DEBT for _ in debts)], [debtor_id, *debts],
                       at)
