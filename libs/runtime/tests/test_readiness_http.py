"""GET /health/ready on a real service runtime: 200 with PostgreSQL and the broker up, 503
naming the check that failed when the database is gone or Kafka cannot be reached."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from goodfaith_runtime.http import attach_runtime, create_service_app
from goodfaith_runtime.infra import ServiceDatabase, free_port
from goodfaith_runtime.service import ServiceRuntime
from goodfaith_runtime.settings import ServiceSettings

pytestmark = pytest.mark.integration


@contextlib.asynccontextmanager
async def service(database: ServiceDatabase,
                  kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(**database.settings(), kafka_bootstrap=kafka_bootstrap,
                               freeze_heap=False)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = ServiceRuntime(service="ready-test", settings=settings)
        await runtime.start()
        attach_runtime(app, settings, runtime)
        try:
            yield
        finally:
            await asyncio.wait_for(runtime.stop(), 20)

    app = create_service_app(name="ready-test", version="0", description="",
                             lifespan=lifespan, routers=[])
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client


async def readiness_until(client: httpx.AsyncClient, status: int,
                          timeout: float = 20.0) -> httpx.Response:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await client.get("/health/ready")
        if response.status_code == status:
            return response
        assert asyncio.get_running_loop().time() < deadline, response.json()
        await asyncio.sleep(0.1)


async def test_ready_then_503_once_the_database_is_gone(infra, database) -> None:
    async with service(database, infra.kafka_bootstrap) as client:
        ready = await readiness_until(client, 200)
        assert ready.json() == {"status": "ready", "checks": {"database": True, "kafka": True}}
        admin = await asyncpg.connect(infra.admin_dsn)
        try:  # the service's database disappears under it (its sessions are terminated)
            await admin.execute(f'DROP DATABASE "{database.name}" WITH (FORCE)')
        finally:
            await admin.close()
        gone = await client.get("/health/ready")
        assert gone.status_code == 503
        assert gone.json() == {"status": "not ready",
                               "checks": {"database": False, "kafka": True}}


async def test_503_while_kafka_cannot_be_reached(database) -> None:
    nobody = f"127.0.0.1:{free_port()}"  # nothing listens there
    async with service(database, nobody) as client:
        for _ in range(3):  # and it stays so while the runtime keeps retrying
            response = await client.get("/health/ready")
            assert response.status_code == 503
            assert response.json() == {"status": "not ready",
                                       "checks": {"database": True, "kafka": False}}
            await asyncio.sleep(0.5)
