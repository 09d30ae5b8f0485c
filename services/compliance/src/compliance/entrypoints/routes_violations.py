"""Contact attempts made without a valid approval (gate steps 3 and 4)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from compliance.adapters import projections
from compliance.entrypoints.deps import App, Reader, read
from goodfaith_runtime.http import decode_cursor, encode_cursor

router = APIRouter(prefix="/v1", tags=["violations"])


@router.get("/violations", summary="Recorded protocol violations, oldest first")
async def violations(
    principal: Reader, app: App, cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    person_id: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    after = decode_cursor(cursor)
    rows = await read(app, lambda conn: projections.violations_page(
        conn, principal.tenant, after, limit, person_id))
    items = [dict(r) for r in rows]
    last = items[-1] if len(items) == limit else None
    return {"items": items, "next_cursor": encode_cursor(
        [last["recorded_at"].isoformat(), last["violation_id"]]) if last else None}
