"""Resolving dead letters on the real PostgreSQL and broker: a message dead-lettered while its
handler was broken is requeued once the handler is fixed and applied exactly once; another is
discarded with a reason. Either way the stored body (personal data in clear) is purged and its
SHA-256 kept."""

import asyncio
import contextlib
import hashlib

import asyncpg
import pytest
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from goodfaith_events.ids import new_id
from goodfaith_runtime.cli import app
from goodfaith_runtime.consumer import Delivery, IdempotentConsumer, KafkaConsumerLoop, dlq_topic
from goodfaith_runtime.deadletters import DeadLetterError, discard, open_dead_letters, requeue
from goodfaith_runtime.eventstore import Metadata, NewEvent, PostgresEventStore
from goodfaith_runtime.kafka import ensure_topics, make_producer
from goodfaith_runtime.outbox import OutboxRelay

pytestmark = pytest.mark.integration
META = Metadata(tenant="acme", producer="test")
runner = CliRunner()


class Handler:
    """Applies test.Happened into `applied`; refuses n=2 while broken."""

    def __init__(self) -> None:
        self.broken = True

    async def __call__(self, delivery: Delivery) -> None:
        n = delivery.message.payload["n"]
        if self.broken and n == 2:
            raise ValueError("cannot apply n=2 yet")
        await delivery.conn.execute("INSERT INTO applied VALUES ($1, $2)",
                                    delivery.message.envelope.event_id, n)


@contextlib.asynccontextmanager
async def consuming(pool, infra, topic: str, name: str, handler: Handler):
    """The consumer running in the background, and `until(check)` to wait on it."""
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="test")
    await producer.start()
    consumer = IdempotentConsumer(name=name, pool=pool, handlers={"test.Happened": handler},
                                  dlq_producer=producer, retry_delay=0.01)
    loop = KafkaConsumerLoop(consumer, bootstrap=infra.kafka_bootstrap, topics=[topic])
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run(stop))

    async def until(check) -> None:
        for _ in range(300):
            if await check():
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the consumer never got there")

    try:
        yield until
    finally:
        stop.set()
        await task
        await producer.stop()


@contextlib.asynccontextmanager
async def relaying(pool, infra, service: str, measure_every: float = 1.0):
    """The outbox relay of `service` running in the background, measuring every
    `measure_every` seconds."""
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id=service)
    await producer.start()
    relay = OutboxRelay(pool, producer, service=service, idle_sleep=0.05)
    relay._measure_every = measure_every
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        yield
    finally:
        stop.set()
        await task
        await producer.stop()


async def test_a_dead_letter_is_requeued_after_the_fix_applied_once_and_its_body_purged(
        pool, schema, infra, database) -> None:
    await schema("CREATE TABLE applied (event_id uuid, n int)")
    topic, name = f"test.dl.{new_id().hex[:12]}", f"dl{new_id().hex[:8]}"
    await ensure_topics(infra.kafka_bootstrap, [topic, dlq_topic(name)], partitions=1)
    store = PostgresEventStore(pool, producer="test")
    for n in (1, 2, 3):
        await store.append(f"s{n}", 0, [NewEvent(type="test.Happened", payload={"n": n},
                                                  publish_to=(topic, "same-key"))], META)
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="test")
    await producer.start()
    try:
        relay = OutboxRelay(pool, producer, service="test")
        while await relay.publish_pending():
            pass
        handler = Handler()

        async def three_processed() -> bool:
            return await pool.fetchval("SELECT count(*) FROM processed_messages "
                                       "WHERE consumer = $1", name) == 3

        async def requeued_applied() -> bool:
            return await pool.fetchval(
                "SELECT outcome FROM processed_messages WHERE consumer = $1 "
                "AND event_id = $2::uuid", name, letter.event_id) == "applied"

        async with consuming(pool, infra, topic, name, handler) as until:
            await until(three_processed)
            assert sorted(r["n"] for r in await pool.fetch("SELECT n FROM applied")) == [1, 3]
            async with pool.acquire() as conn:
                (letter,) = await open_dead_letters(conn, consumer=name)
            stored = await pool.fetchrow("SELECT body, key, body_sha256 FROM dead_letters "
                                         "WHERE id = $1", letter.id)
            assert stored["key"] == b"same-key"
            assert bytes(stored["body_sha256"]) == hashlib.sha256(stored["body"]).digest()
            assert "cannot apply n=2 yet" in letter.reason
            assert letter.event_type == "test.Happened"

            handler.broken = False
            resolved = await requeue(pool, producer, letter.id, by="ops@acme", note="fixed n=2")
            assert (resolved.resolution, resolved.resolved_by) == ("requeued", "ops@acme")
            with pytest.raises(DeadLetterError, match="already requeued"):
                await requeue(pool, producer, letter.id, by="ops@acme")
            await until(requeued_applied)
    finally:
        await producer.stop()
    assert sorted(r["n"] for r in await pool.fetch("SELECT n FROM applied")) == [1, 2, 3]
    after = await pool.fetchrow("SELECT body, body_sha256, resolved_at FROM dead_letters "
                                "WHERE id = $1", letter.id)
    assert after["body"] is None and after["body_sha256"] == stored["body_sha256"]
    async with pool.acquire() as conn:
        assert await open_dead_letters(conn, consumer=name) == []

    def cli(*args: str):
        return runner.invoke(app, ["dead-letters", *args, "--database-url", database.runtime_dsn])

    # Discarding through the command: who and why are required, the body goes.
    await pool.execute(
        "INSERT INTO dead_letters (consumer, topic, partition, \"offset\", reason, attempts, "
        "headers, body, dead_at) VALUES ($1, $2, 0, 9, 'CodecError: undecodable', 1, '{}', "
        "'{\"name\": \"Pat\"}', now())", name, topic)
    listed = await asyncio.to_thread(cli, "list", "--consumer", name)
    assert listed.exit_code == 0 and "undecodable" in listed.output and "Pat" not in listed.output
    other = int(await pool.fetchval("SELECT max(id) FROM dead_letters"))
    refused = await asyncio.to_thread(cli, "discard", str(other), "--by", "ops", "--note", " ")
    assert refused.exit_code == 1 and "say why" in refused.output
    done = await asyncio.to_thread(cli, "discard", str(other), "--by", "ops",
                                   "--note", "a test message")
    assert done.exit_code == 0, done.output
    row = await pool.fetchrow("SELECT body, resolution, note FROM dead_letters WHERE id = $1",
                              other)
    assert (row["body"], row["resolution"], row["note"]) == (None, "discarded", "a test message")
    again = await asyncio.to_thread(cli, "discard", str(other), "--by", "ops", "--note", "x")
    assert again.exit_code == 1 and "already discarded" in again.output


def open_gauges(service: str) -> tuple[float | None, float | None]:
    labels = {"service": service}
    return (REGISTRY.get_sample_value("goodfaith_dead_letters_open", labels),
            REGISTRY.get_sample_value("goodfaith_dead_letters_oldest_open_seconds", labels))


async def test_the_running_relay_gauges_the_dead_letters_waiting_for_an_operator(
        pool, infra) -> None:
    async def dead_letter(age_seconds: int) -> int:
        return int(await pool.fetchval(
            "INSERT INTO dead_letters (consumer, topic, partition, \"offset\", reason, attempts, "
            "headers, body, dead_at) VALUES ('c', 't', 0, 1, 'ValueError: no', 3, '{}', 'x', "
            "now() - make_interval(secs => $1)) RETURNING id", age_seconds))

    older, _newer = await dead_letter(600), await dead_letter(5)
    await pool.execute("INSERT INTO dead_letters (consumer, topic, partition, \"offset\", reason, "
                       "attempts, headers, dead_at, resolution, resolved_by, resolved_at) VALUES "
                       "('c', 't', 0, 2, 'old', 1, '{}', now() - interval '1 day', 'discarded', "
                       "'ops', now())")  # resolved: no longer waiting
    service = f"dl-{new_id().hex[:8]}"

    async def gauged(count: int) -> tuple[float | None, float | None]:
        for _ in range(100):
            gauges = open_gauges(service)
            if gauges[0] == count:
                return gauges
            await asyncio.sleep(0.05)
        raise AssertionError(f"the gauge never showed {count}: {open_gauges(service)}")

    async with relaying(pool, infra, service):
        count, age = await gauged(2)
        assert age is not None and 600 <= age < 660  # the older one's age
        await discard(pool, older, by="ops", note="handled by hand")
        count, age = await gauged(1)
        assert age is not None and 5 <= age < 65  # now the newer one's


async def test_a_failing_dead_letter_gauge_neither_slows_nor_fails_publishing(
        pool, infra, database, topic) -> None:
    # A real failure of the gauge's query: the runtime role may no longer read dead_letters.
    owner = await asyncpg.connect(database.owner_dsn)
    try:
        await owner.execute(f"REVOKE SELECT ON dead_letters FROM {database.runtime_role}")
    finally:
        await owner.close()
    service = f"dl-{new_id().hex[:8]}"
    store = PostgresEventStore(pool, producer="test")
    failures = {"service": service}
    # Every round measures, so every round meets the failure.
    async with relaying(pool, infra, service, measure_every=0.0):
        loop = asyncio.get_running_loop()
        for n in range(5):
            await store.append(f"s-{n}", 0, [NewEvent(type="test.Happened", payload={"n": n},
                                                      publish_to=(topic, f"s-{n}"))], META)
            started = loop.time()
            while await pool.fetchval("SELECT count(*) FROM outbox"):
                assert loop.time() - started < 2.0, "publishing slowed down"
                await asyncio.sleep(0.01)
        assert not REGISTRY.get_sample_value("goodfaith_outbox_failures_total", failures)
        assert open_gauges(service) == (None, None)  # never measured, never made up
    # A leader that stepped down exports nothing any more.
    assert REGISTRY.get_sample_value("goodfaith_outbox_backlog", {"service": service}) is None
