"""Run one service process: uvicorn serving `<service>.entrypoints.api:create_app`."""

from __future__ import annotations

import os

import uvicorn

from goodfaith_runtime.telemetry import configure_logging

# Idle keep-alive connections stay open longer than any client or load balancer in front keeps
# them (ALBs and nginx default to 60 s): with uvicorn's 5 s, a client reusing a connection just
# as the server closes it gets a reset (a 502 behind a balancer, a read error in a client).
KEEP_ALIVE_SECONDS = 75


def serve(service: str, *, default_port: int) -> None:
    os.environ.setdefault("OTEL_SERVICE_NAME", service)
    level = os.environ.get("GOODFAITH_LOG_LEVEL", "info")
    # uvicorn's own lines as JSON too (log_config=None: uvicorn installs no plain-text
    # handlers of its own, and its loggers reach ours).
    configure_logging(service, level.upper())
    uvicorn.run(
        f"{service}.entrypoints.api:create_app", factory=True,
        host=os.environ.get("GOODFAITH_HOST", "0.0.0.0"),  # a container listens wide
        port=int(os.environ.get("GOODFAITH_PORT", default_port)),
        log_level=level.lower(), log_config=None, access_log=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
