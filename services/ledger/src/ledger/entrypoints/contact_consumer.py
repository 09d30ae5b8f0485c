"""ContactAttempted from outreach: the ledger keeps the latest attempt per debtor and per debt,
the collection activity it does not record itself, for the retention hold on erasure.

Nothing is looked up and nothing is refused: an attempt about a debtor or a debt the ledger
does not know (yet) is recorded all the same, so one arriving before its debt is not lost.
Only a database failure raises (the runtime retries it, then dead-letters the message).
"""

from __future__ import annotations

from goodfaith_events.contracts import ContactAttempted
from goodfaith_runtime.consumer import Delivery
from ledger.adapters.contact_attempts import record_attempt

CONTACTS_CONSUMER = "ledger-contacts"


async def contact_attempted(delivery: Delivery) -> None:
    attempt = delivery.contract
    assert isinstance(attempt, ContactAttempted)
    # person_id is the ledger's debtor id (outreach takes it from the debtor).
    await record_attempt(delivery.conn, tenant=delivery.message.envelope.tenant,
                         debtor_id=attempt.person_id, debt_ids=attempt.debt_ids,
                         at=attempt.attempted_at)
