"""Read models written in the decision's own transaction, and the queries that read them."""

from __future__ import annotations

from collections.abc import Sequence
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


async def set_household(
    conn: asyncpg.Connection, tenant: str, person_id: str, members: Sequence[str],
) -> None:
    """The members the person's latest profile names (decisions.md D-55), in one statement."""
    await conn.execute(
        "WITH gone AS (DELETE FROM compliance_household WHERE tenant = $1 AND person_id = $2 "
        "AND member_id <> ALL($3::text[])) "
        "INSERT INTO compliance_household (tenant, person_id, member_id) "
        "SELECT $1, $2, m FROM unnest($3::text[]) AS m ON CONFLICT DO NOTHING",
        tenant, person_id, list(members))


async def household_of(conn: asyncpg.Connection, tenant: str, person_id: str) -> dict[str, Any]:
    """Whom the person's profile names as household, and whose profiles name them (D-55)."""
    row = await conn.fetchrow(
        "SELECT ARRAY(SELECT member_id FROM compliance_household WHERE tenant = $1 "
        "AND person_id = $2 ORDER BY member_id) AS names, "
        "ARRAY(SELECT person_id FROM compliance_household WHERE tenant = $1 "
        "AND member_id = $2 ORDER BY person_id) AS named_by", tenant, person_id)
    return {"names": list(row["names"]), "named_by": list(row["named_by"])}


# The decision's row is written by the statement of its append (compliance_append_decision,
# migrations/004_append_statements.sql), with the person's new snapshot.
DECISION_FUNCTION = "compliance_append_decision"


def decision_args(verdict: Verdict, stream_version: int) -> tuple[Any, ...]:
    """compliance_append_decision's own arguments: the row for `verdict`, whose first event is
    stored at `stream_version`."""
    approval = verdict.approval
    return (verdict.decision_id, verdict.request.person_id, verdict.request.request_id,
            stream_version, verdict.request.source, verdict.decision.outcome.value,
            verdict.decision.pack_version, approval.approval_id if approval else None,
            verdict.decided_at)


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
