"""Read side: decisions by id with their rule trace, a person's recorded profile and current
restrictions, violations. Tenant-scoped: another tenant's id reads as unknown."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from compliance.adapters import projections
from compliance.adapters.person_stream import PersonStreams
from compliance.service_layer import events as ev
from compliance.service_layer.records import expand_record, unpack_context

# Fields of the stored decision record that are sealed personal data or internal.
_HIDDEN = ("endpoint", "context", "approval")


async def decision_view(
    conn: asyncpg.Connection, tenant: str, decision_id: str,
) -> dict[str, Any] | None:
    where = await projections.decision_location(conn, tenant, decision_id)
    if where is None:
        return None
    rows = await conn.fetch(
        "SELECT type, payload FROM events WHERE stream_id = $1 AND stream_version IN ($2, $3) "
        "ORDER BY stream_version", where["stream_id"], where["stream_version"],
        where["stream_version"] + 1)
    recorded, public = rows[0]["payload"], rows[1]
    record = expand_record(recorded["record"])
    view = {k: v for k, v in recorded.items() if k not in (*_HIDDEN, "record")}
    view.update({
        "packs": record["packs"], "reasons": record["reasons"], "retry_at": record["retry_at"],
        "obligations": record["obligations"],
        # An unmet REQUIRE is recorded as BLOCK, so these are exactly Decision.failing.
        "failing": [r for r in record["trace"] if r["outcome"] in ("BLOCK", "PAUSE", "REVIEW")],
        "trace": record["trace"],
        "approval": _public(public, ev.CONTACT_APPROVED),
        "blocked": _public(public, ev.CONTACT_BLOCKED),
        "replayable": recorded.get("context") is not None,
    })
    return view


def _public(row: asyncpg.Record, type_: str) -> dict[str, Any] | None:
    if row["type"] != type_:
        return None
    payload = dict(row["payload"])
    payload.pop("endpoint", None)  # personal: the dispatcher got it on the topic
    return payload


async def recorded_context(
    conn: asyncpg.Connection, streams: PersonStreams, tenant: str, decision_id: str,
) -> tuple[str | None, str, dict[str, Any]] | None:
    """(sealed-then-opened context JSON or None, pack version, recorded decision record)."""
    where = await projections.decision_location(conn, tenant, decision_id)
    if where is None:
        return None
    payload = await projections.stored_payload(conn, where["stream_id"],
                                               where["stream_version"])
    context = None
    if payload.get("context") is not None:
        opened = await streams.unseal(conn, tenant, where["person_id"],
                                      {"context": payload["context"]})
        context = opened["context"]
        if isinstance(context, str):
            context = unpack_context(context)
    return context, payload["pack_version"], expand_record(payload["record"])


async def person_exists(conn: asyncpg.Connection, tenant: str, person_id: str) -> bool:
    return bool(await conn.fetchval(
        "SELECT true FROM compliance_persons WHERE tenant = $1 AND person_id = $2",
        tenant, person_id))


def as_json(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value))
