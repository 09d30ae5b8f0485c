"""Fixtures for the ledger on the real embedded PostgreSQL and broker: a ledger app served by
uvicorn on a free port, with a manual clock, and an HTTP client that mints scoped tokens."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from goodfaith_events.ids import new_id
from goodfaith_runtime.auth import mint_token
from goodfaith_runtime.clock import ManualClock
from goodfaith_runtime.infra import ServiceDatabase
from goodfaith_runtime.settings import DEV_JWT_SECRET
from goodfaith_runtime.testing import serve_app
from ledger.bootstrap import Ledger
from ledger.config import LedgerSettings
from ledger.entrypoints.api import create_app

NOW = datetime(2025, 6, 2, 18, 0, tzinfo=UTC)


def settings_for(database: ServiceDatabase, infra: Any, **overrides: Any) -> LedgerSettings:
    values: dict[str, Any] = {
        **database.settings(), "kafka_bootstrap": infra.kafka_bootstrap,
        "environment": "test", "run_background": False, "sweep_enabled": False,
        "kafka_partitions": 3,
    }
    return LedgerSettings(**{**values, **overrides})


class Api:
    """An HTTP client for one tenant; every helper returns the parsed JSON."""

    def __init__(self, client: httpx.AsyncClient, tenant: str = "acme") -> None:
        self.client = client
        self.tenant = tenant

    def as_tenant(self, tenant: str) -> Api:
        return Api(self.client, tenant)

    def headers(self, scopes: tuple[str, ...] = ("ledger:read", "ledger:write"),
                key: str | None = None) -> dict[str, str]:
        token = mint_token(DEV_JWT_SECRET, subject="back-office", tenant=self.tenant,
                           scopes=list(scopes))
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        return headers

    async def post(self, path: str, body: Any, key: str | None = None) -> httpx.Response:
        return await self.client.post(path, json=body, headers=self.headers(key=key))

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=self.headers())

    async def ok(self, method: str, path: str, body: Any = None,
                 params: dict[str, Any] | None = None, **query: Any) -> Any:
        response = await self.client.request(method, path, json=body, headers=self.headers(),
                                             params={**(params or {}), **query})
        assert response.status_code < 300, response.text
        return response.json()

    async def debtor(self, **overrides: Any) -> str:
        body = {"given_name": "Jane", "family_name": "Roe", "language": "en-US",
                "country": "US", "region": "CA", **overrides}
        return str((await self.ok("POST", "/v1/debtors", body))["debtor_id"])

    async def debt(self, debtor_id: str | None = None, **overrides: Any) -> str:
        body = {"debtor_id": debtor_id or await self.debtor(), "original_creditor": "Acme Bank",
                "account_last4": "4242", "debt_type": "credit_card", "purpose": "consumer",
                "currency": "USD", "governing_state": "CA",
                "time_zone": "America/Los_Angeles", **overrides}
        return str((await self.ok("POST", "/v1/debts", body))["debt_id"])

    async def invoice(self, debt_id: str, due_on: str, cents: int, invoice_id: str | None = None,
                      **extra: Any) -> Any:
        body = {"invoice_id": invoice_id, "issued_on": "2025-01-01", "due_on": due_on,
                "principal": {"amount_minor": cents, "currency": "USD"}, **extra}
        return await self.ok("POST", f"/v1/debts/{debt_id}/invoices", body)

    async def pay(self, debt_id: str, payment_id: str, cents: int) -> Any:
        body = {"payment_id": payment_id, "amount": {"amount_minor": cents, "currency": "USD"},
                "received_at": "2025-06-01T12:00:00Z"}
        return await self.ok("POST", f"/v1/debts/{debt_id}/payments", body)


@contextlib.asynccontextmanager
async def serve(settings: LedgerSettings, clock: ManualClock) -> AsyncIterator[tuple[str, Ledger]]:
    app = create_app(settings, clock)
    async with serve_app(app) as url:
        yield url, app.state.ledger


@contextlib.asynccontextmanager
async def serve_with_consumers(
    database: ServiceDatabase, infra: Any, clock: ManualClock,
) -> AsyncIterator[tuple[Api, Ledger]]:
    """The ledger with its relay and consumers running, and a client for a tenant of its own
    (the broker is shared by the whole session)."""
    settings = settings_for(database, infra, run_background=True)
    async with serve(settings, clock) as (base, ledger), httpx.AsyncClient(
            base_url=base, timeout=30) as client:
        yield Api(client, f"t{new_id().hex[:12]}"), ledger


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def served(
    database: ServiceDatabase, infra: Any, clock: ManualClock
) -> AsyncIterator[tuple[str, Ledger]]:
    async with serve(settings_for(database, infra), clock) as running:
        yield running


@pytest.fixture
def ledger(served: tuple[str, Ledger]) -> Ledger:
    return served[1]


@pytest.fixture
async def api(served: tuple[str, Ledger]) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=served[0], timeout=30) as client:
        yield Api(client)
