"""PostgreSQL connections and migrations.

Migrations are plain SQL files applied in name order, each once, under an advisory lock so
several instances starting together do not race. The runtime's own schema comes first.
"""

from __future__ import annotations

from collections.abc import Sequence
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


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "json", encoder=_json_encode, decoder=orjson.loads, schema="pg_catalog", format="binary",
    )
    await conn.set_type_codec(
        "jsonb", encoder=_jsonb_encode, decoder=_jsonb_decode, schema="pg_catalog",
        format="binary",
    )


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection,
    )
    assert pool is not None
    return pool


def runtime_migrations() -> list[tuple[str, str]]:
    folder = resources.files("goodfaith_runtime") / "sql"
    files = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(f"runtime/{name}", (folder / name).read_text()) for name in files]


def folder_migrations(folder: Path, prefix: str) -> list[tuple[str, str]]:
    return [(f"{prefix}/{p.name}", p.read_text()) for p in sorted(folder.glob("*.sql"))]


async def migrate(pool: asyncpg.Pool, extra: Sequence[tuple[str, str]] = ()) -> list[str]:
    """Apply the runtime schema then `extra` (name, sql) pairs; return the names applied."""
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
    return applied
