"""Dead letters on the real PostgreSQL and broker: a message dead-lettered while its handler was
broken is requeued once the handler is fixed and applied exactly once; another is discarded with
a reason. Either way the stored body is purged and its SHA-256 kept. A service's consumer stores
the body sealed under a key derived from its KEK, bound to the row: not in clear, refused
without the key or under another one, never opened in another row; a row stored in clear before
sealing existed still requeues."""

import asyncio
import base64
import contextlib
import hashlib
import os

import asyncpg
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from goodfaith_events.ids import new_id
from goodfaith_runtime.cli import app
from goodfaith_runtime.consumer import (
    Delivery,
    IdempotentConsumer,
    KafkaConsumerLoop,
    dlq_topic,
    raw_headers,
)
from goodfaith_runtime.db import create_pool, migrate, runtime_migrations
from goodfaith_runtime.deadletters import (
    BodySealer,
    DeadLetterError,
    SealedBodyError,
    _associated_data,
    discard,
    open_dead_letters,
    requeue,
)
from goodfaith_runtime.eventstore import Metadata, NewEvent, PostgresEventStore
from goodfaith_runtime.kafka import ensure_topics, make_producer
from goodfaith_runtime.outbox import OutboxRelay
from goodfaith_runtime.service import ConsumerSpec, ServiceRuntime
from goodfaith_runtime.settings import ServiceSettings
from goodfaith_runtime.testing import read_topic

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
async def consuming(pool, infra, topic: str, name: str, handler: Handler,
                    sealer: BodySealer | None = None):
    """The consumer running in the background, and `until(check)` to wait on it."""
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="test")
    await producer.start()
    consumer = IdempotentConsumer(name=name, pool=pool, handlers={"test.Happened": handler},
                                  dlq_producer=producer, retry_delay=0.01, sealer=sealer)
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


async def publish_three(pool, infra, topic: str, name: str, producer, **payload) -> None:
    """Three test.Happened events (n = 1, 2, 3, plus `payload`) published to `topic` under one
    key, the consumer's dead-letter topic created."""
    await ensure_topics(infra.kafka_bootstrap, [topic, dlq_topic(name)], partitions=1)
    store = PostgresEventStore(pool, producer="test")
    for n in (1, 2, 3):
        await store.append(f"s{n}", 0, [NewEvent(type="test.Happened", payload={"n": n, **payload},
                                                  publish_to=(topic, "same-key"))], META)
    relay = OutboxRelay(pool, producer, service="test")
    while await relay.publish_pending():
        pass


class Progress:
    """What the tests wait for: the consumer has seen all three, and the requeued one applied."""

    def __init__(self, pool, name: str) -> None:
        self.pool, self.name = pool, name

    async def three_processed(self) -> bool:
        return await self.pool.fetchval("SELECT count(*) FROM processed_messages "
                                        "WHERE consumer = $1", self.name) == 3

    def applied(self, event_id: str):
        async def check() -> bool:
            return await self.pool.fetchval(
                "SELECT outcome FROM processed_messages WHERE consumer = $1 "
                "AND event_id = $2::uuid", self.name, event_id) == "applied"
        return check


async def test_a_dead_letter_is_requeued_after_the_fix_applied_once_and_its_body_purged(
        pool, schema, infra, database) -> None:
    await schema("CREATE TABLE applied (event_id uuid, n int)")
    topic, name = f"test.dl.{new_id().hex[:12]}", f"dl{new_id().hex[:8]}"
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="test")
    await producer.start()
    try:
        await publish_three(pool, infra, topic, name, producer)
        handler, progress = Handler(), Progress(pool, name)
        async with consuming(pool, infra, topic, name, handler) as until:
            await until(progress.three_processed)
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
            await until(progress.applied(letter.event_id))
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


PERSONAL = "Jane Roe, 12 Main Street"


async def test_a_sealed_dead_letter_is_not_in_clear_needs_its_key_and_requeues_byte_identical(
        pool, schema, infra, database) -> None:
    await schema("CREATE TABLE applied (event_id uuid, n int)")
    topic, name = f"test.dls.{new_id().hex[:12]}", f"dls{new_id().hex[:8]}"
    kek = os.urandom(32)
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="test")
    await producer.start()
    try:
        await publish_three(pool, infra, topic, name, producer, stream=PERSONAL)
        await _sealed_round_trip(pool, infra, database, producer, topic, name, kek)
    finally:
        await producer.stop()


async def _sealed_round_trip(pool, infra, database, producer, topic: str, name: str,
                             kek: bytes) -> None:
    sealer = BodySealer(kek)
    original = (await read_topic(infra.kafka_bootstrap, topic, 3))[1]
    assert b'"n":2' in original.value.replace(b" ", b"") and PERSONAL.encode() in original.value
    handler, progress = Handler(), Progress(pool, name)

    async def still_open() -> asyncpg.Record:
        row = await pool.fetchrow(
            "SELECT body, resolution, resolved_at FROM dead_letters WHERE id = $1", letter.id)
        inbox = await pool.fetchval(
            "SELECT outcome FROM processed_messages WHERE consumer = $1 "
            "AND event_id = $2::uuid", name, letter.event_id)
        assert (row["resolution"], row["resolved_at"], inbox) == (None, None, "dead_lettered")
        return row

    def cli(*args: str, env: dict[str, str | None]):
        return runner.invoke(app, ["dead-letters", "requeue", str(letter.id), "--by", "ops",
                                   "--database-url", database.runtime_dsn,
                                   "--kafka-bootstrap", infra.kafka_bootstrap, *args], env=env)

    async with consuming(pool, infra, topic, name, handler, sealer=sealer) as until:
        await until(progress.three_processed)
        async with pool.acquire() as conn:
            (letter,) = await open_dead_letters(conn, consumer=name)
        stored = await pool.fetchrow(
            "SELECT body, body_sealed, body_sha256, partition, \"offset\" FROM dead_letters "
            "WHERE id = $1", letter.id)
        body = bytes(stored["body"])
        # Not in clear: neither the message nor its personal field is in the stored body.
        assert stored["body_sealed"] is True
        assert original.value not in body and PERSONAL.encode() not in body
        assert bytes(stored["body_sha256"]) == hashlib.sha256(original.value).digest()
        assert (stored["partition"], stored["offset"]) == (original.partition, original.offset)
        assert sealer.open(body, consumer=name, topic=topic, partition=original.partition,
                           offset=original.offset) == original.value

        # Without the key, or with another service's, the requeue is refused, nothing changes.
        with pytest.raises(DeadLetterError, match="sealed under the service's key-encryption"):
            await requeue(pool, producer, letter.id, by="ops")
        assert bytes((await still_open())["body"]) == body
        with pytest.raises(SealedBodyError, match="does not open"):
            await requeue(pool, producer, letter.id, by="ops", sealer=BodySealer(os.urandom(32)))
        assert bytes((await still_open())["body"]) == body
        refused = await asyncio.to_thread(cli, env={"GOODFAITH_PII_KEK": None})
        assert refused.exit_code == 1 and "GOODFAITH_PII_KEK" in refused.output
        assert bytes((await still_open())["body"]) == body

        # With the service's KEK, as the command reads it, the message goes back as received.
        handler.broken = False
        done = await asyncio.to_thread(
            cli, "--note", "fixed n=2", env={"GOODFAITH_PII_KEK": base64.b64encode(kek).decode()})
        assert done.exit_code == 0, done.output
        await until(progress.applied(letter.event_id))
    assert sorted(r["n"] for r in await pool.fetch("SELECT n FROM applied")) == [1, 2, 3]
    records = await read_topic(infra.kafka_bootstrap, topic, 4)
    assert len(records) == 4
    requeued = records[3]
    assert requeued.value == original.value  # byte for byte
    assert (requeued.key, list(requeued.headers)) == (original.key, list(original.headers))
    after = await pool.fetchrow("SELECT body, body_sha256, resolution, resolved_by, note "
                                "FROM dead_letters WHERE id = $1", letter.id)
    assert after["body"] is None and after["body_sha256"] == stored["body_sha256"]
    assert (after["resolution"], after["resolved_by"], after["note"]) == (
        "requeued", "ops", "fixed n=2")


ROW = {"consumer": "ledger-payments", "topic": "payments.facts", "partition": 1, "offset": 42}


def test_a_sealed_body_opens_only_under_its_own_key_and_row() -> None:
    kek = os.urandom(32)
    body = b'{"name": "Jane Roe"}'
    sealed = BodySealer(kek).seal(body, **ROW)
    assert body not in sealed
    assert BodySealer(kek).open(sealed, **ROW) == body
    assert BodySealer(kek).seal(body, **ROW) != sealed  # a fresh nonce every time
    assert BodySealer(kek).open(BodySealer(kek).seal(b"", **ROW), **ROW) == b""
    # Another row's associated data: a body moved to another consumer, topic, partition or
    # offset does not open there.
    for moved in ({"consumer": "ledger-other"}, {"topic": "payments.other"}, {"partition": 2},
                  {"offset": 43}, {"consumer": "ledger", "topic": "-payments.payments.facts"}):
        with pytest.raises(SealedBodyError, match="does not open"):
            BodySealer(kek).open(sealed, **{**ROW, **moved})
    # Another KEK; a damaged or cut body.
    with pytest.raises(SealedBodyError):
        BodySealer(os.urandom(32)).open(sealed, **ROW)
    damaged = bytearray(sealed)
    damaged[20] ^= 1
    for broken in (bytes(damaged), sealed[:-1], sealed[:5], b""):
        with pytest.raises(SealedBodyError):
            BodySealer(kek).open(broken, **ROW)
    # The body key is derived from the KEK, not the KEK itself.
    with pytest.raises(InvalidTag):
        AESGCM(kek).decrypt(sealed[:12], sealed[12:], _associated_data(**ROW))
    assert BodySealer.from_kek(base64.b64encode(kek).decode()).open(sealed, **ROW) == body


async def test_a_sealed_body_copied_into_another_row_is_refused_there(pool, infra) -> None:
    topic = f"test.dlm.{new_id().hex[:12]}"
    await ensure_topics(infra.kafka_bootstrap, [topic], partitions=1)
    sealer, body = BodySealer(os.urandom(32)), b'{"name": "Jane Roe"}'

    async def dead_letter(offset: int, stored: bytes) -> int:
        return int(await pool.fetchval(
            "INSERT INTO dead_letters (consumer, topic, partition, \"offset\", reason, "
            "attempts, headers, body, dead_at, key, raw_headers, body_sha256, body_sealed) "
            "VALUES ('c', $1, 0, $2, 'ValueError: no', 3, '{}', $3, now(), 'k', '[]', $4, true) "
            "RETURNING id", topic, offset, stored, hashlib.sha256(body).digest()))

    sealed = sealer.seal(body, consumer="c", topic=topic, partition=0, offset=7)
    own, moved = await dead_letter(7, sealed), await dead_letter(8, sealed)
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="test")
    await producer.start()
    try:
        with pytest.raises(SealedBodyError, match=f"dead letter {moved}: .*does not open"):
            await requeue(pool, producer, moved, by="ops", sealer=sealer)
        resolved = await requeue(pool, producer, own, by="ops", sealer=sealer)
    finally:
        await producer.stop()
    assert resolved.resolution == "requeued"
    row = await pool.fetchrow("SELECT body, resolution, resolved_at FROM dead_letters "
                              "WHERE id = $1", moved)
    assert (bytes(row["body"]), row["resolution"], row["resolved_at"]) == (sealed, None, None)
    (sent,) = await read_topic(infra.kafka_bootstrap, topic, 1)
    assert sent.value == body


async def test_a_dead_letter_stored_in_clear_before_sealing_still_requeues(
        database, infra) -> None:
    """A database migrated up to 006, a dead letter stored in clear; then 007 and 008 are
    applied (and are idempotent), and the row, unsealed and without a subject, requeues as it
    was."""
    topic = f"test.dlo.{new_id().hex[:12]}"
    await ensure_topics(infra.kafka_bootstrap, [topic], partitions=1)
    body, headers = b'{"name": "Pat"}', [("ce_id", b"not-a-uuid"), ("x-null", None)]
    before = [(n, sql) for n, sql in runtime_migrations()
              if n <= "runtime/006_dead_letter_resolution.sql"]
    assert [n for n, _ in before][-1] == "runtime/006_dead_letter_resolution.sql"
    owner = await create_pool(database.owner_dsn, max_size=1)
    try:
        async with owner.acquire() as conn, conn.transaction():
            await conn.execute("CREATE TABLE schema_migrations "
                               "(name text PRIMARY KEY, applied_at timestamptz NOT NULL "
                               "DEFAULT now())")
            for name, sql in before:
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
            old = await conn.fetchval(
                "INSERT INTO dead_letters (consumer, topic, partition, \"offset\", reason, "
                "attempts, headers, body, dead_at, key, raw_headers, body_sha256) VALUES "
                "('c', $1, 0, 3, 'ValueError: no', 3, '{}', $2, now(), 'k', $3, $4) "
                "RETURNING id", topic, body, raw_headers(headers), hashlib.sha256(body).digest())
        assert await migrate(owner, runtime_role=database.runtime_role) == [
            "runtime/007_dead_letter_sealed.sql", "runtime/008_dead_letter_subject.sql",
            "runtime/009_idempotency_subject.sql"]
        for _, sql in [m for m in runtime_migrations() if m[0] > before[-1][0]]:
            await owner.execute(sql)  # again: no error
        assert tuple(await owner.fetchrow("SELECT body_sealed, subject FROM dead_letters "
                                          "WHERE id = $1", old)) == (False, None)
    finally:
        await owner.close()
    pool = await create_pool(database.runtime_dsn, max_size=2)
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="test")
    await producer.start()
    try:
        # No key needed for a row in clear; one given changes nothing.
        resolved = await requeue(pool, producer, old, by="ops", sealer=BodySealer(os.urandom(32)))
    finally:
        await producer.stop()
        await pool.close()
    assert resolved.resolution == "requeued"
    (sent,) = await read_topic(infra.kafka_bootstrap, topic, 1)
    assert (sent.value, sent.key, list(sent.headers)) == (body, b"k", headers)


async def test_a_service_seals_its_consumers_dead_letters_under_its_kek(database, infra) -> None:
    """The runtime a service runs: its consumer stores a dead letter sealed under a key derived
    from GOODFAITH_PII_KEK (pii_kek), which the operator's command can open."""
    topic, name = f"test.dlsvc.{new_id().hex[:12]}", f"dlsvc{new_id().hex[:8]}"
    kek = base64.b64encode(os.urandom(32)).decode()

    async def broken(delivery: Delivery) -> None:
        raise ValueError("never applies")

    settings = ServiceSettings(**database.settings(), kafka_bootstrap=infra.kafka_bootstrap,
                               pii_kek=kek, kafka_partitions=1, freeze_heap=False)
    runtime = ServiceRuntime(service="dl-svc", settings=settings, consumers=[
        ConsumerSpec(name=name, topics=[topic], handlers={"test.Happened": broken})])
    await runtime.start()
    try:
        await ensure_topics(infra.kafka_bootstrap, [topic, dlq_topic(name)], partitions=1)
        await runtime.store.append("svc", 0, [NewEvent(
            type="test.Happened", payload={"n": 1, "stream": PERSONAL},
            publish_to=(topic, "svc"))], META)
        for _ in range(300):
            row = await runtime.pool.fetchrow(
                "SELECT body, body_sealed, body_sha256, topic, partition, \"offset\" "
                "FROM dead_letters WHERE consumer = $1", name)
            if row is not None:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the service's consumer never dead-lettered the message")
    finally:
        await runtime.stop()
    assert row["body_sealed"] is True and PERSONAL.encode() not in bytes(row["body"])
    opened = BodySealer.from_kek(kek).open(
        bytes(row["body"]), consumer=name, topic=row["topic"], partition=row["partition"],
        offset=row["offset"])
    assert PERSONAL.encode() in opened
    assert bytes(row["body_sha256"]) == hashlib.sha256(opened).digest()
