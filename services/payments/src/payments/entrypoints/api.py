"""The payments service: NOT BUILT YET. It runs its database, event store and outbox relay and
answers health checks, so the whole system starts; its domain is a later issue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from goodfaith_runtime.http import attach_runtime, create_service_app
from goodfaith_runtime.service import ServiceRuntime
from goodfaith_runtime.settings import ServiceSettings


def create_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings = ServiceSettings()
        runtime = ServiceRuntime(service="payments", settings=settings)
        await runtime.start()
        attach_runtime(app, settings, runtime)
        try:
            yield
        finally:
            await runtime.stop()

    return create_service_app(name="payments", version="0.1.0",
                              description="Placeholder: not built yet", lifespan=lifespan,
                              routers=[])
