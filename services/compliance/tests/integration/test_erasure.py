"""The ledger's erasure reaches compliance over the real broker: a `ledger.DebtorErased`
destroys compliance's key for that person, records why in their stream, and from then on the
gate blocks requests about them and refuses new personal data, while every chain verifies."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from compliance.service_layer import events as ev
from goodfaith_events.contracts import Topics
from goodfaith_events.ids import new_id

from .conftest import NOW, PHONE, Api, message, produce, profile, serve, settings_for, until

pytestmark = pytest.mark.integration


async def test_a_debtor_erased_in_the_ledger_is_erased_here(database, infra, clock) -> None:
    tenant = f"t{new_id().hex}"
    settings = settings_for(database, infra, run_background=True)
    async with serve(settings, clock) as (base, compliance), httpx.AsyncClient(
            base_url=base, timeout=60) as client:
        api = Api(client, tenant)
        person, kept = await api.person(), await api.person()
        assert (await api.check(person))["outcome"] == "ALLOW"
        assert PHONE in str(await api.ok("GET", f"/v1/persons/{person}/profile"))
        await until(compliance.runtime.kafka_ready)
        erased = {"debtor_id": person, "erased_at": NOW.isoformat()}
        await produce(infra, Topics.DEBTOR_ERASED, [
            (message("ledger.DebtorErased", tenant, erased, f"ledger/{person}"), person)])

        async def gone() -> Any:
            return await compliance.runtime.pool.fetchval(
                "SELECT count(*) FROM events WHERE stream_id = $1 AND type = $2",
                ev.person_stream(tenant, person), ev.PERSON_ERASED)

        await until(gone)
        read = await api.ok("GET", f"/v1/persons/{person}/profile")
        assert read["profile"] is None and PHONE not in str(read)
        # The gate still answers, with a block and no personal data (decisions.md D-38).
        answer = await api.check(person)
        assert answer["outcome"] == "BLOCK"
        assert answer["reasons"] == ["DATA_MISSING:person.profile"]
        assert PHONE not in str(answer)
        refused = await api.call("PUT", f"/v1/persons/{person}/profile", profile(person))
        assert refused.status_code == 422
        # Nobody else is touched.
        assert (await api.check(kept))["outcome"] == "ALLOW"
        async with compliance.runtime.pool.acquire() as conn:
            stream = ev.person_stream(tenant, person)
            rows = await conn.fetch(
                "SELECT type, payload::text AS payload FROM events WHERE stream_id = $1 "
                "ORDER BY stream_version", stream)
            keys = await conn.fetchval(
                "SELECT count(*) FROM person_keys WHERE person_id = $1",
                ev.key_owner(tenant, person))
        recorded = [r for r in rows if r["type"] == ev.PERSON_ERASED]
        assert len(recorded) == 1 and "ledger.DebtorErased" in recorded[0]["payload"]
        assert keys == 0
        report = await compliance.runtime.store.verify(stream_id=stream)
        assert report.ok and report.events == len(rows), report
        dead = await compliance.runtime.pool.fetchval("SELECT count(*) FROM dead_letters")
        assert dead == 0
