"""Architecture step 5: an approval counts against caps when granted, so no interleaving of
requests (HTTP and Kafka at once, or any sequence of instants) approves more than a cap allows.
FED-7IN7: at most 7 calls about one debt in any 7 consecutive local days (decisions.md D-06)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.service_layer.facts import Profile
from compliance.service_layer.requests import GateRequest
from goodfaith_events.contracts import Topics
from goodfaith_events.ids import new_id
from goodfaith_runtime.clock import ManualClock

from .conftest import (
    NOW,
    PHONE,
    SCRIPT,
    Api,
    message,
    produce,
    profile,
    requested,
    serve,
    settings_for,
    sha,
    until,
)

pytestmark = pytest.mark.integration
CHICAGO = ZoneInfo("America/Chicago")
CAP = 7


async def test_concurrent_http_and_kafka_requests_never_share_the_last_slot(
    database, infra, clock,
) -> None:
    tenant = f"t{new_id().hex}"
    settings = settings_for(database, infra, run_background=True)
    async with serve(settings, clock) as (base, compliance), httpx.AsyncClient(
            base_url=base, timeout=120) as client:
        api = Api(client, tenant)
        person = await api.person()
        await until(compliance.runtime.kafka_ready)
        kafka = [requested(person) for _ in range(10)]
        produced = produce(infra, Topics.CONTACT_REQUESTED, [
            (message("outreach.ContactRequested", tenant, r, f"outreach/{r['request_id']}"),
             person) for r in kafka])
        answers = await asyncio.gather(produced, *(api.check(person) for _ in range(15)))
        http_allowed = sum(a["outcome"] == "ALLOW" for a in answers[1:])

        async def all_decided() -> Any:
            n = await compliance.runtime.pool.fetchval(
                "SELECT count(*) FROM compliance_decisions WHERE tenant = $1", tenant)
            return n == 25

        await until(all_decided)
        rows = await compliance.runtime.pool.fetch(
            "SELECT source, outcome FROM compliance_decisions WHERE tenant = $1", tenant)
        outcomes = Counter((r["source"], r["outcome"]) for r in rows)
        assert outcomes[("http", "ALLOW")] + outcomes[("kafka", "ALLOW")] == CAP, outcomes
        assert outcomes[("http", "ALLOW")] == http_allowed
        blocked = await api.check(person)
        assert blocked["outcome"] == "BLOCK" and "FED-7IN7" in blocked["reasons"]


def _local_day(instant: datetime) -> date:
    return instant.astimezone(CHICAGO).date()


def _worst_window(days: list[date]) -> int:
    counts = Counter(days)
    return max((sum(counts[d - timedelta(days=k)] for k in range(7)) for d in counts),
               default=0)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(offsets=st.lists(st.tuples(st.integers(0, 10 * 24 * 60), st.integers(0, 3)),
                        min_size=8, max_size=20),
       batches=st.integers(1, 4))
async def test_no_sequence_of_requests_approves_more_calls_than_the_cap(
    served, offsets: list[tuple[int, int]], batches: int,
) -> None:
    """Requests for arbitrary instants over ten days, some decided concurrently, some with the
    clock moving on: counting approvals at grant time, no 7-day window ever holds more than 7."""
    compliance = served[1]
    tenant, person = "prop", f"p-{new_id().hex}"
    clock: ManualClock = compliance.clock  # type: ignore[assignment]
    clock.set(NOW)
    pool, service = compliance.runtime.pool, compliance.service
    async with pool.acquire() as conn, conn.transaction():
        await service.record_profile(conn, tenant, Profile.model_validate(profile(person)))

    async def ask(minutes: int) -> Any:
        request = GateRequest(
            request_id=str(new_id()), person_id=person, debt_ids=("d-1",), channel="call",
            endpoint=PHONE, content_hash=sha(SCRIPT), content_text=SCRIPT,
            template_type="AGENT_CALL", source="http",
            intended_send_at=NOW + timedelta(minutes=minutes))
        async with pool.acquire() as conn, conn.transaction():
            # Most wait their turn like HTTP checks; some race like the Kafka gate.
            return await service.check(conn, tenant, request, queue=minutes % 3 != 0)

    size = max(1, len(offsets) // batches)
    for start in range(0, len(offsets), size):
        chunk = offsets[start:start + size]
        await asyncio.gather(*(ask(minutes) for minutes, _ in chunk))
        clock.set(NOW + timedelta(days=max(hop for _, hop in chunk)))
    rows = await pool.fetch(
        "SELECT e.payload->'approval'->>'intended_send_at' AS at FROM compliance_decisions d "
        "JOIN events e ON e.stream_id = d.stream_id AND e.stream_version = d.stream_version "
        "WHERE d.tenant = $1 AND d.person_id = $2 AND d.outcome = 'ALLOW'", tenant, person)
    days = [_local_day(datetime.fromisoformat(r["at"])) for r in rows]
    assert _worst_window(days) <= CAP
