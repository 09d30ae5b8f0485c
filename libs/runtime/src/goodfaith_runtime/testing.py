"""Pytest fixtures on the real infrastructure: one embedded PostgreSQL and one Tansu broker per
test session (or the external/containers ones, see infra.py), a fresh database per test.

Enabled from the root conftest with `pytest_plugins = ["goodfaith_runtime.testing"]`.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from goodfaith_events.ids import new_id
from goodfaith_runtime.db import create_pool, migrate
from goodfaith_runtime.infra import Infra
from goodfaith_runtime.kafka import ensure_topics


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
async def database(infra: Infra) -> AsyncIterator[str]:
    """A new, empty database for one test; its DSN."""
    name = f"t_{new_id().hex[:20]}"
    dsn = await infra.create_database(name)
    yield dsn
    conn = await asyncpg.connect(infra.admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest_asyncio.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database with the runtime schema applied."""
    created = await create_pool(database, max_size=10)
    await migrate(created)
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
