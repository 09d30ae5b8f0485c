"""The outbox gauges on the real PostgreSQL and broker: the backlog and the age of the oldest
event not yet published, which alerting watches (a stuck relay makes it grow)."""

import asyncio
import time

import pytest
from aiokafka.errors import KafkaConnectionError
from prometheus_client import REGISTRY

from goodfaith_events.ids import new_id
from goodfaith_runtime.eventstore import Metadata, NewEvent, PostgresEventStore
from goodfaith_runtime.kafka import make_producer
from goodfaith_runtime.outbox import OutboxRelay

pytestmark = pytest.mark.integration
META = Metadata(tenant="acme", producer="test")


def gauge(name: str, service: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": service})


def pub(topic: str, stream: str) -> NewEvent:
    return NewEvent(type="test.Happened", payload={"stream": stream, "n": 0},
                    publish_to=(topic, stream))


async def test_the_oldest_pending_age_follows_the_oldest_unpublished_event(
        pool, infra, topic) -> None:
    service = f"gauges-{new_id().hex[:8]}"
    store = PostgresEventStore(pool, producer="test")
    await store.append("older", 0, [pub(topic, "older")], META)
    await asyncio.sleep(1.0)
    await store.append("newer", 0, [pub(topic, "newer")], META)
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id=service)
    await producer.start()
    try:
        relay = OutboxRelay(pool, producer, service=service, batch_size=1)
        count, oldest = await relay.measure_backlog()
        assert count == 2 and oldest >= 1.0
        assert gauge("goodfaith_outbox_oldest_pending_seconds", service) == oldest
        assert gauge("goodfaith_outbox_backlog", service) == 2

        assert await relay.publish_pending() == 1  # the older one leaves first
        count, remaining = await relay.measure_backlog()
        assert count == 1 and remaining <= oldest - 0.9  # now the newer one's age
        assert gauge("goodfaith_outbox_oldest_pending_seconds", service) == remaining

        assert await relay.publish_pending() == 1
        assert await relay.measure_backlog() == (0, 0.0)
        assert gauge("goodfaith_outbox_oldest_pending_seconds", service) == 0.0
        assert gauge("goodfaith_outbox_backlog", service) == 0
    finally:
        await producer.stop()


class BrokerDown:
    """A producer whose every send fails as aiokafka's does when the broker is unreachable."""

    async def send(self, topic: str, value: bytes, key: bytes,
                   headers: list[tuple[str, bytes]]) -> None:
        raise KafkaConnectionError("broker unreachable")


async def test_the_oldest_pending_age_grows_while_the_relay_cannot_publish(pool, topic) -> None:
    service = f"stuck-{new_id().hex[:8]}"
    store = PostgresEventStore(pool, producer="test")
    await store.append("s", 0, [pub(topic, "s")], META)
    relay = OutboxRelay(pool, BrokerDown(), service=service, max_backoff=0.2)
    stop = asyncio.Event()
    runner = asyncio.create_task(relay.run(stop))
    try:
        seen: list[float] = []
        deadline = time.monotonic() + 10
        while len(seen) < 2 or seen[-1] < seen[0] + 0.5:
            assert time.monotonic() < deadline, seen
            value = gauge("goodfaith_outbox_oldest_pending_seconds", service)
            if value:
                seen.append(value)
            await asyncio.sleep(0.1)
        assert gauge("goodfaith_outbox_backlog", service) == 1
        assert (gauge("goodfaith_outbox_failures_total", service) or 0) >= 2
    finally:
        stop.set()
        await asyncio.wait_for(runner, 10)
    async with pool.acquire() as conn:  # nothing was lost
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 1
