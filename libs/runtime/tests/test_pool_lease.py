"""What a pooled connection carries from one lease to the next: nothing a command could see.

The pool sends no reset statement on release (db._end_of_lease); these show what that relies on
still holds: a transaction left open is rolled back by asyncpg itself, transaction-scoped locks
end with their transaction, and the relay gives its session lock and LISTEN back when it stops.
"""

import asyncio

import pytest

from goodfaith_runtime.db import create_pool
from goodfaith_runtime.kafka import make_producer
from goodfaith_runtime.outbox import OutboxRelay

pytestmark = pytest.mark.integration

RELAY_LOCK = 0x0B0C5E1A


@pytest.fixture
async def one(database):
    """A pool of one connection: every lease is the same session."""
    created = await create_pool(database.owner_dsn, max_size=1)
    yield created
    await asyncio.wait_for(created.close(), 10)


async def test_releasing_a_connection_sends_no_statement(one) -> None:
    sent: list[str] = []
    async with one.acquire() as conn:
        conn.add_query_logger(lambda record: sent.append(record.query))
        await conn.fetchval("SELECT 1")
    assert sent == ["SELECT 1"]


async def test_a_transaction_left_open_is_rolled_back_before_the_next_lease(one) -> None:
    async with one.acquire() as conn:
        pid = conn.get_server_pid()
        await conn.execute("CREATE TABLE lease_probe (n int)")
        await conn.execute("BEGIN")
        await conn.execute("INSERT INTO lease_probe VALUES (1)")
        await conn.execute("SELECT pg_advisory_xact_lock(42)")
    async with one.acquire() as conn:
        assert conn.get_server_pid() == pid  # the same session, so a leak would show
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT count(*) FROM lease_probe") == 0
        assert await conn.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = $1", pid) == 0


async def test_a_stopped_relay_leaves_no_lock_or_listen_on_its_pooled_connection(
        pool, database, infra) -> None:
    single = await create_pool(database.runtime_dsn, max_size=1)
    try:
        producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="test")
        await producer.start()
        try:
            relay = OutboxRelay(single, producer, service="test", idle_sleep=60)
            stop = asyncio.Event()
            runner = asyncio.create_task(relay.run(stop))
            for _ in range(50):
                if await pool.fetchval("SELECT count(*) FROM pg_locks WHERE "
                                       "locktype = 'advisory' AND objid = $1", RELAY_LOCK):
                    break
                await asyncio.sleep(0.1)
            else:
                pytest.fail("the relay never took the leader lock")
            stop.set()
            await asyncio.wait_for(runner, 10)
        finally:
            await producer.stop()
        async with single.acquire() as conn:
            assert await conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = $1",
                conn.get_server_pid()) == 0
            assert await conn.fetchval("SELECT count(*) FROM pg_listening_channels()") == 0
    finally:
        await asyncio.wait_for(single.close(), 10)
