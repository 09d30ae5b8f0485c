"""Fixtures for compliance on the real embedded PostgreSQL and broker: the app served by uvicorn
on a free port with a manual clock, an HTTP client that mints scoped tokens, Kafka helpers."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from compliance.bootstrap import Compliance
from compliance.config import ComplianceSettings
from compliance.entrypoints.api import create_app
from goodfaith_events.codec import decode
from goodfaith_events.envelope import Envelope, EventMessage
from goodfaith_events.ids import new_id
from goodfaith_runtime.auth import mint_token
from goodfaith_runtime.clock import ManualClock
from goodfaith_runtime.infra import ServiceDatabase
from goodfaith_runtime.settings import DEV_JWT_SECRET
from goodfaith_runtime.testing import publish, serve_app

# Wednesday 2026-11-18, 10:00 in Chicago: inside every time window.
NOW = datetime(2026, 11, 18, 16, 0, tzinfo=UTC)
PHONE = "+13125550100"
SCRIPT = "Hi, this is Sam with Fairway Recovery LLC. This communication is from a debt collector."
ALL_SCOPES = ("compliance:check", "compliance:read", "compliance:write")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def settings_for(database: ServiceDatabase, infra: Any, **overrides: Any) -> ComplianceSettings:
    values: dict[str, Any] = {
        **database.settings(), "kafka_bootstrap": infra.kafka_bootstrap,
        "environment": "test", "run_background": False, "kafka_partitions": 3,
    }
    return ComplianceSettings(**{**values, **overrides})


def profile(person_id: str, **debt: Any) -> dict[str, Any]:
    """A third-party collector, a verified consumer in Chicago, one Illinois consumer debt whose
    validation period is over: a call at NOW is allowed."""
    return {
        "collector": {"collector_id": "col-1", "role": "third_party_collector",
                      "business_name": "Fairway Recovery LLC", "lcm_business_name":
                      "Fairway Services", "creditor_id": "cr-1", "creditor_name": "Acme Bank"},
        "person": {"person_id": person_id, "role": "consumer", "rpc": "verified",
                   "addresses": [{"address_id": "a-1", "kind": "residence", "state": "IL",
                                  "tz": "America/Chicago"}]},
        "endpoints": [
            {"kind": "phone", "endpoint_id": "ph-1", "e164": PHONE, "phone_type": "cell",
             "owner_confirmed": True},
            {"kind": "email", "endpoint_id": "em-1", "address": "pat@example.com",
             "consumer_used_at": "2026-10-05T00:00:00Z"},
        ],
        "debts": [{"debt_id": "d-1", "purpose": "consumer", "governing_state": "IL",
                   "time_barred": False, "initial_communication_at": "2026-10-01T15:00:00Z",
                   "validation_notice_provided_at": "2026-10-01T15:00:00Z", **debt}],
    }


def check_body(person_id: str, **overrides: Any) -> dict[str, Any]:
    return {"person_id": person_id, "debt_ids": ["d-1"], "channel": "call", "endpoint": PHONE,
            "template_type": "AGENT_CALL", "content_text": SCRIPT, **overrides}


class Api:
    """An HTTP client for one tenant."""

    def __init__(self, client: httpx.AsyncClient, tenant: str = "acme") -> None:
        self.client = client
        self.tenant = tenant

    def as_tenant(self, tenant: str) -> Api:
        return Api(self.client, tenant)

    def headers(self, scopes: tuple[str, ...] = ALL_SCOPES, key: str | None = None,
                ) -> dict[str, str]:
        token = mint_token(DEV_JWT_SECRET, subject="agent-7", tenant=self.tenant,
                           scopes=list(scopes))
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        return headers

    async def call(self, method: str, path: str, body: Any = None, *,
                   scopes: tuple[str, ...] = ALL_SCOPES, key: str | None = None,
                   **params: Any) -> httpx.Response:
        return await self.client.request(method, path, json=body, params=params or None,
                                         headers=self.headers(scopes, key))

    async def ok(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = await self.call(method, path, body, **params)
        assert response.status_code < 300, response.text
        return response.json()

    async def person(self, person_id: str | None = None, **debt: Any) -> str:
        person_id = person_id or f"p-{new_id().hex}"
        await self.ok("PUT", f"/v1/persons/{person_id}/profile", profile(person_id, **debt))
        return person_id

    async def check(self, person_id: str, **overrides: Any) -> Any:
        return await self.ok("POST", "/v1/checks", check_body(person_id, **overrides))


@contextlib.asynccontextmanager
async def serve(
    settings: ComplianceSettings, clock: ManualClock,
) -> AsyncIterator[tuple[str, Compliance]]:
    app = create_app(settings, clock)
    async with serve_app(app) as url:
        yield url, app.state.compliance


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def served(
    database: ServiceDatabase, infra: Any, clock: ManualClock,
) -> AsyncIterator[tuple[str, Compliance]]:
    async with serve(settings_for(database, infra), clock) as running:
        yield running


@pytest.fixture
def compliance(served: tuple[str, Compliance]) -> Compliance:
    return served[1]


@pytest.fixture
async def api(served: tuple[str, Compliance]) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=served[0], timeout=60) as client:
        yield Api(client)


# --- Kafka ------------------------------------------------------------------------------------


def message(type_: str, tenant: str, payload: dict[str, Any], stream: str) -> EventMessage:
    envelope = Envelope(type=type_, schema_version=1, stream_id=stream, stream_version=1,
                        occurred_at=NOW, tenant=tenant, producer="outreach")
    return EventMessage(envelope=envelope, payload=payload)


def requested(person_id: str, request_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    return {"request_id": request_id or f"r-{new_id().hex}", "person_id": person_id,
            "debt_ids": ["d-1"], "channel": "call", "endpoint": PHONE, "template_id": "t-1",
            "template_type": "AGENT_CALL", "content_hash": sha(SCRIPT), "content_text": SCRIPT,
            "intended_send_at": NOW.isoformat(), **overrides}


async def produce(infra: Any, topic: str, messages: list[tuple[EventMessage, str]]) -> None:
    await publish(infra.kafka_bootstrap, topic, messages)


async def collect(
    infra: Any, topic: str, done: Callable[[list[EventMessage]], bool], timeout: float = 60,
) -> list[EventMessage]:
    """Read `topic` from the beginning with a fresh group until `done(messages)`."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=infra.kafka_bootstrap,
                                group_id=f"test-{new_id().hex}", auto_offset_reset="earliest")
    await consumer.start()
    seen: list[EventMessage] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not done(seen):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"only {len(seen)} messages on {topic}")
            batches = await consumer.getmany(timeout_ms=300)
            for records in batches.values():
                seen += [decode(r.value, r.headers) for r in records]
    finally:
        await consumer.stop()
    return seen


async def until(check: Callable[[], Awaitable[Any]], timeout: float = 60.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if result := await check():
            return result
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")
