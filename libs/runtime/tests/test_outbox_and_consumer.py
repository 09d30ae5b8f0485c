"""Outbox relay and idempotent consumer against the real embedded PostgreSQL and Tansu broker."""

import asyncio
import contextlib
from collections import defaultdict
from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import REGISTRY

from goodfaith_events.codec import decode, encode
from goodfaith_events.envelope import Envelope, EventMessage
from goodfaith_events.ids import new_id
from goodfaith_runtime.consumer import Delivery, IdempotentConsumer, KafkaConsumerLoop, dlq_topic
from goodfaith_runtime.db import create_pool, migrate
from goodfaith_runtime.eventstore import Metadata, NewEvent, PostgresEventStore
from goodfaith_runtime.kafka import ensure_topics, make_producer
from goodfaith_runtime.outbox import OutboxRelay
from goodfaith_runtime.testing import read_topic

pytestmark = pytest.mark.integration
META = Metadata(tenant="acme", producer="test")


def pub(topic: str, stream: str, n: int) -> NewEvent:
    return NewEvent(type="test.Happened", payload={"stream": stream, "n": n},
                    publish_to=(topic, stream))


async def relay_until_empty(relay: OutboxRelay) -> int:
    total = 0
    while sent := await relay.publish_pending():
        total += sent
    return total


@contextlib.asynccontextmanager
async def producer_for(infra):
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="test")
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


def per_stream_order(records) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = defaultdict(list)
    for record in records:
        message = decode(record.value, record.headers)
        seen[message.payload["stream"]].append(message.envelope.stream_version)
    return seen


async def test_relay_keeps_per_stream_order_with_concurrent_writers_and_a_late_commit(
    pool, infra, topic,
) -> None:
    store = PostgresEventStore(pool, producer="test")

    async def writer(stream: str, count: int) -> None:
        for n in range(count):
            await store.append(stream, n, [pub(topic, stream, n)], META)

    late = await pool.acquire()
    tx = late.transaction()
    await tx.start()
    await store.append("late", 0, [pub(topic, "late", 0)], META, conn=late)
    await asyncio.gather(*(writer(f"s{i}", 20) for i in range(5)))
    async with producer_for(infra) as producer:
        relay = OutboxRelay(pool, producer, service="test")
        first = await relay_until_empty(relay)
        await tx.commit()  # committed after the relay already passed its position
        await pool.release(late)
        second = await relay_until_empty(relay)
    assert (first, second) == (100, 1)
    records = await read_topic(infra.kafka_bootstrap, topic, 101)
    order = per_stream_order(records)
    assert order["late"] == [1]
    for i in range(5):
        assert order[f"s{i}"] == list(range(1, 21)), "per-stream order broken"
    keys = {r.key for r in records if r.key == b"s0"}
    assert len({r.partition for r in records if r.key == b"s0"}) == 1 and keys


async def test_nothing_is_lost_through_a_broker_outage(pool, infra, topic) -> None:
    if infra.broker is None:
        pytest.skip("needs the embedded broker to stop and start it")
    store = PostgresEventStore(pool, producer="test")
    for n in range(10):
        await store.append(f"a{n}", 0, [pub(topic, f"a{n}", 0)], META)
    infra.broker.stop()
    stop = asyncio.Event()
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="outage")
    try:
        with pytest.raises(Exception):  # noqa: B017 - any connection error will do
            await asyncio.wait_for(producer.start(), 5)
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM outbox") == 10
    finally:
        with contextlib.suppress(Exception):
            await producer.stop()
        infra.broker.start()
    # Tansu keeps topics in memory: after the restart the topic is recreated empty.
    await ensure_topics(infra.kafka_bootstrap, [topic], partitions=3)
    async with producer_for(infra) as producer:
        relay = OutboxRelay(pool, producer, service="test", idle_sleep=0.01)
        runner = asyncio.create_task(relay.run(stop))
        records = await read_topic(infra.kafka_bootstrap, topic, 10)
        stop.set()
        await runner
    assert sorted(r.key for r in records) == sorted(f"a{n}".encode() for n in range(10))
    assert (await relay.measure_backlog())[0] == 0


async def test_a_relay_crash_before_delete_resends_and_loses_nothing(pool, infra, topic) -> None:
    store = PostgresEventStore(pool, producer="test")
    for n in range(5):
        await store.append("s", n, [pub(topic, "s", n)], META)

    class CrashAfterSend:
        """The real producer, but the relay dies right after the broker acked."""

        def __init__(self, real) -> None:
            self.real = real

        async def send(self, *args, **kwargs):
            future = await self.real.send(*args, **kwargs)
            await future
            raise SystemExit("relay killed")

    async with producer_for(infra) as producer:
        with pytest.raises(SystemExit):
            await OutboxRelay(pool, CrashAfterSend(producer), service="test").publish_pending()
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM outbox") == 5
        await relay_until_empty(OutboxRelay(pool, producer, service="test"))
    records = await read_topic(infra.kafka_bootstrap, topic, 6)
    ids = [decode(r.value, r.headers).envelope.event_id for r in records]
    assert len(set(ids)) == 5 and len(ids) == 6  # one duplicate, nothing lost
    assert per_stream_order(records)["s"][1:] == [1, 2, 3, 4, 5]


async def _consume_into_table(pool, schema, infra, topic, name, handler, expected, dlq=None,
                              combine_up_to=0, until=None):
    """Consume until `expected` inbox rows exist and `until()` (if given) is true."""
    await schema("CREATE TABLE IF NOT EXISTS applied (event_id uuid, n int)")
    async with producer_for(infra) as producer:
        consumer = IdempotentConsumer(name=name, pool=pool, handlers={"test.Happened": handler},
                                      dlq_producer=producer, retry_delay=0.01)
        loop = KafkaConsumerLoop(consumer, bootstrap=infra.kafka_bootstrap, topics=[topic],
                                 combine_up_to=combine_up_to)
        stop = asyncio.Event()
        runner = asyncio.create_task(loop.run(stop))
        deadline = asyncio.get_running_loop().time() + 20
        while asyncio.get_running_loop().time() < deadline:
            async with pool.acquire() as conn:
                done = await conn.fetchval("SELECT count(*) FROM processed_messages")
            if done >= expected and (until is None or until()):
                break
            await asyncio.sleep(0.1)
        held = loop.assignment()
        stop.set()
        await runner
    return held


async def apply_n(delivery: Delivery) -> None:
    await delivery.conn.execute("INSERT INTO applied VALUES ($1, $2)",
                                delivery.message.envelope.event_id, delivery.message.payload["n"])


async def test_redelivered_messages_are_applied_once(pool, schema, infra, topic) -> None:
    store = PostgresEventStore(pool, producer="test")
    for n in range(3):
        await store.append(f"r{n}", 0, [pub(topic, f"r{n}", n)], META)
    async with producer_for(infra) as producer:
        relay = OutboxRelay(pool, producer, service="test")
        await relay_until_empty(relay)
        # Simulate the redelivery a crash before the offset commit causes: publish again.
        for n in range(3):
            await store.append(f"r{n}", 1, [pub(topic, f"r{n}", n)], META)
        await relay_until_empty(relay)
    records = await read_topic(infra.kafka_bootstrap, topic, 6)
    async with producer_for(infra) as producer:
        await producer.send_and_wait(topic, records[0].value, key=records[0].key,
                                     headers=list(records[0].headers))
    # The copy adds no inbox row: wait until the consumer has actually met it.
    before = consumed("once", "duplicate")
    await _consume_into_table(pool, schema, infra, topic, "once", apply_n, expected=6,
                              until=lambda: consumed("once", "duplicate") > before)
    assert consumed("once", "duplicate") == before + 1
    copied = decode(records[0].value, records[0].headers).envelope.event_id
    async with pool.acquire() as conn:
        applied = await conn.fetchval("SELECT count(*) FROM applied")
        distinct = await conn.fetchval("SELECT count(DISTINCT event_id) FROM applied")
        once = await conn.fetchval("SELECT count(*) FROM applied WHERE event_id = $1", copied)
    assert applied == distinct == 6 and once == 1


def consumed(consumer: str, outcome: str) -> float:
    return REGISTRY.get_sample_value(
        "goodfaith_consumed_total", {"consumer": consumer, "outcome": outcome}) or 0.0


async def test_a_poison_message_goes_to_the_dead_letter_topic_and_the_partition_moves_on(
    pool, schema, infra,
) -> None:
    topic = f"dlq-src-{pool._working_params.database if hasattr(pool, '_working_params') else ''}"
    topic = "test.single." + str(id(pool))
    await ensure_topics(infra.kafka_bootstrap, [topic, dlq_topic("dlqtest")], partitions=1)
    store = PostgresEventStore(pool, producer="test")
    for n in range(4):
        await store.append(f"p{n}", 0, [pub(topic, "same-key", n)], META)
    async with producer_for(infra) as producer:
        await producer.send_and_wait(topic, b"{not json", key=b"same-key",
                                     headers=[("ce_specversion", b"1.0")])
        await relay_until_empty(OutboxRelay(pool, producer, service="test"))

    async def fail_on_two(delivery: Delivery) -> None:
        if delivery.message.payload["n"] == 2:
            raise ValueError("cannot apply n=2")
        await apply_n(delivery)

    await _consume_into_table(pool, schema, infra, topic, "dlqtest", fail_on_two, expected=5)
    async with pool.acquire() as conn:
        applied = sorted(r["n"] for r in await conn.fetch("SELECT n FROM applied"))
        dead = await conn.fetch("SELECT reason, attempts FROM dead_letters ORDER BY id")
    assert applied == [0, 1, 3]
    reasons = [r["reason"] for r in dead]
    assert any("undecodable" in r or "CodecError" in r for r in reasons)
    assert any("cannot apply n=2" in r for r in reasons)
    assert [r["attempts"] for r in dead if "n=2" in r["reason"]] == [3]
    dlq = await read_topic(infra.kafka_bootstrap, dlq_topic("dlqtest"), 2)
    assert len(dlq) == 2
    assert any(dict(r.headers)["dlq_reason"].startswith(b"ValueError") for r in dlq)


async def test_a_dead_letter_with_null_and_nul_headers_is_stored_without_its_input(
        pool, schema, infra) -> None:
    """Kafka allows a null header value; PostgreSQL refuses NUL in text and jsonb. Either
    failing the dead_letters insert would roll the batch back and retry it forever. The
    reason names what is invalid, never the rejected (personal) value."""
    topic = "test.nullheaders." + new_id().hex[:12]
    await ensure_topics(infra.kafka_bootstrap, [topic, dlq_topic("nullhdr")], partitions=1)
    envelope = Envelope(type="test.Happened", schema_version=1, stream_id="person-1",
                        stream_version=1, occurred_at=datetime.now(UTC), tenant="acme",
                        producer="elsewhere")
    bad = encode(EventMessage(envelope=envelope, payload={"stream": "x", "n": "Jane Roe"}),
                 partition_key="same-key")
    store = PostgresEventStore(pool, producer="test")
    await store.append("after", 0, [pub(topic, "same-key", 7)], META)
    async with producer_for(infra) as producer:
        await producer.send_and_wait(
            topic, bad.value, key=bad.key,
            headers=[*bad.headers, ("x-null", None), ("x-nul", b"a\x00b")])
        await relay_until_empty(OutboxRelay(pool, producer, service="test"))
    await _consume_into_table(pool, schema, infra, topic, "nullhdr", apply_n, expected=2)
    async with pool.acquire() as conn:
        applied = [r["n"] for r in await conn.fetch("SELECT n FROM applied")]
        dead = await conn.fetch("SELECT reason, headers, event_id FROM dead_letters")
    assert applied == [7]  # the partition moved on past the dead letter
    assert len(dead) == 1
    reason, headers = dead[0]["reason"], dead[0]["headers"]
    assert "Jane" not in reason and "int_parsing" in reason and "n: " in reason
    assert headers["x-null"] is None and headers["x-nul"] == "a\ufffdb"
    assert dead[0]["event_id"] == str(envelope.event_id)
    dlq = await read_topic(infra.kafka_bootstrap, dlq_topic("nullhdr"), 2, within=3)
    assert len(dlq) == 1  # sent once, not once per retry
    assert b"Jane" not in dict(dlq[0].headers)["dlq_reason"]


async def test_an_idle_relay_is_woken_by_the_commit_not_by_its_poll(pool, infra, topic) -> None:
    store = PostgresEventStore(pool, producer="test")
    async with producer_for(infra) as producer:
        # A 60 s fallback poll: only the commit's notification can wake the relay in time.
        relay = OutboxRelay(pool, producer, service="test", idle_sleep=60)
        stop = asyncio.Event()
        runner = asyncio.create_task(relay.run(stop))
        await asyncio.sleep(0.5)  # the relay is now idle, waiting
        await store.append("woken", 0, [pub(topic, "woken", 0)], META)
        records = await read_topic(infra.kafka_bootstrap, topic, 1, within=10)
        stop.set()
        await asyncio.wait_for(runner, 10)
    assert [r.key for r in records] == [b"woken"]


class _CommitDuringARound(OutboxRelay):
    """A relay whose first round that publishes `during` rows sees a commit land (and notify)
    while it runs."""

    def __init__(self, store: PostgresEventStore, topic: str, during: int, *args,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.store, self.topic, self.during, self.raced = store, topic, during, False

    async def _round(self, conn, acked):
        published = await super()._round(conn, acked)
        if len(published) == self.during and not self.raced:
            self.raced = True
            await self.store.append("raced", 0, [pub(self.topic, "raced", 0)], META)
            await asyncio.sleep(0.2)  # the notification arrives before the round ends
        return published


@pytest.mark.parametrize("during", [0, 1], ids=["empty round", "round that published"])
async def test_a_commit_notified_during_a_round_is_not_lost(pool, infra, topic, during) -> None:
    store = PostgresEventStore(pool, producer="test")
    if during:
        await store.append("first", 0, [pub(topic, "first", 0)], META)
    async with producer_for(infra) as producer:
        relay = _CommitDuringARound(store, topic, during, pool, producer, service="test",
                                    idle_sleep=60)
        stop = asyncio.Event()
        runner = asyncio.create_task(relay.run(stop))
        records = await read_topic(infra.kafka_bootstrap, topic, 1 + during, within=10)
        stop.set()
        await asyncio.wait_for(runner, 10)
    assert relay.raced
    assert [r.key for r in records] == [b"first"] * during + [b"raced"]


class _CountingRounds(OutboxRelay):
    rounds = 0

    async def _round(self, conn, acked):
        self.rounds += 1
        return await super()._round(conn, acked)


async def test_a_running_relay_spends_one_statement_per_round_and_no_empty_round(
        pool, infra, topic) -> None:
    """Each round deletes what the previous one published in the statement that reads the
    next batch; a round that found less than a batch waits for the next commit instead of
    reading the outbox again to see that it is empty; stopping deletes what is left."""
    store = PostgresEventStore(pool, producer="test")

    async def outbox() -> list[str]:
        return [r["stream_id"] for r in await pool.fetch(
            "SELECT e.stream_id FROM outbox o JOIN events e USING (event_id) ORDER BY 1")]

    async with producer_for(infra) as producer:
        relay = _CountingRounds(pool, producer, service="test", idle_sleep=60)
        stop = asyncio.Event()
        runner = asyncio.create_task(relay.run(stop))
        await asyncio.sleep(0.5)
        assert relay.rounds == 1  # the first round found nothing and waits
        await store.append("one", 0, [pub(topic, "one", 0)], META)
        assert [r.key for r in await read_topic(infra.kafka_bootstrap, topic, 1)] == [b"one"]
        await asyncio.sleep(0.3)
        assert relay.rounds == 2  # published, then no empty round to confirm it
        assert await outbox() == ["one"]  # acked; the next round's statement deletes it
        acked = await pool.fetchval("SELECT position FROM outbox")
        assert (await relay.measure_backlog([acked]))[0] == 0  # published: not backlog
        await store.append("two", 0, [pub(topic, "two", 0)], META)
        assert len(await read_topic(infra.kafka_bootstrap, topic, 2)) == 2
        await asyncio.sleep(0.3)
        assert relay.rounds == 3
        assert await outbox() == ["two"]
        stop.set()
        await asyncio.wait_for(runner, 10)
    assert await outbox() == []


async def test_a_relay_whose_leader_connection_dies_is_elected_again_and_publishes(
        pool, infra, topic) -> None:
    store = PostgresEventStore(pool, producer="test")
    async with producer_for(infra) as producer:
        relay = OutboxRelay(pool, producer, service="test", idle_sleep=60)
        stop = asyncio.Event()
        runner = asyncio.create_task(relay.run(stop))
        leader = None
        for _ in range(50):
            leader = await pool.fetchval(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1",
                0x0B0C5E1A)
            if leader:
                break
            await asyncio.sleep(0.1)
        assert leader, "the relay never took the leader lock"
        # The database drops the leader's session: its lock and LISTEN go with it.
        assert await pool.fetchval("SELECT pg_terminate_backend($1)", leader)
        await asyncio.sleep(0.3)
        await store.append("after-loss", 0, [pub(topic, "after-loss", 0)], META)
        records = await read_topic(infra.kafka_bootstrap, topic, 1, within=15)
        new_leader = await pool.fetchval(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1", 0x0B0C5E1A)
        stop.set()
        await asyncio.wait_for(runner, 10)
    assert [r.key for r in records] == [b"after-loss"]
    assert new_leader and new_leader != leader


@pytest.mark.parametrize("combine_up_to", [0, 16], ids=["side-by-side", "one-transaction"])
async def test_a_fetch_over_several_partitions_is_applied_and_its_offsets_committed(
        pool, schema, infra, topic, combine_up_to) -> None:
    store = PostgresEventStore(pool, producer="test")
    for n in range(9):
        await store.append(f"k{n}", 0, [pub(topic, f"k{n}", n)], META)
    async with producer_for(infra) as producer:
        await relay_until_empty(OutboxRelay(pool, producer, service="test"))
    held = await _consume_into_table(pool, schema, infra, topic, "fetch", apply_n, expected=9,
                                     combine_up_to=combine_up_to)
    assert {(tp.topic, tp.partition) for tp in held} == {(topic, p) for p in range(3)}
    async with pool.acquire() as conn:
        applied = sorted(r["n"] for r in await conn.fetch("SELECT n FROM applied"))
        last = {r["partition"]: r["next"] for r in await conn.fetch(
            "SELECT partition, max(\"offset\") + 1 AS next FROM processed_messages "
            "WHERE consumer = 'fetch' GROUP BY partition")}
    assert applied == list(range(9)) and len(last) > 1
    # Every partition's offset reached Kafka after the database commit: a restart of the
    # group would start past all nine records.
    probe = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap, group_id="fetch",
                             enable_auto_commit=False)
    await probe.start()
    try:
        committed = {p: await probe.committed(TopicPartition(topic, p)) for p in last}
    finally:
        await probe.stop()
    assert committed == last


async def test_a_relay_started_before_its_database_exists_waits_and_then_publishes(
        infra, topic) -> None:
    # The database is not there yet (as while PostgreSQL restarts): the relay keeps trying
    # rather than ending the service's Kafka side.
    name = f"late_{new_id().hex[:16]}"
    dsn = infra.dsn(name)
    late_pool = await create_pool(dsn, min_size=0, max_size=3)
    try:
        async with producer_for(infra) as producer:
            relay = OutboxRelay(late_pool, producer, service="test", idle_sleep=60,
                                max_backoff=1.0)
            stop = asyncio.Event()
            runner = asyncio.create_task(relay.run(stop))
            await asyncio.sleep(1.5)
            assert not runner.done()
            await infra.create_database(name)
            await migrate(late_pool)
            store = PostgresEventStore(late_pool, producer="test")
            await store.append("late", 0, [pub(topic, "late", 0)], META)
            records = await read_topic(infra.kafka_bootstrap, topic, 1, within=15)
            stop.set()
            await asyncio.wait_for(runner, 10)
        assert [r.key for r in records] == [b"late"]
    finally:
        await late_pool.close()
        admin = await asyncpg.connect(infra.admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def test_one_transaction_over_two_partitions_records_each_message_where_it_came_from(
        pool, schema, infra, topic) -> None:
    """What the loop does with a small fetch: one transaction over records of several
    partitions. Each inbox row names its own partition and offset; redelivered, they are
    duplicates, and a message that fails is dead-lettered while the rest are recognised."""
    store = PostgresEventStore(pool, producer="test")
    for n in range(8):
        await store.append(f"two{n}", 0, [pub(topic, f"two{n}", n)], META)
    async with producer_for(infra) as producer:
        await relay_until_empty(OutboxRelay(pool, producer, service="test"))
    records = await read_topic(infra.kafka_bootstrap, topic, 8)
    by_partition: dict[int, list] = defaultdict(list)
    for record in records:
        by_partition[record.partition].append(record)
    two = sorted(by_partition)[:2]
    assert len(two) == 2, "the eight keys should span at least two of the three partitions"
    together = [r for p in two for r in by_partition[p]]
    good, bad = together[:-1], together[-1]
    bad_n = decode(bad.value, bad.headers).payload["n"]
    await schema("CREATE TABLE applied (event_id uuid, n int, txid bigint)")

    async def apply_unless_bad(delivery: Delivery) -> None:
        if delivery.message.payload["n"] == bad_n:
            raise ValueError("cannot apply this one")
        await delivery.conn.execute(
            "INSERT INTO applied VALUES ($1, $2, txid_current())",
            delivery.message.envelope.event_id, delivery.message.payload["n"])

    async def inbox() -> dict[tuple[int, int], str]:
        async with pool.acquire() as conn:
            return {(r["partition"], r["offset"]): r["outcome"] for r in await conn.fetch(
                "SELECT partition, \"offset\", outcome FROM processed_messages "
                "WHERE consumer = 'together'")}

    async with producer_for(infra) as producer:
        consumer = IdempotentConsumer(name="together", pool=pool,
                                      handlers={"test.Happened": apply_unless_bad},
                                      dlq_producer=producer, retry_delay=0.01)
        await consumer.process(good)
        assert await inbox() == {(r.partition, r.offset): "applied" for r in good}
        await consumer.process(together)  # redelivered, and the bad one with them
    async with pool.acquire() as conn:
        applied = await conn.fetch("SELECT n, txid FROM applied")
        dead = await conn.fetchval("SELECT count(*) FROM dead_letters WHERE consumer = 'together'")
    assert sorted(r["n"] for r in applied) == sorted(
        decode(r.value, r.headers).payload["n"] for r in good)
    assert len({r["txid"] for r in applied}) == 1  # one transaction for both partitions
    assert (await inbox())[(bad.partition, bad.offset)] == "dead_lettered"
    assert dead == 1
