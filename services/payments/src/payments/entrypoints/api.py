"""The payments service: NOT BUILT YET. It runs its database, event store and outbox relay and
answers health checks, so the whole system starts; its domain is a later issue."""

from __future__ import annotations

from fastapi import FastAPI

from goodfaith_runtime.http import placeholder_app


def create_app() -> FastAPI:
    return placeholder_app("payments", "Placeholder: not built yet; see its README")
