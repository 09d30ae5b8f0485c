"""Read models written in the decision's own transaction, and the queries that read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from compliance.service_layer.gate import Verdict


async def touch_person(
    conn: asyncpg.Connection, tenant: str, person_id: str, version: int, now: datetime,
    *, profile: bool = False,
) -> None:
    await conn.execute(
        "INSERT INTO compliance_persons (tenant, person_id, has_profile, version, updated_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant, person_id) DO UPDATE SET "
        "has_profile = compliance_persons.has_profile OR EXCLUDED.has_profile, "
        "version = EXCLUDED.version, updated_at = EXCLUDED.updated_at",
        tenant, person_id, profile, version, now)


_SAVE_SNAPSHOT = (
    "INSERT INTO compliance_snapshots (stream_id, version, state) VALUES ($1, $2, $3) "
    "ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state "
    "WHERE compliance_snapshots.version < EXCLUDED.version")


async def save_snapshot(
    conn: asyncpg.Connection, stream_id: str, version: int, sealed: str,
) -> None:
    """The person's snapshot at `version`, just appended in this transaction."""
    await conn.execute(_SAVE_SNAPSHOT, stream_id, version, sealed)


_RECORD_DECISION = (
    "WITH decision AS (INSERT INTO compliance_decisions (decision_id, tenant, person_id, "
    "request_id, stream_id, stream_version, source, outcome, pack_version, approval_id, "
    "decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)) "
    "INSERT INTO compliance_snapshots (stream_id, version, state) VALUES ($5, $12, $13) "
    "ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state "
    "WHERE compliance_snapshots.version < EXCLUDED.version")


async def record_decision(
    conn: asyncpg.Connection, tenant: str, verdict: Verdict, stream_id: str, version: int,
    snapshot_version: int, snapshot: str,
) -> None:
    """The decision row and the person's new snapshot, in one statement."""
    await conn.execute(
        _RECORD_DECISION,
        verdict.decision_id, tenant, verdict.request.person_id, verdict.request.request_id,
        stream_id, version, verdict.request.source, verdict.decision.outcome.value,
        verdict.decision.pack_version,
        verdict.approval.approval_id if verdict.approval else None, verdict.decided_at,
        snapshot_version, snapshot)


async def record_violation(conn: asyncpg.Connection, tenant: str, row: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO compliance_violations (violation_id, tenant, person_id, attempt_id, "
        "approval_id, reason, channel, attempted_at, recorded_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        row["violation_id"], tenant, row["person_id"], row["attempt_id"], row["approval_id"],
        row["reason"], row["channel"], row["attempted_at"], row["recorded_at"])


async def decision_location(
    conn: asyncpg.Connection, tenant: str, decision_id: str,
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT person_id, stream_id, stream_version, source FROM compliance_decisions "
        "WHERE tenant = $1 AND decision_id = $2", tenant, decision_id)
    return row


async def stored_payload(conn: asyncpg.Connection, stream_id: str, version: int) -> Any:
    return await conn.fetchval(
        "SELECT payload FROM events WHERE stream_id = $1 AND stream_version = $2",
        stream_id, version)


async def violations_page(
    conn: asyncpg.Connection, tenant: str, after: list[Any] | None, limit: int,
    person_id: str | None,
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT violation_id, person_id, attempt_id, approval_id, reason, channel, "
        "attempted_at, recorded_at FROM compliance_violations WHERE tenant = $1 "
        "AND ($2::text IS NULL OR person_id = $2) AND ($3::timestamptz IS NULL OR "
        "(recorded_at, violation_id) > ($3::timestamptz, $4::text)) "
        "ORDER BY recorded_at, violation_id LIMIT $5",
        tenant, person_id, datetime.fromisoformat(after[0]) if after else None,
        after[1] if after else None, limit)
    return rows
