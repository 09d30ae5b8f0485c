"""The running relay through a broker outage: the broker stops under it while events keep being
committed, and comes back. Real embedded PostgreSQL and Tansu, the relay's own producer."""

import asyncio

import pytest
from prometheus_client import REGISTRY

from goodfaith_runtime.eventstore import PostgresEventStore
from goodfaith_runtime.kafka import ensure_topics, make_producer
from goodfaith_runtime.outbox import OutboxRelay
from goodfaith_runtime.testing import read_topic

from .test_outbox_and_consumer import META, per_stream_order, pub

pytestmark = pytest.mark.integration


def _failed_rounds() -> float:
    return REGISTRY.get_sample_value("goodfaith_outbox_failures_total",
                                     {"service": "outage-test"}) or 0.0


class HeldUntilTopicsExist:
    """The relay's real producer. Tansu keeps topics in memory, so a restarted Tansu comes back
    without them, and a send that reaches it before they are created again lands in a topic
    that the creation then replaces (the acked events are gone: seen in 2 runs of 10). Apache
    Kafka comes back with its topics; to stand for that, sends wait while the test holds them,
    from before the restart until the topics exist again."""

    def __init__(self, real) -> None:
        self.real = real
        self.open = asyncio.Event()
        self.open.set()

    async def send(self, *args, **kwargs):
        await self.open.wait()
        return await self.real.send(*args, **kwargs)


async def _outbox_count(pool) -> int:
    async with pool.acquire() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM outbox"))


async def _wait_for(condition, timeout: float) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await condition():
            return True
        await asyncio.sleep(0.1)
    return False


async def test_the_running_relay_keeps_every_event_through_a_broker_outage(
    pool, infra, topic,
) -> None:
    if infra.broker is None:
        pytest.skip("needs the embedded broker to stop and start it")
    store = PostgresEventStore(pool, producer="test")
    streams = [f"o{n}" for n in range(4)]
    # A short request timeout, so the sends the outage catches fail within the test's time
    # (the services use 10 s; the path is the same).
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="outage",
                             request_timeout_ms=2_000)
    await producer.start()
    held = HeldUntilTopicsExist(producer)
    relay = OutboxRelay(pool, held, service="outage-test", idle_sleep=0.05,
                        max_backoff=0.5)
    stop = asyncio.Event()
    runner = asyncio.create_task(relay.run(stop))
    try:
        for stream in streams:  # before the outage: published as usual
            await store.append(stream, 0, [pub(topic, stream, 0)], META)
        assert await _wait_for(lambda: _is(_outbox_count(pool), 0), 15), "not published"

        failed_before = _failed_rounds()
        infra.broker.stop()
        for version in range(1, 6):  # committed while the broker is gone
            for stream in streams:
                await store.append(stream, version, [pub(topic, stream, version)], META)
        # The relay tries, fails and keeps every row: nothing committed is dropped.
        assert await _wait_for(lambda: _above(_failed_rounds, failed_before), 20), \
            "the relay never noticed the outage"
        assert await _outbox_count(pool) == 20
        assert not runner.done(), "the relay gave up during the outage"

        held.open.clear()
        await asyncio.sleep(2.5)  # every batch sent before the hold has failed by now (2 s)
        infra.broker.start()
        await ensure_topics(infra.kafka_bootstrap, [topic], partitions=3)
        held.open.set()
        assert await _wait_for(lambda: _is(_outbox_count(pool), 0), 60), \
            "the relay did not catch up after the broker came back"
    finally:
        stop.set()
        await asyncio.wait_for(runner, 15)
        await producer.stop()
    records = await read_topic(infra.kafka_bootstrap, topic, 20)
    order = per_stream_order(records)
    # Every event of the outage arrived (a resend may repeat one: at least once), and within
    # each stream the first arrival of each version is in stream order.
    for stream in streams:
        first_arrivals = list(dict.fromkeys(order[stream]))
        assert first_arrivals == [2, 3, 4, 5, 6], (stream, order[stream])
    assert (await relay.measure_backlog())[0] == 0


async def _is(count, expected: int) -> bool:
    return await count == expected


async def _above(read, floor: float) -> bool:
    return read() > floor
