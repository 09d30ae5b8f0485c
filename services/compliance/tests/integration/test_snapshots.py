"""The gate's fast path is the slow path's equal: the per-person snapshot gives the state a replay
of the stream gives, after every kind of command; a stale or unreadable snapshot is not used;
erasure reaches the snapshot; the hot path's sealing is the keyring's format; the compact
decision record expands to exactly the domain's record."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter

from compliance.bootstrap import Compliance
from compliance.domain import evaluate
from compliance.service_layer import events as ev
from compliance.service_layer.context import build
from compliance.service_layer.facts import Fact, Profile
from compliance.service_layer.records import compact_record, expand_record
from compliance.service_layer.requests import GateRequest
from compliance.service_layer.state import PersonState
from goodfaith_events.contracts import ContactAttempted
from goodfaith_events.ids import new_id
from goodfaith_runtime.pii import ERASED, PREFIX, PersonErased

from .conftest import NOW, PHONE, SCRIPT, profile, sha

pytestmark = pytest.mark.integration
TENANT = "snap"


def _request(person: str, minutes: int = 0, **overrides: Any) -> GateRequest:
    values: dict[str, Any] = {
        "request_id": str(new_id()), "person_id": person, "debt_ids": ("d-1",),
        "channel": "call", "endpoint": PHONE, "content_hash": sha(SCRIPT),
        "content_text": SCRIPT, "template_type": "AGENT_CALL", "source": "http",
        "intended_send_at": NOW + timedelta(minutes=minutes), **overrides}
    return GateRequest(**values)


def _comparable(state: PersonState) -> dict[str, Any]:
    found = asdict(state)
    found.pop("decisions")  # not in the snapshot: compliance_decisions answers it
    return found


async def _same_either_way(compliance: Compliance, person: str) -> PersonState:
    streams = compliance.streams
    async with compliance.runtime.pool.acquire() as conn:
        loaded = await streams.load_for_write(conn, TENANT, person)
        replayed = await streams.load(conn, TENANT, person)
    assert loaded.from_snapshot
    assert _comparable(loaded.state) == _comparable(replayed)
    return replayed


async def test_the_snapshot_equals_the_replay_after_every_command(compliance) -> None:
    service, pool = compliance.service, compliance.runtime.pool
    person = f"p-{new_id().hex}"

    async def run(work: Any) -> Any:
        async with pool.acquire() as conn, conn.transaction():
            return await work(conn)

    facts: TypeAdapter[Any] = TypeAdapter(Fact)

    await run(lambda c: service.record_profile(c, TENANT, Profile.model_validate(
        profile(person))))
    await _same_either_way(compliance, person)
    for doc in ({"fact": "consent", "consent_id": "c-1", "kind": "time_place",
                 "given_directly_to_collector": True, "endpoint_id": "ph-1",
                 "given_at": "2026-10-01T00:00:00Z"},
                {"fact": "inbound_contact", "contact_id": "in-1", "at": "2026-11-10T15:00:00Z",
                 "channel": "call", "debt_ids": ["d-1"], "conversation": True},
                {"fact": "dispute", "debt_id": "d-1", "received_at": "2026-09-01T00:00:00Z",
                 "medium": "mail", "written": True},
                {"fact": "verification_sent", "debt_id": "d-1",
                 "sent_at": "2026-09-20T00:00:00Z"}):
        await run(lambda c, d=doc: service.record_fact(c, TENANT, person,
                                                           facts.validate_python(d)))
        await _same_either_way(compliance, person)
    decided = []
    for minutes in (0, 1, 2):
        checked = await run(lambda c, m=minutes: service.check(c, TENANT, _request(person, m)))
        decided.append(checked.decision_id)
        state = await _same_either_way(compliance, person)
    approval = next(iter(state.approvals.values()))
    for approval_id, attempt_id in ((approval.approval_id, "a-1"), (None, "a-2"),
                                    (approval.approval_id, "a-3")):
        attempt = ContactAttempted.model_validate({
            "attempt_id": attempt_id, "approval_id": approval_id, "request_id": "r",
            "person_id": person, "debt_ids": ["d-1"], "channel": "call", "endpoint": PHONE,
            "attempted_at": (NOW + timedelta(minutes=1)).isoformat(),
            "outcome": "conversation", "connected": True, "conversation": True})
        await run(lambda c, a=attempt: service.record_attempt(c, TENANT, a))
        state = await _same_either_way(compliance, person)
    assert len(state.attempts) == 3 and len(state.used) == 1
    # An attempt's outcome appends facts with it (D-42): folded alike both ways.
    for attempt_id, outcome in (("a-4", "opted_out"), ("a-5", "wrong_party")):
        attempt = ContactAttempted.model_validate({
            "attempt_id": attempt_id, "person_id": person, "debt_ids": ["d-1"],
            "channel": "sms", "endpoint": PHONE, "outcome": outcome, "connected": True,
            "conversation": False, "attempted_at": (NOW + timedelta(minutes=2)).isoformat()})
        await run(lambda c, a=attempt: service.record_attempt(c, TENANT, a))
        state = await _same_either_way(compliance, person)
    assert [f["fact"] for f in state.facts[-2:]] == ["medium_optout", "rpc_state"]
    await run(lambda c: service.record_profile(c, TENANT, Profile.model_validate(
        profile(person))))
    await _same_either_way(compliance, person)
    # A retried request is still answered with its decision from the fast path.
    request = _request(person, 5)
    first = await run(lambda c: service.check(c, TENANT, request))
    again = await run(lambda c: service.check(c, TENANT, request))
    assert again.replayed and again.decision_id == first.decision_id


async def test_a_stale_or_foreign_snapshot_is_not_used(compliance) -> None:
    service, pool, streams = compliance.service, compliance.runtime.pool, compliance.streams
    person, other = f"p-{new_id().hex}", f"p-{new_id().hex}"
    async with pool.acquire() as conn, conn.transaction():
        for p in (person, other):
            await service.record_profile(conn, TENANT, Profile.model_validate(profile(p)))
        await service.check(conn, TENANT, _request(person))
    stream = ev.person_stream(TENANT, person)
    async with pool.acquire() as conn:
        fresh = await streams.load_for_write(conn, TENANT, person)
        assert fresh.from_snapshot
        # Older than the stream: replayed, and the replay is what the gate then uses.
        await conn.execute("UPDATE compliance_snapshots SET version = version - 1 "
                           "WHERE stream_id = $1", stream)
        stale = await streams.load_for_write(conn, TENANT, person)
        assert not stale.from_snapshot and stale.state.version == fresh.state.version
        assert _comparable(stale.state) == _comparable(fresh.state)
        # Another person's snapshot (sealed under another key) is never read as this one's.
        await conn.execute(
            "UPDATE compliance_snapshots SET version = 1, state = (SELECT state FROM "
            "compliance_snapshots WHERE stream_id = $2) WHERE stream_id = $1",
            stream, ev.person_stream(TENANT, other))
        foreign = await streams.load_for_write(conn, TENANT, person)
        assert not foreign.from_snapshot and foreign.state.person_id == person
    async with pool.acquire() as conn, conn.transaction():
        await service.check(conn, TENANT, _request(person, 1))
    await _same_either_way(compliance, person)  # the next decision wrote a good one again


async def test_erasing_the_key_erases_the_snapshot(compliance) -> None:
    service, pool, streams = compliance.service, compliance.runtime.pool, compliance.streams
    person = f"p-{new_id().hex}"
    async with pool.acquire() as conn, conn.transaction():
        await service.record_profile(conn, TENANT, Profile.model_validate(profile(person)))
        await service.check(conn, TENANT, _request(person))
    async with pool.acquire() as conn:
        assert (await streams.load_for_write(conn, TENANT, person)).state.profile is not None
        await compliance.runtime.keyring.erase(conn, person_id=ev.key_owner(TENANT, person),
                                               tenant=TENANT)
        erased = await streams.load_for_write(conn, TENANT, person)
    assert not erased.from_snapshot and erased.key is None
    assert erased.state.profile is None  # the gate blocks: DATA_MISSING:person.profile


async def test_hot_path_sealing_is_the_keyrings_format(compliance) -> None:
    pool, keyring, streams = compliance.runtime.pool, compliance.runtime.keyring, \
        compliance.streams
    person = f"p-{new_id().hex}"
    owner = ev.key_owner(TENANT, person)
    async with pool.acquire() as conn, conn.transaction():
        by_keyring = await keyring.seal(conn, person_id=owner, tenant=TENANT,
                                        payload={"a": "one", "b": {"c": "two"}},
                                        fields=["a", "b.c"])
        key = (await streams.load_for_write(conn, TENANT, person)).key
        assert key is not None
        assert key.open(by_keyring["a"]) == "one" and key.open(by_keyring["b"]["c"]) == "two"
        by_key = key.seal_fields({"a": "three", "b": {"c": "four"}, "d": 5}, ["a", "b.c"])
        opened = await keyring.unseal(conn, person_id=owner, payload=by_key)
        assert opened == {"a": "three", "b": {"c": "four"}, "d": 5}
        # Bound to the owner: another person's key does not open it.
        other = (await keyring.seal(conn, person_id=f"{owner}x", tenant=TENANT,
                                    payload={"a": "x"}, fields=["a"]))
        assert key.open(other["a"]) is None
        assert (await keyring.unseal(conn, person_id=f"{owner}x", payload=by_key))["a"] == ERASED


@pytest.mark.parametrize("overrides", [
    {}, {"channel": "sms", "endpoint": PHONE}, {"endpoint": "+19995550100"},
    {"intended_send_at": NOW.replace(hour=4)}, {"channel": "email", "endpoint": "pat@example.com"},
])
def test_the_compact_record_expands_to_the_domain_record(overrides: dict[str, Any]) -> None:
    state = PersonState(TENANT, "p-1", profile=Profile.model_validate(
        profile("p-1")).model_dump(mode="json"))
    from compliance.service_layer.context import Blocked

    try:
        decision = evaluate(build(state, _request("p-1", **overrides), NOW))
    except Blocked as exc:
        decision = exc.decision
    compact = compact_record(decision)
    assert expand_record(compact) == decision.as_record()
    if decision.packs:  # evaluated: most rules did not apply and are stored by id alone
        assert sum(isinstance(e, str) for e in compact["trace"]) > 20


async def test_a_decision_that_lost_a_race_decides_again_in_the_same_transaction(
    compliance, monkeypatch,
) -> None:
    """The loser of a race for a person's stream reloads (seeing the winner's approval) and
    decides again without a savepoint: its transaction survives the refused append."""
    from compliance.adapters import metrics

    service, streams, pool = compliance.service, compliance.streams, compliance.runtime.pool
    person = f"p-{new_id().hex}"
    async with pool.acquire() as conn:
        await service.record_profile(conn, TENANT, Profile.model_validate(profile(person)))
        stale = await streams.load_for_write(conn, TENANT, person)
        await service.check(conn, TENANT, _request(person))  # the winner, committed
    real, loads = streams.load_for_write, []

    async def stale_first(*args: Any, **kwargs: Any) -> Any:
        loads.append(args)
        return stale if len(loads) == 1 else await real(*args, **kwargs)

    monkeypatch.setattr(streams, "load_for_write", stale_first)
    conflicts = metrics.CONFLICTS._value.get()
    async with pool.acquire() as conn, conn.transaction():
        checked = await service.check(conn, TENANT, _request(person))
    assert len(loads) == 2 and metrics.CONFLICTS._value.get() == conflicts + 1
    assert not checked.replayed
    rows = await pool.fetch(
        "SELECT stream_version FROM compliance_decisions WHERE person_id = $1 "
        "ORDER BY stream_version", person)
    assert len(rows) == 2 and rows[0]["stream_version"] < rows[1]["stream_version"]
    assert (await compliance.runtime.store.verify(
        stream_id=ev.person_stream(TENANT, person))).ok
    monkeypatch.undo()
    await _same_either_way(compliance, person)



async def test_the_gate_answers_for_an_erased_person_and_keeps_nothing_personal(
    compliance,
) -> None:
    """An erased person's contact request is blocked and recorded like any other (the caller
    gets its answer), but with no new key, no snapshot and the personal fields masked."""
    service, pool = compliance.service, compliance.runtime.pool
    person = f"p-{new_id().hex}"
    owner = ev.key_owner(TENANT, person)
    async with pool.acquire() as conn, conn.transaction():
        await service.record_profile(conn, TENANT, Profile.model_validate(profile(person)))
    async with pool.acquire() as conn:
        await compliance.runtime.keyring.erase(conn, person_id=owner, tenant=TENANT)
    async with pool.acquire() as conn, conn.transaction():
        checked = await service.check(conn, TENANT, _request(person))
    stream = ev.person_stream(TENANT, person)
    row = await pool.fetchrow(
        "SELECT d.outcome, e.payload::text AS payload FROM compliance_decisions d JOIN events e "
        "ON e.stream_id = d.stream_id AND e.stream_version = d.stream_version "
        "WHERE d.decision_id = $1", checked.decision_id)
    assert row["outcome"] == "BLOCK"
    recorded = json.loads(row["payload"])
    assert recorded["endpoint"] == ERASED  # and no context: there was no profile to build it
    assert recorded["context"] is None
    assert "DATA_MISSING:person.profile" in row["payload"]
    assert PHONE not in row["payload"] and PREFIX not in row["payload"]
    assert await pool.fetchval("SELECT count(*) FROM person_keys WHERE person_id = $1",
                               owner) == 0
    snapshot_version = await pool.fetchval(
        "SELECT version FROM compliance_snapshots WHERE stream_id = $1", stream)
    assert snapshot_version == 1  # the profile's, from before the erasure: not rewritten
    assert (await compliance.runtime.store.verify(stream_id=stream)).ok
    with pytest.raises(PersonErased):  # other commands still refuse new personal data
        async with pool.acquire() as conn, conn.transaction():
            await service.record_profile(conn, TENANT, Profile.model_validate(profile(person)))


async def test_attempts_on_an_erased_person_are_recorded_and_judged(compliance) -> None:
    """D-38: a contact reported after the erasure counts and is judged; an approval from before
    it can no longer be shown to cover the endpoint (ENDPOINT_UNVERIFIABLE), and no approval
    is still NO_APPROVAL. The endpoint is stored masked."""
    service, pool = compliance.service, compliance.runtime.pool
    person = f"p-{new_id().hex}"
    async with pool.acquire() as conn, conn.transaction():
        await service.record_profile(conn, TENANT, Profile.model_validate(profile(person)))
        await service.check(conn, TENANT, _request(person))
        loaded = await compliance.streams.load_for_write(conn, TENANT, person)
    approval = next(iter(loaded.state.approvals.values()))
    async with pool.acquire() as conn:
        await compliance.runtime.keyring.erase(conn, person_id=ev.key_owner(TENANT, person),
                                               tenant=TENANT)
    reasons = []
    for approval_id in (approval.approval_id, None):
        attempt = ContactAttempted.model_validate({
            "attempt_id": f"a-{new_id().hex}", "approval_id": approval_id, "request_id": "r",
            "person_id": person, "debt_ids": ["d-1"], "channel": "call", "endpoint": PHONE,
            "content_hash": sha(SCRIPT), "attempted_at": (NOW + timedelta(minutes=1)).isoformat(),
            "outcome": "no_answer", "connected": True, "conversation": False})
        async with pool.acquire() as conn, conn.transaction():
            reasons.append(await service.record_attempt(conn, TENANT, attempt))
    assert reasons == ["ENDPOINT_UNVERIFIABLE", "NO_APPROVAL"]
    stored = [r["payload"] for r in await pool.fetch(
        "SELECT payload::text FROM events WHERE stream_id = $1 AND type = $2",
        ev.person_stream(TENANT, person), ev.ATTEMPT_RECORDED)]
    assert len(stored) == 2 and all(json.loads(p)["endpoint"] == ERASED for p in stored)
    assert all(PHONE not in p for p in stored)
    assert await pool.fetchval("SELECT count(*) FROM compliance_violations WHERE person_id = $1",
                               person) == 2
