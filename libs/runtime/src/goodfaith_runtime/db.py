"""PostgreSQL connections and migrations.

Migrations are plain SQL files applied in name order, each once, under an advisory lock so
several instances starting together do not race. The runtime's own schema comes first.

Migrations run as the role that owns the schema; the service's own pool should connect as
another role that owns nothing (`grant_runtime_role`, applied by `migrate(runtime_role=...)` in
the migration's transaction): it may read and append to the event log but not change, empty,
drop or alter it, so the append-only triggers cannot be switched off with its credentials.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

import asyncpg
import orjson

_MIGRATION_LOCK = 0x600DFA17


def _jsonb_encode(value: object) -> bytes:
    # jsonb's binary wire format is a version byte (1) followed by the JSON text.
    text = value.encode() if isinstance(value, str) else orjson.dumps(value)
    return b"\x01" + text


def _jsonb_decode(data: bytes) -> object:
    return orjson.loads(data[1:])


def _json_encode(value: object) -> bytes:
    # json's binary wire format is the JSON text itself.
    return value.encode() if isinstance(value, str) else orjson.dumps(value)


# asyncpg sends date.max/min and datetime.max/min as PostgreSQL's +-infinity, so a real date a
# caller gave (9999-12-31, 0001-01-01) was stored as another value, and date arithmetic on it
# failed ("cannot subtract infinite dates", a 500 found by fuzzing the ledger). These codecs
# send every date and instant as itself, in asyncpg's tuple form of the binary format (days or
# microseconds since 2000-01-01); only a stored infinity, which goodfaith never writes, still
# reads back as the extreme value. Measured against asyncpg's C codec: decoding 100,000
# timestamps 83-91 against 63-72 ms (+0.15-0.3 us a value), encoding no difference. (No column
# is a naive timestamp: that type keeps asyncpg's codec.)
_PG_EPOCH_DAY = date(2000, 1, 1)
_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_INT32_MAX, _INT64_MAX = 2**31 - 1, 2**63 - 1


def _date_encode(day: date) -> tuple[int]:
    return ((day - _PG_EPOCH_DAY).days,)


def _date_decode(value: tuple[int]) -> date:
    days = value[0]
    if days == _INT32_MAX:
        return date.max
    if days == -_INT32_MAX - 1:
        return date.min
    return _PG_EPOCH_DAY + timedelta(days=days)


def _instant_encode(instant: datetime) -> tuple[int]:
    # A naive value is read as local time, as asyncpg's own codec does (goodfaith has none).
    return ((instant.astimezone(UTC) - _PG_EPOCH) // _MICROSECOND,)


def _instant_decode(value: tuple[int]) -> datetime:
    micros = value[0]
    if micros == _INT64_MAX:
        return datetime.max.replace(tzinfo=UTC)
    if micros == -_INT64_MAX - 1:
        return datetime.min.replace(tzinfo=UTC)
    return _PG_EPOCH + timedelta(microseconds=micros)


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_, encoder, decoder in (("date", _date_encode, _date_decode),
                                    ("timestamptz", _instant_encode, _instant_decode)):
        await conn.set_type_codec(type_, encoder=encoder, decoder=decoder, schema="pg_catalog",
                                  format="tuple")
    await conn.set_type_codec(
        "json", encoder=_json_encode, decoder=orjson.loads, schema="pg_catalog", format="binary",
    )
    await conn.set_type_codec(
        "jsonb", encoder=_jsonb_encode, decoder=_jsonb_decode, schema="pg_catalog",
        format="binary",
    )


async def _end_of_lease(conn: asyncpg.Connection) -> None:
    """What a released connection needs beyond asyncpg's own clean-up, which always rolls back
    a transaction left open and drops the client's listeners: nothing.

    asyncpg's default sends one more statement on every release (unlock every advisory lock,
    close cursors, UNLISTEN, RESET ALL): a round trip per command, per consumed batch and per
    HTTP request, for session state goodfaith never leaves on a pooled connection. Its locks
    are taken per transaction (pg_advisory_xact_lock), it changes no session setting, cursors
    live inside transactions, and the one session lock and LISTEN, the outbox relay's, are
    given back by its step-down, which terminates the connection should that fail. Code that
    takes session state on a pooled connection must do the same."""


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection, reset=_end_of_lease,
    )
    assert pool is not None
    return pool


def runtime_migrations() -> list[tuple[str, str]]:
    folder = resources.files("goodfaith_runtime") / "sql"
    files = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(f"runtime/{name}", (folder / name).read_text()) for name in files]


def folder_migrations(folder: Path, prefix: str) -> list[tuple[str, str]]:
    return [(f"{prefix}/{p.name}", p.read_text()) for p in sorted(folder.glob("*.sql"))]


# Tables the runtime role may read and append to, never change: the triggers refuse UPDATE,
# DELETE and TRUNCATE on them too, but only a role that does not own them cannot switch the
# triggers off (ALTER TABLE ... DISABLE TRIGGER) or drop them.
APPEND_ONLY_TABLES = ("events",)
# Tables the runtime role only reads (none of its code writes them).
READ_ONLY_TABLES = ("schema_migrations",)


class RuntimeRoleError(RuntimeError):
    """The role named to run the service is not a least-privilege one."""


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _check_runtime_role(conn: asyncpg.Connection, role: str) -> None:
    row = await conn.fetchrow(
        "SELECT r.rolsuper OR r.rolbypassrls AS privileged, "
        # MEMBER, not USAGE: a NOINHERIT member could still SET ROLE to the owner.
        "pg_has_role(r.oid, current_user, 'MEMBER') AS owner_rights, "
        "(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        " WHERE n.nspname = 'public' AND pg_has_role(r.oid, c.relowner, 'MEMBER')) AS owned "
        "FROM pg_roles r WHERE r.rolname = $1", role)
    if row is None:
        raise RuntimeRoleError(f"the runtime role {role!r} does not exist")
    if row["privileged"] or row["owner_rights"] or row["owned"]:
        raise RuntimeRoleError(
            f"the runtime role {role!r} is a superuser, the migration role or one of its "
            "members, or owns tables: it must be a role that owns nothing")


async def grant_runtime_role(conn: asyncpg.Connection, role: str) -> None:
    """Give `role` what a running service needs on the schema `conn`'s role owns, and no more.

    Idempotent, run after every migration (so tables a later migration adds are covered):
    SELECT/INSERT on the append-only tables, SELECT on the migration record, SELECT, INSERT,
    UPDATE, DELETE on every other table, the sequences behind bigserial columns, EXECUTE on
    the schema's functions. Never TRUNCATE, REFERENCES or TRIGGER, no CREATE on the schema and
    no temporary tables: the role owns nothing, so it can neither alter, disable the triggers
    of, nor drop any table. Raises RuntimeRoleError for a role that is a superuser or has the
    owner's rights.
    """
    await _check_runtime_role(conn, role)
    who = quote_ident(role)
    append_only = ", ".join(APPEND_ONLY_TABLES)
    read_only = ", ".join(READ_ONLY_TABLES)
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {who}",
        f"REVOKE CREATE ON SCHEMA public FROM {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {who}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {who}",
        f"REVOKE UPDATE, DELETE ON {append_only} FROM {who}",
        f"REVOKE INSERT, UPDATE, DELETE ON {read_only} FROM {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}",
        f"REVOKE UPDATE ON ALL SEQUENCES IN SCHEMA public FROM {who}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {who}",
    ):
        await conn.execute(statement)
    # PostgreSQL lets every role create temporary tables (a right of PUBLIC on the database):
    # a service needs none, and a role that can create objects of its own can shadow the
    # service's tables in its search path for the session.
    database = quote_ident(await conn.fetchval("SELECT current_database()"))
    for statement in (f"REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC",
                      f"REVOKE TEMPORARY ON DATABASE {database} FROM {who}"):
        await conn.execute(statement)


async def migrate(pool: asyncpg.Pool, extra: Sequence[tuple[str, str]] = (), *,
                  runtime_role: str | None = None) -> list[str]:
    """Apply the runtime schema then `extra` (name, sql) pairs; return the names applied.

    With `runtime_role`, grant it the running service's rights in the same transaction
    (`grant_runtime_role`); `pool` must then connect as the schema's owner."""
    applied: list[str] = []
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
        for name, sql in [*runtime_migrations(), *extra]:
            if name in done:
                continue
            await conn.execute(sql)
            await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
            applied.append(name)
        if runtime_role is not None:
            await grant_runtime_role(conn, runtime_role)
    return applied
