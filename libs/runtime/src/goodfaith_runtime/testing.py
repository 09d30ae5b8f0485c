"""Pytest fixtures on the real infrastructure: one embedded PostgreSQL and one Tansu broker per
test session (or the external/containers ones, see infra.py), a fresh database per test.

Enabled from the root conftest with `pytest_plugins = ["goodfaith_runtime.testing"]`.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer

from goodfaith_events.codec import encode
from goodfaith_events.envelope import EventMessage
from goodfaith_events.ids import new_id
from goodfaith_runtime.db import create_pool, grant_runtime_role, migrate
from goodfaith_runtime.infra import Infra, ServiceDatabase
from goodfaith_runtime.kafka import ensure_topics, make_producer


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    # Not under pytest's base temporary directory: pytest deletes all but the newest three of
    # those, so other pytest sessions on the machine could delete the data directory of this
    # session's PostgreSQL while it runs (every later test then fails to connect).
    home = Path(tempfile.mkdtemp(prefix="goodfaith-infra-"))
    started = Infra.from_environment(home)
    try:
        yield started
    finally:
        started.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest_asyncio.fixture
async def database(infra: Infra) -> AsyncIterator[ServiceDatabase]:
    """A new, empty database for one test and its runtime role, as a service gets them: a
    service runs with `database.settings()` (its pool as the role, migrations as the owner)."""
    created = await infra.create_service_database(f"t_{new_id().hex[:20]}")
    yield created
    await infra.drop_service_database(created)


@pytest_asyncio.fixture
async def pool(database: ServiceDatabase) -> AsyncIterator[asyncpg.Pool]:
    """A pool of the runtime role on a fresh database, the runtime schema applied by the owner
    and the role granted its rights, as in a service."""
    owner = await create_pool(database.owner_dsn, max_size=1)
    try:
        await migrate(owner, runtime_role=database.runtime_role)
    finally:
        await owner.close()
    created = await create_pool(database.runtime_dsn, max_size=10)
    yield created
    await asyncio.wait_for(created.close(), 10)


@pytest_asyncio.fixture
async def schema(database: ServiceDatabase,
                 pool: asyncpg.Pool) -> AsyncIterator[Callable[[str], Awaitable[None]]]:
    """`await schema(sql)`: a test's own tables and functions, applied as a service's
    migrations are: by the owner, then the runtime role granted its rights on them."""
    owner = await create_pool(database.owner_dsn, max_size=1)

    async def apply(sql: str) -> None:
        async with owner.acquire() as conn, conn.transaction():
            await conn.execute(sql)
            await grant_runtime_role(conn, database.runtime_role)

    yield apply
    await asyncio.wait_for(owner.close(), 10)


@pytest_asyncio.fixture
async def owner_pool(database: ServiceDatabase, pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Pool]:
    """A pool of the owner (here the superuser) on the `pool` fixture's database."""
    created = await create_pool(database.owner_dsn, max_size=2)
    yield created
    await asyncio.wait_for(created.close(), 10)


@pytest_asyncio.fixture
async def topic(infra: Infra) -> str:
    """A fresh topic with 3 partitions."""
    name = f"test.{new_id().hex[:16]}"
    await ensure_topics(infra.kafka_bootstrap, [name], partitions=3)
    return name


@pytest.fixture(scope="session")
def span_exporter():  # type: ignore[no-untyped-def]
    """An in-memory span exporter on the global tracer provider, cleared per use."""
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from goodfaith_runtime.telemetry import configure_tracing

    exporter = InMemorySpanExporter()
    provider = configure_tracing("goodfaith-tests", database_spans=True)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


@contextlib.asynccontextmanager
async def serve_app(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free local port (real HTTP); yield its base URL."""
    import uvicorn

    from goodfaith_runtime.infra import free_port
    from goodfaith_runtime.serve import KEEP_ALIVE_SECONDS

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", lifespan="on",
                                           timeout_keep_alive=KEEP_ALIVE_SECONDS))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # startup failed: raise its error here
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def publish(bootstrap: str, topic: str, messages: list[tuple[EventMessage, str]]) -> None:
    """Send each (message, partition key) to `topic` as a producer service would (CloudEvents
    binary mode, acks=all), one after another: for tests that play another service."""
    producer = make_producer(bootstrap, idempotence=False, client_id="test-publisher")
    await producer.start()
    try:
        for message, key in messages:
            record = encode(message, partition_key=key)
            await producer.send_and_wait(topic, value=record.value, key=record.key,
                                         headers=record.headers)
    finally:
        await producer.stop()


async def read_topic(bootstrap: str, topic: str, expected: int, within: float = 20.0) -> list[Any]:
    """The first `expected` records of `topic` from its earliest offset (fewer if they do not
    come within `within` seconds), by partition and offset: a groupless consumer that commits
    nothing, so it reads what a test published without joining any group."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    out: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + within
        while len(out) < expected and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                out.extend(records)
    finally:
        await consumer.stop()
    return sorted(out, key=lambda r: (r.partition, r.offset))
