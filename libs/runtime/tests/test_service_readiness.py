"""A service's Kafka readiness follows its relay and consumer loops (unit: stand-ins for both)."""

import asyncio
import contextlib

from aiokafka.errors import IllegalStateError

import goodfaith_runtime.service as service
from goodfaith_runtime.service import ConsumerSpec, ServiceRuntime
from goodfaith_runtime.settings import ServiceSettings


class Relay:
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        pass

    async def run(self, stop: asyncio.Event) -> None:
        await stop.wait()


class ConsumerLoop:
    """Runs until `fail` is set, then ends as aiokafka's errors end a real loop."""

    fail = asyncio.Event()

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        pass

    async def run(self, stop: asyncio.Event) -> None:
        await self.fail.wait()
        raise IllegalStateError("No current assignment for partition t-0")


async def until(check, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "never became true"
        await asyncio.sleep(0.01)


async def test_a_consumer_loop_that_ended_makes_the_service_not_ready(monkeypatch) -> None:
    monkeypatch.setattr(service, "OutboxRelay", Relay)
    monkeypatch.setattr(service, "KafkaConsumerLoop", ConsumerLoop)
    ConsumerLoop.fail = asyncio.Event()
    runtime = ServiceRuntime(service="s", settings=ServiceSettings(
        database_url="postgresql://unused/x"), consumers=[
        ConsumerSpec(name="gate", topics=["t"], handlers={})])
    runtime.pool = runtime.keyring = runtime.dead_letter_sealer = None  # type: ignore[assignment]

    async def connected() -> None:
        runtime.producer = object()  # type: ignore[assignment]

    monkeypatch.setattr(runtime, "_start_kafka", connected)
    kafka_side = asyncio.create_task(runtime._kafka_side())
    try:
        await until(runtime.kafka_ready)
        await asyncio.sleep(0.05)
        assert await runtime.kafka_ready()  # relay and loop running
        ConsumerLoop.fail.set()
        await until(lambda: _not(runtime.kafka_ready))
    finally:
        runtime._stop.set()
        with contextlib.suppress(IllegalStateError):
            await asyncio.wait_for(kafka_side, 5)
    assert all(task.done() for task in runtime._runners)


async def _not(check) -> bool:  # type: ignore[no-untyped-def]
    return not await check()


async def test_a_service_without_a_kafka_side_is_ready_for_it() -> None:
    runtime = ServiceRuntime(service="s", settings=ServiceSettings(
        database_url="postgresql://unused/x", run_background=False))
    assert await runtime.kafka_ready()
