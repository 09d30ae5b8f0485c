"""Run a job every few seconds until told to stop; a failed pass is logged and tried again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger("ledger.schedule")


async def every(
    interval: float, stop: asyncio.Event, job: Callable[[], Awaitable[None]], name: str
) -> None:
    while not stop.is_set():
        try:
            await job()
        except Exception as exc:
            # The queue lives in the database, so the next pass picks up whatever this missed.
            log.error(f"{name}_failed", error=type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
