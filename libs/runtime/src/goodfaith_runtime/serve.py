"""Run one service process: uvicorn serving `<service>.entrypoints.api:create_app`."""

from __future__ import annotations

import os

import uvicorn


def serve(service: str, *, default_port: int) -> None:
    os.environ.setdefault("OTEL_SERVICE_NAME", service)
    uvicorn.run(
        f"{service}.entrypoints.api:create_app", factory=True,
        host=os.environ.get("GOODFAITH_HOST", "0.0.0.0"),  # a container listens wide
        port=int(os.environ.get("GOODFAITH_PORT", default_port)),
        log_level=os.environ.get("GOODFAITH_LOG_LEVEL", "info").lower(), access_log=False,
    )
