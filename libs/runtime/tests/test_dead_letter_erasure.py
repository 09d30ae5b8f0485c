"""Erasure reaches dead letters, on the real PostgreSQL and broker: the relay names the person
whose personal fields it opened into a message (`goodfaith_data_subject`), a consumer that
dead-letters the message keeps that subject, and erasing the person purges that dead letter's
body (not another person's, not one already resolved), which can then be neither requeued nor
discarded. A message dead-lettered after its subject's erasure is stored purged, and an erasure
that meets a requeue in flight keeps its record."""

import asyncio
import base64
import contextlib
import hashlib
import os
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from goodfaith_events.codec import decode
from goodfaith_events.ids import new_id
from goodfaith_runtime.cli import app
from goodfaith_runtime.clock import ManualClock
from goodfaith_runtime.consumer import Delivery, IdempotentConsumer, KafkaConsumerLoop, dlq_topic
from goodfaith_runtime.deadletters import (
    SUBJECT_HEADER,
    BodySealer,
    DeadLetterError,
    discard,
    open_dead_letters,
    requeue,
)
from goodfaith_runtime.eventstore import Metadata, NewEvent, PostgresEventStore
from goodfaith_runtime.infra import free_port
from goodfaith_runtime.kafka import ensure_topics, make_producer
from goodfaith_runtime.outbox import OutboxRelay
from goodfaith_runtime.pii import PersonKeyring
from goodfaith_runtime.testing import read_topic

pytestmark = pytest.mark.integration
META = Metadata(tenant="acme", producer="test")
PHONE = "+14155550100"
P1, P2 = "acme/p1", "acme/p2"  # keyring ids, tenant-qualified as the services mint them
ERASED_AT = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)
runner = CliRunner()


async def never_applies(delivery: Delivery) -> None:
    # A handler's error text may quote the message, personal data included.
    raise ValueError(f"never applies to {PHONE}")


class Setup:
    """A topic, a consumer name, a keyring on a manual clock and the service's body sealer."""

    def __init__(self, pool, infra, dsn: str | None = None) -> None:
        self.pool, self.infra, self.dsn = pool, infra, dsn
        self.topic, self.name = f"test.dle.{new_id().hex[:12]}", f"dle{new_id().hex[:8]}"
        self.ring = PersonKeyring(os.urandom(32), ManualClock(ERASED_AT))
        self.kek = os.urandom(32)
        self.sealer = BodySealer(self.kek)

    async def publish(self, events: list[tuple[int, str | None]]) -> dict[int, object]:
        """test.Happened events (n, owner of the personal field or None for a plain one) sealed
        in the log and published by the relay; the records as published, by n."""
        await ensure_topics(self.infra.kafka_bootstrap, [self.topic, dlq_topic(self.name)],
                            partitions=1)
        store = PostgresEventStore(self.pool, producer="test")
        for n, owner in events:
            payload: dict[str, object] = {"n": n}
            if owner is not None:
                async with self.pool.acquire() as conn:
                    payload = await self.ring.seal(conn, person_id=owner, tenant="acme",
                                                   payload={"n": n, "stream": PHONE},
                                                   fields=["stream"])
            await store.append(f"s-{new_id().hex}", 0, [NewEvent(
                type="test.Happened", payload=payload, publish_to=(self.topic, owner or "plain"),
                sealed_for=owner)], META)
        async with self.producer() as producer:
            relay = OutboxRelay(self.pool, producer, service="test", keyring=self.ring)
            while await relay.publish_pending():
                pass
        records = await read_topic(self.infra.kafka_bootstrap, self.topic, len(events))
        return {decode(r.value, r.headers).payload["n"]: r for r in records}

    @contextlib.asynccontextmanager
    async def producer(self):
        producer = make_producer(self.infra.kafka_bootstrap, idempotence=False, client_id="test")
        await producer.start()
        try:
            yield producer
        finally:
            await producer.stop()

    async def dead_letter_all(self, count: int) -> dict[int, dict]:
        """Run a consumer whose handler never applies until it dead-lettered `count` messages;
        the dead_letters rows by n."""
        async with self.producer() as producer:
            consumer = IdempotentConsumer(
                name=self.name, pool=self.pool, handlers={"test.Happened": never_applies},
                dlq_producer=producer, retry_delay=0.01, sealer=self.sealer)
            loop = KafkaConsumerLoop(consumer, bootstrap=self.infra.kafka_bootstrap,
                                     topics=[self.topic])
            stop = asyncio.Event()
            task = asyncio.create_task(loop.run(stop))
            try:
                for _ in range(300):
                    if await self.pool.fetchval("SELECT count(*) FROM dead_letters "
                                                "WHERE consumer = $1", self.name) == count:
                        break
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError("the consumer never dead-lettered them all")
            finally:
                stop.set()
                await task
        return await self.rows()

    async def rows(self) -> dict[int, dict]:
        rows = await self.pool.fetch(
            "SELECT d.id, d.subject, d.body, d.body_sha256, d.resolution, d.resolved_by, "
            "d.resolved_at, d.note, d.reason, e.payload FROM dead_letters d "
            "JOIN events e ON e.event_id = d.event_id::uuid WHERE d.consumer = $1", self.name)
        return {r["payload"]["n"]: dict(r) for r in rows}

    def cli_requeue(self, dead_letter_id: int):
        """`goodfaith dead-letters requeue` with the KEK, against a broker that is not there: a
        refusal must come before the command connects to it."""
        kek = base64.b64encode(self.kek).decode()
        return runner.invoke(app, [
            "dead-letters", "requeue", str(dead_letter_id), "--by", "ops",
            "--database-url", self.dsn, "--kafka-bootstrap", f"127.0.0.1:{free_port()}",
        ], env={"GOODFAITH_PII_KEK": kek})


def is_open(row: dict) -> bool:
    return row["body"] is not None and row["resolved_at"] is None


async def test_erasing_a_person_purges_the_dead_letters_about_them_and_no_others(
        pool, infra, database) -> None:
    setup = Setup(pool, infra, database.runtime_dsn)
    published = await setup.publish([(1, P1), (2, P2), (3, P1), (4, None)])
    # The relay names the person whose fields it opened into the message, and no one else.
    assert dict(published[1].headers)[SUBJECT_HEADER] == P1.encode()
    assert PHONE.encode() in published[1].value  # opened: why the subject must be known
    assert dict(published[2].headers)[SUBJECT_HEADER] == P2.encode()
    assert SUBJECT_HEADER not in dict(published[4].headers)

    rows = await setup.dead_letter_all(4)
    assert {n: r["subject"] for n, r in rows.items()} == {1: P1, 2: P2, 3: P1, 4: None}
    assert all(is_open(r) for r in rows.values())
    await discard(pool, rows[3]["id"], by="ops", note="handled by hand")
    before = await setup.rows()

    async with pool.acquire() as conn:
        assert await setup.ring.erase(conn, person_id=P1, tenant="acme")
    after = await setup.rows()
    purged = after[1]
    assert purged["body"] is None and purged["body_sha256"] == before[1]["body_sha256"]
    assert (purged["resolution"], purged["resolved_by"], purged["resolved_at"]) == (
        "erased", "erasure", ERASED_AT)
    assert PHONE in before[1]["reason"]
    assert purged["reason"] == "ValueError: [detail erased with the data subject]"
    # Another person's, one resolved before and one without a subject are as they were.
    assert (after[2], after[3], after[4]) == (before[2], before[3], before[4])
    assert after[3]["resolution"] == "discarded" and after[3]["resolved_by"] == "ops"
    async with pool.acquire() as conn:
        assert {d.id for d in await open_dead_letters(conn, consumer=setup.name)} == {
            rows[2]["id"], rows[4]["id"]}

    # An erased dead letter is refused by a requeue, with the key or not, and by a discard.
    async with setup.producer() as producer:
        with pytest.raises(DeadLetterError, match="erased with its data subject"):
            await requeue(pool, producer, purged["id"], by="ops", sealer=setup.sealer)
    with pytest.raises(DeadLetterError, match="erased with its data subject"):
        await discard(pool, purged["id"], by="ops", note="gone")
    refused = await asyncio.to_thread(setup.cli_requeue, purged["id"])
    assert refused.exit_code == 1 and "erased with its data subject" in refused.output
    assert (await setup.rows())[1] == purged


async def test_a_message_dead_lettered_after_its_subject_was_erased_is_stored_purged(
        pool, infra) -> None:
    setup = Setup(pool, infra)
    published = await setup.publish([(1, P1), (2, P2)])  # before the erasure: opened
    assert PHONE.encode() in published[1].value
    async with pool.acquire() as conn:
        await setup.ring.erase(conn, person_id=P1, tenant="acme")
    rows = await setup.dead_letter_all(2)
    late = rows[1]
    assert (late["subject"], late["body"], late["resolution"], late["resolved_by"]) == (
        P1, None, "erased", "erasure")
    assert bytes(late["body_sha256"]) == hashlib.sha256(published[1].value).digest()
    assert rows[2]["subject"] == P2 and is_open(rows[2])


class ErasingOnSend:
    """The real producer, with the subject erased just as the requeue hands it the message."""

    def __init__(self, producer, erase) -> None:
        self._producer, self._erase = producer, erase

    async def send(self, topic, value, key=None, headers=None):  # type: ignore[no-untyped-def]
        await self._erase()
        return await self._producer.send(topic, value=value, key=key, headers=headers)


async def test_an_erasure_that_meets_a_requeue_in_flight_keeps_its_record(pool, infra) -> None:
    setup = Setup(pool, infra)
    await setup.publish([(1, P1)])
    (row,) = (await setup.dead_letter_all(1)).values()

    async def erase() -> None:
        async with pool.acquire() as conn:
            await setup.ring.erase(conn, person_id=P1, tenant="acme")

    async with setup.producer() as producer:
        resolved = await requeue(pool, ErasingOnSend(producer, erase), row["id"], by="ops",
                                 sealer=setup.sealer)
    # Sent (it was on its way), but the row says it was erased, not that an operator requeued it.
    assert (resolved.resolution, resolved.resolved_by, resolved.resolved_at) == (
        "erased", "erasure", ERASED_AT)
    assert (await setup.rows())[1]["body"] is None
    assert len(await read_topic(infra.kafka_bootstrap, setup.topic, 2)) == 2


async def test_the_requeue_command_refuses_a_sealed_body_without_its_key_before_the_broker(
        pool, database) -> None:
    body = b'{"name": "Jane Roe"}'
    kek = os.urandom(32)
    sealed = BodySealer(kek).seal(body, consumer="c", topic="t", partition=0, offset=7)
    dead_letter_id = await pool.fetchval(
        "INSERT INTO dead_letters (consumer, topic, partition, \"offset\", reason, attempts, "
        "headers, body, dead_at, key, raw_headers, body_sha256, body_sealed) VALUES "
        "('c', 't', 0, 7, 'ValueError: no', 3, '{}', $1, now(), 'k', '[]', $2, true) "
        "RETURNING id", sealed, hashlib.sha256(body).digest())

    def cli(**env: str | None):
        return runner.invoke(app, [
            "dead-letters", "requeue", str(dead_letter_id), "--by", "ops",
            "--database-url", database.runtime_dsn,
            # No broker there: the refusal must come before the command connects to one.
            "--kafka-bootstrap", f"127.0.0.1:{free_port()}"], env=env)

    refused = await asyncio.to_thread(cli, GOODFAITH_PII_KEK=None)
    assert refused.exit_code == 1 and "GOODFAITH_PII_KEK" in refused.output, refused.output
    another = base64.b64encode(os.urandom(32)).decode()
    wrong = await asyncio.to_thread(cli, GOODFAITH_PII_KEK=another)
    assert wrong.exit_code == 1 and "does not open" in wrong.output, wrong.output
    row = await pool.fetchrow("SELECT body, resolution FROM dead_letters WHERE id = $1",
                              dead_letter_id)
    assert (bytes(row["body"]), row["resolution"]) == (sealed, None)
