"""The least-privilege runtime role on the real embedded PostgreSQL: the service's own pool
(the `pool` fixture, as in a service) reads and appends, and its outbox relay publishes, but
it cannot change, empty, drop or alter the event log, nor switch its triggers off."""

import asyncio
from urllib.parse import unquote, urlsplit

import asyncpg
import pytest

from goodfaith_runtime.db import RuntimeRoleError, create_pool, migrate
from goodfaith_runtime.eventstore import Metadata, NewEvent, PostgresEventStore
from goodfaith_runtime.infra import ServiceDatabase, with_user
from goodfaith_runtime.kafka import make_producer
from goodfaith_runtime.outbox import OutboxRelay
from goodfaith_runtime.service import ServiceRuntime
from goodfaith_runtime.settings import ServiceSettings

pytestmark = pytest.mark.integration
META = Metadata(tenant="acme", producer="test")


def ev(n: int, topic: str | None = None) -> NewEvent:
    return NewEvent(type="test.Happened", payload={"n": n},
                    publish_to=(topic, "s-1") if topic else None)


@pytest.mark.parametrize("sql", [
    "ALTER TABLE events DISABLE TRIGGER events_append_only",
    "ALTER TABLE events DISABLE TRIGGER ALL",
    "DROP TRIGGER events_append_only ON events",
    "DROP TABLE events",
    "TRUNCATE events",
    "UPDATE events SET payload = '{\"n\": 666}'",
    "DELETE FROM events",
    "ALTER TABLE events OWNER TO CURRENT_USER",
    "SET session_replication_role = replica",
    "CREATE TABLE shadow (n integer)",
    "CREATE TEMPORARY TABLE events (n integer)",  # would shadow the log for the session
    "CREATE OR REPLACE FUNCTION goodfaith_refuse_change() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    "TRUNCATE outbox",
    "DELETE FROM schema_migrations",
])
async def test_the_runtime_role_cannot_change_the_log(pool, sql) -> None:
    store = PostgresEventStore(pool, producer="test")
    await store.append("s-1", 0, [ev(1), ev(2)], META)
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(sql)
    stream = await store.read_stream("s-1")
    assert [e.payload["n"] for e in stream.events] == [1, 2]
    assert (await store.verify()).ok


async def test_the_runtime_role_owns_nothing_and_is_no_superuser(pool) -> None:
    async with pool.acquire() as conn:
        role = await conn.fetchrow("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
                                   "WHERE rolname = current_user")
        owned = await conn.fetchval(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = current_user)")
        events = await conn.fetchval(
            "SELECT array_agg(p ORDER BY p) FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', "
            "'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p "
            "WHERE has_table_privilege('events', p)")
    assert tuple(role) == (False, False, False)
    assert owned == 0
    assert events == ["INSERT", "SELECT"]


async def test_the_runtime_role_appends_reads_and_relays(pool, infra, topic) -> None:
    store = PostgresEventStore(pool, producer="test")
    await store.append("s-1", 0, [ev(1, topic)], META)
    await store.append("s-1", 1, [ev(n, topic) for n in range(2, 30)], META)  # COPY path
    await store.append("s-1", 29, [ev(30, topic)], META, isolated=True)
    assert (await store.read_stream("s-1")).version == 30
    assert len(await store.read_all()) == 30
    assert (await store.verify()).ok
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="test")
    await producer.start()
    try:
        relay = OutboxRelay(pool, producer, service="test", idle_sleep=0.1)
        stop = asyncio.Event()
        runner = asyncio.create_task(relay.run(stop))  # advisory lock, LISTEN, DELETE
        deadline = asyncio.get_running_loop().time() + 15
        while await pool.fetchval("SELECT count(*) FROM outbox"):
            assert asyncio.get_running_loop().time() < deadline, "the relay published nothing"
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.wait_for(runner, 10)
    finally:
        await producer.stop()


async def test_granting_is_idempotent_and_refuses_a_privileged_role(database, pool) -> None:
    owner = await create_pool(database.owner_dsn, max_size=1)
    try:
        assert await migrate(owner, runtime_role=database.runtime_role) == []  # again: no-op
        superuser = await owner.fetchval("SELECT current_user")
        with pytest.raises(RuntimeRoleError):
            await migrate(owner, runtime_role=superuser)
        with pytest.raises(RuntimeRoleError, match="does not exist"):
            await migrate(owner, runtime_role="nobody_at_all")
    finally:
        await owner.close()
    store = PostgresEventStore(pool, producer="test")
    await store.append("s-1", 0, [ev(1)], META)
    assert (await store.read_stream("s-1")).version == 1


async def test_a_service_migrates_as_the_owner_and_runs_as_the_runtime_role(database) -> None:
    settings = ServiceSettings(**database.settings(), run_background=False, freeze_heap=False)
    runtime = ServiceRuntime(service="role-test", settings=settings)
    await runtime.start()
    try:
        pool = runtime.pool
        assert await pool.fetchval("SELECT current_user") == database.runtime_role
        owners = await pool.fetch("SELECT DISTINCT tableowner FROM pg_tables "
                                  "WHERE schemaname = 'public'")
        assert [r["tableowner"] for r in owners] == [urlsplit(database.owner_dsn).username]
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await pool.execute("DROP TABLE idempotency_keys")
    finally:
        await runtime.stop()


def test_the_runtime_dsn_carries_the_role_and_a_quoted_password() -> None:
    dsn = with_user("postgresql://postgres:@/t_1?host=/tmp/pg", "t_1_runtime", "a:b@c/d")
    parts = urlsplit(dsn)
    assert (parts.username, unquote(parts.password or "")) == ("t_1_runtime", "a:b@c/d")
    assert parts.path == "/t_1" and parts.query == "host=/tmp/pg"
    assert ServiceDatabase("t", "o", "r", "t_runtime").settings() == {
        "database_url": "r", "migration_database_url": "o"}
