"""A producer upgraded first (rolling deployment) sends fields its consumers do not know yet:
they ignore them and apply the message, on the fast path and the careful one, and never
dead-letter it. Producers still may not publish such fields. Real PostgreSQL and broker."""

import asyncio
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer
from prometheus_client import REGISTRY as METRICS

from goodfaith_events.codec import encode
from goodfaith_events.contracts.common import Contract, Money
from goodfaith_events.envelope import Envelope, EventMessage
from goodfaith_events.ids import new_id
from goodfaith_events.registry import REGISTRY
from goodfaith_runtime.consumer import (
    Delivery,
    IdempotentConsumer,
    KafkaConsumerLoop,
    dlq_topic,
)
from goodfaith_runtime.eventstore import InvalidEvent, Metadata, NewEvent, PostgresEventStore
from goodfaith_runtime.kafka import ensure_topics, make_producer

pytestmark = pytest.mark.integration
NAME = "test.Placed"


class Placed(Contract):
    n: int
    amount: Money


if not REGISTRY.knows(NAME):
    REGISTRY.register(Placed, name=NAME, version=1, topic="test")


def upgraded(n: int) -> EventMessage:
    """What a producer on a newer version of the contract sends: one field more at the top and
    one more inside the nested Money (optional additions, compatible with the published
    version)."""
    envelope = Envelope(type=NAME, schema_version=1, stream_id=f"s{n}", stream_version=1,
                        occurred_at=datetime.now(UTC), tenant="acme", producer="newer")
    return EventMessage(envelope=envelope, payload={
        "n": n, "note": "Jane Roe", "amount": {"amount_minor": 100 * n, "currency": "USD",
                                               "rounding": "half-even"}})


def unknown_counted(consumer: str) -> float:
    return METRICS.get_sample_value("goodfaith_consumed_unknown_fields_total",
                                    {"consumer": consumer, "contract": NAME}) or 0.0


async def _send(infra, topic: str, values: list[tuple[bytes, bytes, list]]) -> None:
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="test")
    await producer.start()
    try:
        for key, value, headers in values:
            await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()


def _record(message: EventMessage) -> tuple[bytes, bytes, list]:
    record = encode(message, partition_key="same-key")
    return record.key, record.value, list(record.headers)


class Seen:
    """A handler that keeps what it was given (no table of its own: the test's database role
    may not create one); the inbox rows say what was applied."""

    def __init__(self) -> None:
        self.contracts: list[Placed] = []

    async def __call__(self, delivery: Delivery) -> None:
        assert isinstance(delivery.contract, Placed)
        self.contracts.append(delivery.contract)


async def test_a_message_with_unknown_fields_is_applied_not_dead_lettered(pool, infra) -> None:
    topic = f"test.tolerant.{new_id().hex[:12]}"
    name = "tolerant"
    await ensure_topics(infra.kafka_bootstrap, [topic, dlq_topic(name)], partitions=1)
    await _send(infra, topic, [_record(upgraded(n)) for n in (1, 2)])
    seen, before = Seen(), unknown_counted(name)
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="test")
    await producer.start()
    try:
        consumer = IdempotentConsumer(name=name, pool=pool, handlers={NAME: seen},
                                      dlq_producer=producer, retry_delay=0.01)
        loop = KafkaConsumerLoop(consumer, bootstrap=infra.kafka_bootstrap, topics=[topic])
        stop = asyncio.Event()
        runner = asyncio.create_task(loop.run(stop))
        deadline = asyncio.get_running_loop().time() + 20
        while asyncio.get_running_loop().time() < deadline:
            async with pool.acquire() as conn:
                if await conn.fetchval("SELECT count(*) FROM processed_messages") >= 2:
                    break
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.wait_for(runner, 10)
    finally:
        await producer.stop()
    async with pool.acquire() as conn:
        outcomes = [r["outcome"] for r in await conn.fetch(
            "SELECT outcome FROM processed_messages")]
        dead = await conn.fetchval("SELECT count(*) FROM dead_letters")
    assert outcomes == ["applied", "applied"] and dead == 0
    assert [(c.n, c.amount) for c in seen.contracts] == [
        (1, Money(amount_minor=100, currency="USD")), (2, Money(amount_minor=200, currency="USD"))]
    assert unknown_counted(name) == before + 2


async def _drain(bootstrap: str, topic: str, expected: int) -> list:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    out: list = []
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while len(out) < expected and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                out.extend(records)
    finally:
        await consumer.stop()
    return out


@pytest.mark.parametrize("path", ["fast", "careful"])
async def test_both_consumer_paths_read_unknown_fields_tolerantly(
        pool, infra, path, monkeypatch) -> None:
    """The fast path parses the whole batch up front; an undecodable record in the batch sends
    it down the careful path, message by message, which parses again."""
    topic = f"test.tolerant.{new_id().hex[:12]}"
    name = f"tolerant_{path}"
    await ensure_topics(infra.kafka_bootstrap, [topic, dlq_topic(name)], partitions=1)
    values = [_record(upgraded(7))]
    if path == "careful":
        values.insert(0, (b"same-key", b"{not json", [("ce_specversion", b"1.0")]))
    else:
        async def no_careful_path(*args: object) -> str:
            raise AssertionError("the fast path failed")

        monkeypatch.setattr(IdempotentConsumer, "_process_one", no_careful_path)
    await _send(infra, topic, values)
    records = await _drain(infra.kafka_bootstrap, topic, len(values))
    assert len(records) == len(values)
    seen, before = Seen(), unknown_counted(name)
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="test")
    await producer.start()
    try:
        consumer = IdempotentConsumer(name=name, pool=pool, handlers={NAME: seen},
                                      dlq_producer=producer, retry_delay=0.01)
        await consumer.process(records)
    finally:
        await producer.stop()
    async with pool.acquire() as conn:
        outcomes = {r["offset"]: r["outcome"] for r in await conn.fetch(
            "SELECT \"offset\", outcome FROM processed_messages")}
        dead = [r["reason"] for r in await conn.fetch("SELECT reason FROM dead_letters")]
    assert outcomes[records[-1].offset] == "applied"
    assert seen.contracts == [Placed(n=7, amount=Money(amount_minor=700, currency="USD"))]
    assert unknown_counted(name) == before + 1
    if path == "careful":  # only the undecodable record was dead-lettered
        assert len(dead) == 1 and "undecodable" in dead[0]
    else:
        assert dead == []


async def test_a_producer_cannot_publish_a_field_outside_the_contract(pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    event = NewEvent(type=NAME, payload=upgraded(1).payload, publish_to=("t", "k"))
    with pytest.raises(InvalidEvent, match="extra_forbidden"):
        await store.append("s1", 0, [event], Metadata(tenant="acme", producer="test"))
