"""The household link (decisions.md D-55) on the live gate: a spouse's profile names the debtor,
the gate merges the debtor's record into the spouse's context, and an approval for one moves
the other's stream, so the household's caps hold under concurrent requests too.

Washington, WA-3PW: at most 3 communications a week with the debtor or spouse (D-48)."""

from __future__ import annotations

import asyncio
import copy
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from compliance.adapters import queries
from compliance.entrypoints import deps
from compliance.service_layer import events as ev
from compliance.service_layer.facts import Profile
from compliance.service_layer.requests import GateRequest
from compliance.service_layer.state import snapshot
from goodfaith_events.ids import new_id
from goodfaith_runtime.auth import Principal
from goodfaith_runtime.clock import ManualClock
from goodfaith_runtime.problems import Problem

from .conftest import NOW, SCRIPT, profile, sha

pytestmark = pytest.mark.integration
DEBTOR_PHONE, SPOUSE_PHONE = "+12065550100", "+12065550111"
# 11:00 in Seattle: inside every window.
AT = NOW + timedelta(hours=3)
WA_CAP = 3


def _in_washington(person_id: str, phone: str, role: str = "consumer",
                   household: tuple[str, ...] = ()) -> Profile:
    doc: dict[str, Any] = copy.deepcopy(profile(person_id, governing_state="WA"))
    doc["person"].update(role=role, addresses=[
        {"address_id": "a-1", "kind": "residence", "state": "WA", "tz": "America/Los_Angeles"}])
    doc["endpoints"][0]["e164"] = phone
    doc["household"] = list(household)
    return Profile.model_validate(doc)


def _call(person_id: str, phone: str, minutes: int = 0, role: str = "consumer") -> GateRequest:
    return GateRequest(
        request_id=str(new_id()), person_id=person_id, recipient_role=role,
        debt_ids=("d-1",), channel="call",
        endpoint=phone, content_hash=sha(SCRIPT), content_text=SCRIPT,
        template_type="AGENT_CALL", source="http", intended_send_at=AT + timedelta(minutes=minutes))


class Household:
    def __init__(self, compliance: Any) -> None:
        self.pool, self.service = compliance.runtime.pool, compliance.service
        self.tenant = f"t{new_id().hex}"
        self.debtor, self.spouse = f"p-{new_id().hex}", f"p-{new_id().hex}"

    async def record(self, *profiles: Profile) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            for p in profiles:
                await self.service.record_profile(conn, self.tenant, p)

    def call_spouse(self, minutes: int = 0, phone: str = SPOUSE_PHONE) -> GateRequest:
        return _call(self.spouse, phone, minutes, role="spouse")

    async def check(self, request: GateRequest, queue: bool = True) -> Any:
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                checked = await self.service.check(conn, self.tenant, request, queue=queue)
            return await queries.decision_view(conn, self.tenant, checked.decision_id)


async def test_a_spouse_is_judged_with_the_debtors_record_the_profile_links(compliance) -> None:
    h = Household(compliance)
    await h.record(_in_washington(h.debtor, DEBTOR_PHONE),
                   _in_washington(h.spouse, SPOUSE_PHONE, "spouse"))
    unlinked = await h.check(h.call_spouse())
    assert unlinked["outcome"] == "BLOCK"
    assert "DATA_MISSING:history[recipient_role=consumer]" in unlinked["reasons"]

    await h.record(_in_washington(h.spouse, SPOUSE_PHONE, "spouse", household=(h.debtor,)))
    assert (await h.check(h.call_spouse()))["outcome"] == "ALLOW"
    # Two approvals for the debtor make three for the household this week: the next call to
    # the spouse is the fourth.
    for minutes in (10, 20):
        assert (await h.check(_call(h.debtor, DEBTOR_PHONE, minutes)))["outcome"] == "ALLOW"
    fourth = await h.check(h.call_spouse(30))
    assert fourth["outcome"] == "BLOCK" and "WA-3PW" in fourth["reasons"]


async def test_an_unknown_household_member_is_not_merged_and_still_missing(compliance) -> None:
    h = Household(compliance)
    await h.record(_in_washington(h.spouse, SPOUSE_PHONE, "spouse", household=(h.debtor,)))
    blocked = await h.check(h.call_spouse())
    assert blocked["outcome"] == "BLOCK"
    assert "DATA_MISSING:history[recipient_role=consumer]" in blocked["reasons"]


async def test_an_approval_moves_the_linked_streams_and_a_block_does_not(compliance) -> None:
    h = Household(compliance)
    await h.record(_in_washington(h.debtor, DEBTOR_PHONE),
                   _in_washington(h.spouse, SPOUSE_PHONE, "spouse", household=(h.debtor,)))
    debtor_stream = ev.person_stream(h.tenant, h.debtor)

    async def noted() -> list[Any]:
        return [dict(r) for r in await h.pool.fetch(
            "SELECT payload->>'person_id' AS by, payload->>'decision_id' AS decision "
            "FROM events WHERE stream_id = $1 AND type = $2", debtor_stream,
            ev.HOUSEHOLD_DECISION_NOTED)]

    assert (await h.check(h.call_spouse()))["outcome"] == "ALLOW"
    assert [n["by"] for n in await noted()] == [h.spouse]
    unknown_endpoint = await h.check(h.call_spouse(phone="+12065550199"))
    assert unknown_endpoint["outcome"] == "BLOCK"
    assert len(await noted()) == 1
    # The debtor's snapshot is one version behind now: it is read with the marker folded in,
    # and gives exactly the state a replay does.
    streams = compliance.service.streams
    async with h.pool.acquire() as conn:
        loaded = await streams.load_for_write(conn, h.tenant, h.debtor)
        replayed = await streams.load(conn, h.tenant, h.debtor)
        snapshot_at = await conn.fetchval(
            "SELECT version FROM compliance_snapshots WHERE stream_id = $1", debtor_stream)
    assert loaded.from_snapshot and snapshot_at == loaded.state.version - 1
    assert (loaded.state.version, loaded.state.head_hash) == (replayed.version, replayed.head_hash)
    assert snapshot(loaded.state) == snapshot(replayed)
    assert (await h.check(_call(h.debtor, DEBTOR_PHONE, 5)))["outcome"] == "ALLOW"


@pytest.mark.parametrize("both_ways", [True, False], ids=["named both ways", "named by one"])
async def test_concurrent_requests_for_a_household_never_share_its_last_slot(
        compliance, both_ways: bool) -> None:
    for _ in range(5):  # fresh households: each one a new chance for the race
        h = Household(compliance)
        back = (h.spouse,) if both_ways else ()
        await h.record(_in_washington(h.debtor, DEBTOR_PHONE, household=back),
                       _in_washington(h.spouse, SPOUSE_PHONE, "spouse", household=(h.debtor,)))
        requests = [_call(h.debtor, DEBTOR_PHONE, i) for i in range(4)] + [
            h.call_spouse(i) for i in range(4)]
        # Half wait their turn on the person's lock as HTTP checks do, half race as the Kafka
        # gate does.
        await asyncio.gather(*(h.check(r, queue=i % 2 == 0) for i, r in enumerate(requests)))
        rows = await h.pool.fetch("SELECT person_id FROM compliance_decisions "
                                  "WHERE tenant = $1 AND outcome = 'ALLOW'", h.tenant)
        assert len(rows) == WA_CAP, rows


async def test_a_link_recorded_on_one_side_counts_both_ways_until_it_is_removed(
        compliance) -> None:
    h = Household(compliance)
    await h.record(_in_washington(h.debtor, DEBTOR_PHONE),
                   _in_washington(h.spouse, SPOUSE_PHONE, "spouse", household=(h.debtor,)))
    for minutes in (0, 10):
        assert (await h.check(h.call_spouse(minutes)))["outcome"] == "ALLOW"
    assert (await h.check(_call(h.debtor, DEBTOR_PHONE, 20)))["outcome"] == "ALLOW"
    # The debtor's profile names nobody, yet the spouse's two calls count for the debtor.
    fourth = await h.check(_call(h.debtor, DEBTOR_PHONE, 30))
    assert fourth["outcome"] == "BLOCK" and "WA-3PW" in fourth["reasons"]
    # The spouse's profile recorded again without the link: the debtor counts alone again.
    await h.record(_in_washington(h.spouse, SPOUSE_PHONE, "spouse"))
    assert (await h.check(_call(h.debtor, DEBTOR_PHONE, 40)))["outcome"] == "ALLOW"


async def test_a_profile_naming_itself_or_a_member_twice_is_refused(api) -> None:
    person = f"p-{new_id().hex}"
    for household in ([person], ["p-other", "p-other"]):
        doc = {**profile(person), "household": household}
        refused = await api.call("PUT", f"/v1/persons/{person}/profile", doc)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "household names other persons" in refused.text


async def test_a_household_decision_is_recorded_with_the_merged_record_and_replays(api) -> None:
    debtor, spouse = f"p-{new_id().hex}", f"p-{new_id().hex}"
    for doc in (_in_washington(debtor, DEBTOR_PHONE),
                _in_washington(spouse, SPOUSE_PHONE, "spouse", household=(debtor,))):
        await api.ok("PUT", f"/v1/persons/{doc.person.person_id}/profile",
                     doc.model_dump(mode="json"))
    decided = await api.check(spouse, endpoint=SPOUSE_PHONE, recipient_role="spouse",
                              intended_send_at=AT.isoformat())
    assert decided["outcome"] == "ALLOW", decided
    replayed = await api.ok("POST", f"/v1/decisions/{decided['decision_id']}/replay")
    assert replayed["matches"] is True and replayed["replayed_outcome"] == "ALLOW"
    # Who counts with whom, from either side.
    shown = await api.ok("GET", f"/v1/persons/{debtor}/restrictions")
    assert shown["household"] == {"names": [], "named_by": [spouse]}
    shown = await api.ok("GET", f"/v1/persons/{spouse}/restrictions")
    assert shown["household"] == {"names": [debtor], "named_by": []}


async def test_a_command_the_database_rolled_back_is_run_again_then_refused_as_busy(
        compliance) -> None:
    """A deadlock between two household decisions rolls one transaction back: the HTTP command
    runs again from the start (it wrote nothing), and answers 503, never 500, should the
    database keep refusing it."""
    request = Request({"type": "http", "method": "POST", "path": "/v1/checks", "headers": [],
                       "query_string": b""})
    who = Principal(subject="agent-7", tenant=f"t{new_id().hex}",
                    scopes=frozenset({"compliance:check"}))
    runs: list[int] = []

    async def deadlocked_once(conn: Any) -> Any:
        runs.append(await conn.fetchval("SELECT count(*) FROM idempotency_keys WHERE tenant = $1",
                                        who.tenant))
        if len(runs) == 1:
            raise asyncpg.DeadlockDetectedError("deadlock detected")
        return {"ok": True}

    answered = await deps.idempotent(compliance, request, who, {"n": 1}, "key-1", deadlocked_once)
    assert answered.status_code == 201 and runs == [0, 0]

    async def always(conn: Any) -> Any:
        raise asyncpg.DeadlockDetectedError("deadlock detected")

    with pytest.raises(Problem) as busy:
        await deps.idempotent(compliance, request, who, {"n": 2}, "key-2", always)
    assert busy.value.status == 503


SEATTLE = ZoneInfo("America/Los_Angeles")


def _worst_local_week(instants: list[datetime]) -> int:
    days = Counter(i.astimezone(SEATTLE).date() for i in instants)
    return max((sum(days[d - timedelta(days=k)] for k in range(7)) for d in days), default=0)


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(asks=st.lists(st.tuples(st.integers(0, 10 * 24 * 60), st.booleans(), st.integers(0, 3)),
                     min_size=6, max_size=16),
       batches=st.integers(1, 4), both_ways=st.booleans())
async def test_no_sequence_of_household_requests_approves_more_than_its_cap(
        served, asks: list[tuple[int, bool, int]], batches: int, both_ways: bool) -> None:
    """Calls to the debtor and the spouse at arbitrary instants over ten days, some decided
    concurrently (queued as HTTP, racing as Kafka), the clock moving on between batches:
    counting every approval at its intended instant, no 7 local days ever hold more than the
    3 communications WA allows with the debtor and spouse together (WA-3PW, D-48, D-55)."""
    compliance = served[1]
    clock: ManualClock = compliance.clock  # type: ignore[assignment]
    clock.set(NOW)
    h = Household(compliance)
    await h.record(
        _in_washington(h.debtor, DEBTOR_PHONE, household=(h.spouse,) if both_ways else ()),
        _in_washington(h.spouse, SPOUSE_PHONE, "spouse", household=(h.debtor,)))

    def ask(minutes: int, spouse: bool) -> GateRequest:
        offset = minutes - (AT - NOW) // timedelta(minutes=1)  # NOW + minutes: _call counts from AT
        return h.call_spouse(offset) if spouse else _call(h.debtor, DEBTOR_PHONE, offset)

    size = max(1, len(asks) // batches)
    for start in range(0, len(asks), size):
        chunk = asks[start:start + size]
        await asyncio.gather(*(h.check(ask(m, spouse), queue=m % 2 == 0)
                               for m, spouse, _ in chunk))
        clock.set(NOW + timedelta(days=max(hop for *_, hop in chunk)))
    rows = await h.pool.fetch(
        "SELECT e.payload->'approval'->>'intended_send_at' AS at FROM compliance_decisions d "
        "JOIN events e ON e.stream_id = d.stream_id AND e.stream_version = d.stream_version "
        "WHERE d.tenant = $1 AND d.outcome = 'ALLOW'", h.tenant)
    assert _worst_local_week([datetime.fromisoformat(r["at"]) for r in rows]) <= WA_CAP
