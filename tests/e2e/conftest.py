"""The whole system for end-to-end tests: the four services as real processes on the session's
real PostgreSQL and broker, started the way `make up` starts them."""

from collections.abc import Iterator

import pytest

from goodfaith_events.ids import new_id
from goodfaith_runtime.auth import mint_token
from goodfaith_runtime.infra import run
from goodfaith_runtime.launcher import System
from goodfaith_runtime.settings import DEV_JWT_SECRET

SCOPES = ["ledger:read", "ledger:write", "compliance:read", "compliance:write",
          "compliance:check", "outreach:read", "outreach:write", "payments:read",
          "payments:write"]


@pytest.fixture(scope="session")
def system(infra, tmp_path_factory) -> Iterator[System]:
    launched = System(infra, tmp_path_factory.mktemp("system"))
    # Sweep often, so an overdue invoice is noticed within a second.
    launched.env["GOODFAITH_SWEEP_INTERVAL_SECONDS"] = "0.5"
    dsns = run(launched.prepare(prefix=f"e2e_{new_id().hex[:8]}_"))
    launched.start(dsns, fixed_ports=False)
    ready = launched.wait_ready(timeout=90)
    if not all(ready.values()):
        logs = {n: s.log.read_text()[-3000:] for n, s in launched.services.items()}
        launched.stop()
        pytest.fail(f"services not ready: {ready}\n{logs}")
    yield launched
    launched.stop()


def bearer(tenant: str, scopes: list[str] | None = None) -> dict[str, str]:
    token = mint_token(DEV_JWT_SECRET, subject="e2e", tenant=tenant, scopes=scopes or SCOPES)
    return {"Authorization": f"Bearer {token}"}


class TopicReader:
    """Reads a topic from the beginning with a real Kafka consumer, decoding CloudEvents."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.bootstrap, self.topic = bootstrap, topic

    async def wait_for(self, predicate, count: int = 1, timeout: float = 30.0) -> list:
        import asyncio

        from aiokafka import AIOKafkaConsumer

        from goodfaith_events.codec import decode

        consumer = AIOKafkaConsumer(self.topic, bootstrap_servers=self.bootstrap,
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        found: list = []
        try:
            deadline = asyncio.get_running_loop().time() + timeout
            while len(found) < count and asyncio.get_running_loop().time() < deadline:
                for records in (await consumer.getmany(timeout_ms=300)).values():
                    for record in records:
                        message = decode(record.value, record.headers)
                        if predicate(message):
                            found.append((record, message))
        finally:
            await consumer.stop()
        return found


@pytest.fixture
def auth():
    """A function: tenant (and scopes) -> Authorization headers."""
    return bearer


@pytest.fixture
def read_topic(infra):
    """A function: topic -> TopicReader on the session's broker."""
    return lambda topic: TopicReader(infra.kafka_bootstrap, topic)
