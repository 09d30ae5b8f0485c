"""The event store on the real embedded PostgreSQL."""

import asyncio

import asyncpg
import pytest

from goodfaith_runtime.eventstore import (
    Alongside,
    ConcurrencyError,
    InvalidEvent,
    Metadata,
    NewEvent,
    PostgresEventStore,
)

pytestmark = pytest.mark.integration
META = Metadata(tenant="acme", producer="test")


def ev(n: int, kind: str = "test.Happened") -> NewEvent:
    return NewEvent(type=kind, payload={"n": n, "note": "ünïcode ✓"})


async def test_append_and_read_back_a_stream(pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    await store.append("s-1", 0, [ev(1), ev(2)], META)
    await store.append("s-1", 2, [ev(3)], META)
    stream = await store.read_stream("s-1")
    assert [e.payload["n"] for e in stream.events] == [1, 2, 3]
    assert [e.stream_version for e in stream.events] == [1, 2, 3]
    assert stream.events[1].prev_hash == stream.events[0].hash


async def test_a_stale_expected_version_is_a_concurrency_error(pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    await store.append("s-1", 0, [ev(1)], META)
    with pytest.raises(ConcurrencyError) as err:
        await store.append("s-1", 0, [ev(2)], META)
    assert err.value.stream_id == "s-1"
    with pytest.raises(ConcurrencyError):
        await store.append("s-1", 5, [ev(2)], META)
    assert (await store.read_stream("s-1")).version == 1


async def test_concurrent_writers_one_wins_and_the_other_can_retry(pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    await store.append("s-1", 0, [ev(0)], META)
    results = await asyncio.gather(
        *(store.append("s-1", 1, [ev(i)], META) for i in range(1, 6)), return_exceptions=True)
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, ConcurrencyError)]
    assert len(winners) == 1 and len(losers) == 4
    # A loser reloads and retries from the new head.
    head = await store.read_stream("s-1")
    await store.append("s-1", head.version, [ev(99)], META, expected_hash=head.head_hash)
    assert (await store.verify()).ok


async def test_a_batch_is_all_or_nothing(pool) -> None:
    from goodfaith_runtime.eventstore import AppendRequest

    store = PostgresEventStore(pool, producer="test")
    await store.append("taken", 0, [ev(1)], META)
    with pytest.raises(ConcurrencyError):
        await store.append_batch(
            [AppendRequest("fresh", 0, [ev(1)]), AppendRequest("taken", 0, [ev(2)])], META)
    assert (await store.read_stream("fresh")).version == 0


async def test_an_isolated_conflict_leaves_the_callers_transaction_usable(pool) -> None:
    """The retry-in-the-same-transaction a command needs, without a SAVEPOINT: each refusal
    (a stale version, a forged link, a taken event id) is raised and the transaction goes on."""
    store = PostgresEventStore(pool, producer="test")
    first = (await store.append("s-1", 0, [ev(1)], META))[0]
    async with pool.acquire() as conn, conn.transaction():
        await store.append("written-before", 0, [ev(0)], META, conn=conn)
        with pytest.raises(ConcurrencyError) as stale:
            await store.append("s-1", 0, [ev(2)], META, conn=conn, isolated=True)
        assert stale.value.stream_id == "s-1"
        with pytest.raises(ConcurrencyError):
            await store.append("s-1", 1, [ev(2)], META, conn=conn, isolated=True,
                               expected_hash=b"\x01" * 32)
        taken = NewEvent(type="test.Happened", payload={"n": 3}, event_id=first.event_id)
        with pytest.raises(InvalidEvent, match="duplicate event id"):
            await store.append("s-2", 0, [taken], META, conn=conn, isolated=True)
        # Still usable: the earlier write stands and the retry from the real head lands.
        assert (await store.read_stream("written-before", conn=conn)).version == 1
        stored = await store.append("s-1", 1, [ev(2), ev(3)], META, conn=conn, isolated=True,
                                    expected_hash=first.hash)
    assert [e.stream_version for e in stored] == [2, 3]
    assert [e.payload["n"] for e in (await store.read_stream("s-1")).events] == [1, 2, 3]
    assert (await store.read_stream("s-2")).version == 0
    assert (await store.read_stream("written-before")).version == 1
    assert (await store.verify()).ok


async def test_an_isolated_append_writes_its_publication_with_it(pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    overdue = NewEvent(type="ledger.InvoiceOverdue", publish_to=("t.topic", "debt-1"), payload={
        "debt_id": "debt-1", "invoice_id": "inv-1", "debtor_id": "person-1",
        "due_date": "2026-10-01", "milestone_days": 30, "days_past_due": 31,
        "outstanding": {"amount_minor": 100, "currency": "USD"}, "governing_state": "CA"})
    async with pool.acquire() as conn, conn.transaction():
        await store.append("debt-1", 0, [ev(1), overdue], META, conn=conn, isolated=True)
    rows = await pool.fetch("SELECT event_id, topic, partition_key FROM outbox")
    assert [(r["event_id"], r["topic"], r["partition_key"]) for r in rows] == [
        (overdue.event_id, "t.topic", "debt-1")]


# A caller's function of the shape Alongside wants: goodfaith_append's arguments, then its own.
_NOTED = """
CREATE TABLE noted (stream_id text, version integer, hash bytea, note text);
CREATE FUNCTION append_noting(
    event_ids uuid[], stream_ids text[], versions integer[], types text[],
    schema_versions integer[], payloads text[], prev_hashes bytea[], hashes bytea[],
    topics text[], partition_keys text[], key_owners text[],
    meta json, tenant_id text, recorded timestamptz, head_hash bytea, note text
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE problem text;
BEGIN
    problem := goodfaith_append(event_ids, stream_ids, versions, types, schema_versions,
                                payloads, prev_hashes, hashes, topics, partition_keys,
                                key_owners, meta, tenant_id, recorded);
    IF problem IS NULL THEN
        INSERT INTO noted VALUES (stream_ids[1], versions[array_length(versions, 1)],
                                  head_hash, note);
    END IF;
    RETURN problem;
END $$;
"""


async def test_rows_alongside_an_append_are_written_only_with_it(pool, schema) -> None:
    """One statement for the append and the caller's rows: the rows see the stored events
    (their hashes), and a conflict writes neither and leaves the transaction usable."""
    store = PostgresEventStore(pool, producer="test")
    first = (await store.append("s-1", 0, [ev(1)], META))[0]
    seen: list[list[int]] = []

    def noting(note: str) -> Alongside:
        def args(stored: list) -> list:
            seen.append([e.stream_version for e in stored])
            return [stored[-1].hash, note]
        return Alongside("append_noting", args)

    await schema(_NOTED)  # each test has a database of its own
    async with pool.acquire() as conn, conn.transaction():
        with pytest.raises(ConcurrencyError):
            await store.append("s-1", 0, [ev(2)], META, conn=conn, isolated=True,
                               alongside=noting("lost"))
        stored = await store.append("s-1", 1, [ev(2), ev(3)], META, conn=conn, isolated=True,
                                    expected_hash=first.hash, alongside=noting("won"))
        rows = await conn.fetch("SELECT stream_id, version, hash, note FROM noted")
    assert seen == [[1], [2, 3]]
    assert [tuple(r) for r in rows] == [("s-1", 3, stored[-1].hash, "won")]
    assert (await store.read_stream("s-1")).version == 3 and (await store.verify()).ok


def test_rows_alongside_need_an_isolated_append_and_a_plain_function_name() -> None:
    with pytest.raises(ValueError, match="plain SQL function name"):
        Alongside("f(); DROP TABLE events; --", lambda stored: [])
    store = PostgresEventStore(None, producer="test")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="isolated"):
        asyncio.run(store.append("s-1", 0, [ev(1)], META,
                                 alongside=Alongside("f", lambda stored: [])))


@pytest.mark.parametrize("sql", [
    "UPDATE events SET payload = '{\"n\": 666}'",
    "DELETE FROM events",
    "TRUNCATE events",
])
async def test_the_database_refuses_to_change_the_log(pool, owner_pool, sql) -> None:
    # Even the owner, who may do all of it by rights, is refused by the triggers.
    store = PostgresEventStore(pool, producer="test")
    await store.append("s-1", 0, [ev(1)], META)
    async with owner_pool.acquire() as conn:
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await conn.execute(sql)
    assert (await store.read_stream("s-1")).events[0].payload["n"] == 1


async def test_a_forged_link_cannot_be_inserted(pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    await store.append("s-1", 0, [ev(1)], META)
    with pytest.raises(ConcurrencyError):
        await store.append("s-1", 1, [ev(2)], META, expected_hash=b"\x01" * 32)


async def test_verify_names_the_first_broken_link_after_tampering(pool, owner_pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    await store.append("good", 0, [ev(1), ev(2)], META)
    await store.append("bad", 0, [ev(1), ev(2), ev(3), ev(4)], META)
    assert (await store.verify()).ok
    async with owner_pool.acquire() as conn:
        # An attacker with superuser rights switches the triggers off and edits history.
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(
            "UPDATE events SET payload = '{\"n\": 30, \"note\": \"x\"}' "
            "WHERE stream_id = 'bad' AND stream_version = 3")
    report = await store.verify()
    assert not report.ok
    assert report.streams == 2 and report.events == 6
    assert [(b.stream_id, b.stream_version) for b in report.broken] == [("bad", 3)]
    assert "altered" in report.broken[0].reason


async def test_verify_finds_a_deleted_event(pool, owner_pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    await store.append("s", 0, [ev(1), ev(2), ev(3)], META)
    async with owner_pool.acquire() as conn:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("DELETE FROM events WHERE stream_id = 's' AND stream_version = 2")
    report = await store.verify()
    assert [(b.stream_id, b.stream_version) for b in report.broken] == [("s", 3)]


@pytest.mark.parametrize("bad", [
    NewEvent(type="", payload={}),
    NewEvent(type="x", payload={"amount": 1.5}),
    NewEvent(type="x", payload=["not", "a", "dict"]),  # type: ignore[arg-type]
])
async def test_malformed_events_are_refused_at_append(pool, bad) -> None:
    store = PostgresEventStore(pool, producer="test")
    with pytest.raises(InvalidEvent):
        await store.append("s", 0, [bad], META)
    assert (await store.read_stream("s")).version == 0


async def test_read_all_never_skips_a_late_commit(pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    slow = await pool.acquire()
    try:
        tx = slow.transaction()
        await tx.start()
        # The slow writer takes its position first but commits last.
        await store.append("slow", 0, [ev(1)], META, conn=slow)
        await store.append("fast", 0, [ev(2)], META)
        seen = await store.read_all()
        assert seen == []  # nothing past a running transaction is visible yet
        await tx.commit()
    finally:
        await pool.release(slow)
    seen = await store.read_all()
    assert sorted(e.stream_id for e in seen) == ["fast", "slow"]
    assert await store.read_all(seen[-1].position) == []


@pytest.mark.parametrize(("event", "reason"), [
    (NewEvent(type="test.Unknown", payload={"n": 1}, publish_to=("t", "k")), "not a registered"),
    (NewEvent(type="test.Happened", payload={"n": "one"}, publish_to=("t", "k")), "invalid"),
    (NewEvent(type="test.Happened", payload={"n": 1}, publish_to=("t", "")), "partition key"),
])
async def test_only_valid_public_contracts_can_be_published(pool, event, reason) -> None:
    store = PostgresEventStore(pool, producer="test")
    with pytest.raises(InvalidEvent, match=reason):
        await store.append("s", 0, [event], META)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0


@pytest.mark.parametrize(("metadata", "reason"), [
    (Metadata(tenant="t" * 101, producer="test"), "tenant"),
    (Metadata(tenant="", producer="test"), "tenant"),
    (Metadata(tenant="acme", producer="p" * 51), "producer"),
    (Metadata(tenant="acme", producer="test", traceparent="00-" + "f" * 60), "traceparent"),
    (Metadata(tenant="acme", producer="test",
              correlation_id="not-a-uuid"),  # type: ignore[arg-type]
     "correlation_id"),
], ids=["long tenant", "no tenant", "long producer", "long traceparent", "bad correlation id"])
@pytest.mark.parametrize("published", [False, True], ids=["private", "published"])
async def test_an_event_whose_envelope_could_not_be_built_is_refused_at_append(
        pool, metadata, reason, published) -> None:
    """The relay could neither publish nor skip it: it would hold up the outbox for good."""
    store = PostgresEventStore(pool, producer="test")
    event = NewEvent(type="test.Happened", payload={"n": 1},
                     publish_to=("t", "k") if published else None)
    with pytest.raises(InvalidEvent, match=reason):
        await store.append("s", 0, [event], metadata)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM events") == 0
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0


async def test_an_event_with_a_schema_version_below_one_is_refused_at_append(pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    with pytest.raises(InvalidEvent, match="schema version"):
        await store.append("s", 0, [NewEvent(type="x", payload={}, schema_version=0)], META)
