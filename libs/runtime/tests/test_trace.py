"""One trace from an HTTP request, through the database and Kafka, into the next service's
handler: real uvicorn, real PostgreSQL, real broker, asserted with an in-memory exporter."""

import asyncio
import contextlib

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from goodfaith_runtime.consumer import Delivery, IdempotentConsumer, KafkaConsumerLoop
from goodfaith_runtime.eventstore import Metadata, NewEvent, PostgresEventStore
from goodfaith_runtime.http import create_service_app
from goodfaith_runtime.kafka import make_producer
from goodfaith_runtime.outbox import OutboxRelay
from goodfaith_runtime.testing import serve_app

pytestmark = pytest.mark.integration


async def test_one_trace_runs_from_http_through_kafka_into_the_consumer(
    pool, infra, topic, span_exporter,
) -> None:
    span_exporter.clear()
    store = PostgresEventStore(pool, producer="origin")
    router = APIRouter()

    @router.post("/v1/things")
    async def create_thing() -> dict[str, str]:
        await store.append("thing-1", 0, [NewEvent(type="test.ThingCreated", payload={"n": 1},
                                                  publish_to=(topic, "thing-1"))],
                           Metadata(tenant="acme", producer="origin"))
        return {"status": "created"}

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI):
        yield

    app = create_service_app(name="origin", version="0", description="", lifespan=lifespan,
                             routers=[router])
    async with serve_app(app) as base, httpx.AsyncClient() as client:
        response = await client.post(f"{base}/v1/things")
        assert response.status_code == 200

    async def handle(delivery: Delivery) -> None:
        await store.append("reaction-1", 0, [NewEvent(type="test.Reacted", payload={"n": 2})],
                           Metadata(tenant="acme", producer="next"), conn=delivery.conn)

    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="trace")
    await producer.start()
    try:
        await OutboxRelay(pool, producer, service="origin").publish_pending()
        consumer = IdempotentConsumer(name="next", pool=pool, dlq_producer=producer,
                                      handlers={"test.ThingCreated": handle})
        loop = KafkaConsumerLoop(consumer, bootstrap=infra.kafka_bootstrap, topics=[topic])
        stop = asyncio.Event()
        runner = asyncio.create_task(loop.run(stop))
        for _ in range(200):
            if (await store.read_stream("reaction-1")).version:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await runner
    finally:
        await producer.stop()

    spans = span_exporter.get_finished_spans()
    by_name = {s.name: s for s in spans}
    server_span = by_name["POST /v1/things"]
    publish, process = by_name[f"publish {topic}"], by_name[f"process {topic}"]
    trace_id = server_span.context.trace_id
    assert publish.context.trace_id == trace_id
    assert process.context.trace_id == trace_id
    assert process.parent is not None and process.parent.span_id == publish.context.span_id
    reaction = (await store.read_stream("reaction-1")).events[0]
    assert reaction.metadata["traceparent"].split("-")[1] == format(trace_id, "032x")
