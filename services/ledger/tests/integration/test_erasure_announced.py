"""An erasure is announced to the other services: the same transaction that destroys the
debtor's key appends a public `ledger.DebtorErased` (ids and the instant, no personal data) to
the debtor's public stream, with its publication intent for the relay; a repeated erasure
announces nothing again."""

from __future__ import annotations

from datetime import datetime

import orjson
import pytest

from goodfaith_events.contracts import Topics
from goodfaith_runtime.clock import ManualClock

from .conftest import Api

pytestmark = pytest.mark.integration

_PUBLIC = """
SELECT e.type, e.payload::text AS payload, e.tenant, o.topic,
       o.partition_key
FROM events e JOIN outbox o USING (event_id) WHERE e.stream_id = $1 ORDER BY e.stream_version
"""


async def test_an_erasure_is_announced_once_without_personal_data(
    api: Api, ledger, clock: ManualClock,
) -> None:
    debtor_id = await api.debtor(given_name="Quentin")
    base = f"/v1/debtors/{debtor_id}"
    await api.ok("POST", f"{base}/phones", {"number": "+14155550142", "type": "cell"})
    await api.ok("POST", f"{base}/erasure", {"reason": "verified erasure request"})
    await api.ok("POST", f"{base}/erasure", {"reason": "asked twice"})
    stream = f"ledger/{api.tenant}/debtor/{debtor_id}/public"
    rows = await ledger.runtime.pool.fetch(_PUBLIC, stream)
    assert len(rows) == 1
    row = rows[0]
    assert (row["type"], row["topic"], row["partition_key"]) == (
        "ledger.DebtorErased", Topics.DEBTOR_ERASED, debtor_id)
    payload = orjson.loads(row["payload"])
    assert payload["debtor_id"] == debtor_id and set(payload) == {"debtor_id", "erased_at"}
    assert datetime.fromisoformat(payload["erased_at"]) == clock.now()
    assert row["tenant"] == api.tenant
    assert "Quentin" not in row["payload"] and "4155550142" not in row["payload"]
    # Erasing a debtor announces nothing about any other debtor.
    other = await api.debtor()
    assert await ledger.runtime.pool.fetch(
        _PUBLIC, f"ledger/{api.tenant}/debtor/{other}/public") == []
