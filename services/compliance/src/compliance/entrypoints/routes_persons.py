"""Facts that arrive at compliance directly: the person's profile (until the ledger publishes
it) and typed facts such as a cease letter, an attorney notice, a consent or a designation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from compliance.adapters import projections, queries
from compliance.entrypoints.deps import (
    App,
    IdempotencyKey,
    PersonId,
    Reader,
    Writer,
    idempotent,
    read,
)
from compliance.service_layer import views
from compliance.service_layer.facts import Fact, Profile
from compliance.service_layer.state import PersonState
from goodfaith_runtime.problems import Problem

router = APIRouter(prefix="/v1/persons", tags=["persons"])


async def _load(conn: Any, app: App, tenant: str, person_id: str) -> PersonState:
    if not await queries.person_exists(conn, tenant, person_id):
        raise Problem(404, "Unknown person", type_="unknown-person")
    state: PersonState = await app.streams.load(conn, tenant, person_id)
    return state


async def _state(app: App, tenant: str, person_id: str) -> PersonState:
    found: PersonState = await read(app, lambda conn: _load(conn, app, tenant, person_id))
    return found


@router.put("/{person_id}/profile", summary="Record the person's profile (replaces it)")
async def put_profile(
    person_id: PersonId, body: Profile, principal: Writer, app: App,
) -> dict[str, Any]:
    if body.person.person_id != person_id:
        raise Problem(422, "Person id mismatch", "person.person_id must equal the path's",
                      type_="person-id-mismatch")

    async def work(conn: Any) -> int:
        version: int = await app.service.record_profile(conn, principal.tenant, body)
        return version

    async with app.runtime.pool.acquire() as conn, conn.transaction():
        version = await work(conn)
    return {"person_id": person_id, "version": version}


@router.get("/{person_id}/profile", summary="The recorded profile and facts")
async def get_profile(person_id: PersonId, principal: Reader, app: App) -> dict[str, Any]:
    return views.profile(await _state(app, principal.tenant, person_id))


@router.post("/{person_id}/facts", status_code=201, summary="Record a fact about the person")
async def post_fact(
    person_id: PersonId, fact: Annotated[Fact, Body()], request: Request, principal: Writer,
    app: App, key: IdempotencyKey = None,
) -> JSONResponse:
    async def work(conn: Any) -> dict[str, Any]:
        fact_id = await app.service.record_fact(conn, principal.tenant, person_id, fact)
        return {"fact_id": fact_id, "person_id": person_id, "fact": fact.fact}

    return await idempotent(app, request, principal, fact.model_dump(mode="json"), key, work)


@router.get("/{person_id}/restrictions", summary="Restrictions and holds in force")
async def get_restrictions(person_id: PersonId, principal: Reader, app: App) -> dict[str, Any]:
    """Also the household whose contacts count with this person's (decisions.md D-55)."""
    async def both(conn: Any) -> dict[str, Any]:  # one connection for the two reads
        state = await _load(conn, app, principal.tenant, person_id)
        household = await projections.household_of(conn, principal.tenant, person_id)
        return {**views.restrictions(state, app.clock.now()), "household": household}

    found: dict[str, Any] = await read(app, both)
    return found
