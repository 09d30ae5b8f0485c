"""Auth, problem+json and idempotency keys through a real FastAPI app."""

import contextlib
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Header
from pydantic import BaseModel

import goodfaith_runtime.service  # noqa: F401  (a service process registers the outbox metrics)
from goodfaith_runtime.auth import Principal, TokenVerifier, mint_token, require
from goodfaith_runtime.clock import ManualClock
from goodfaith_runtime.db import create_pool, migrate, runtime_migrations
from goodfaith_runtime.eventstore import ConcurrencyError, InvalidEvent
from goodfaith_runtime.http import (
    create_service_app,
    decode_cursor,
    encode_cursor,
    idempotent_replay,
    remember_response,
    request_fingerprint,
)
from goodfaith_runtime.pii import KeyUnwrapError
from goodfaith_runtime.problems import PROBLEM_TYPE_BASE, Problem

KEY = "k" * 40


class Body(BaseModel):
    amount_minor: int
    note: str | None = None
    extra: dict[str, str] = {}


def make_app(pool=None) -> FastAPI:
    router = APIRouter()

    @router.post("/v1/things", status_code=201)
    async def create(body: Body, who: Principal = Depends(require("things:write")),
                     idempotency_key: str | None = Header(default=None)) -> dict:
        async with pool.acquire() as conn, conn.transaction():
            fp = request_fingerprint("POST", "/v1/things", body.model_dump())
            replay = await idempotent_replay(conn, tenant=who.tenant, key=idempotency_key,
                                             fingerprint=fp)
            if replay:
                return replay[1]
            n = await conn.fetchval("SELECT count(*) FROM idempotency_keys") + 1
            answer = {"tenant": who.tenant, "n": n}
            await remember_response(conn, tenant=who.tenant, key=idempotency_key,
                                    fingerprint=fp, status=201, response=answer)
            return answer

    @router.get("/v1/broken")
    async def broken() -> dict:
        raise RuntimeError("Jane Roe's secret")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.token_verifier = TokenVerifier(KEY, algorithms=["HS256"],
                                                 audience="goodfaith", issuer="goodfaith-dev")
        yield

    return create_service_app(name="t", version="0", description="", lifespan=lifespan,
                              routers=[router])


def token(scopes=("things:write",), tenant="acme", **kw) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(KEY, subject="app", tenant=tenant,
                                                    scopes=list(scopes), **kw)}


@contextlib.asynccontextmanager
async def client_for(app: FastAPI):
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client


@pytest.fixture
async def app_client(pool):  # idempotency_keys is in the runtime's schema
    async with client_for(make_app(pool)) as client:
        yield client


@pytest.mark.integration
async def test_missing_wrong_or_expired_tokens_get_problem_json(app_client) -> None:
    cases = [
        ({}, 401, "missing-token"),
        ({"Authorization": "Bearer nonsense"}, 401, "invalid-token"),
        (token(scopes=["other"]), 403, "insufficient-scope"),
        (token(clock=ManualClock(datetime.now(UTC) - timedelta(days=2))), 401, "invalid-token"),
        (token(tenant="t" * 101), 401, "invalid-token"),
    ]
    for headers, status, kind in cases:
        response = await app_client.post("/v1/things", json={"amount_minor": 1}, headers=headers)
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith(kind)


@pytest.mark.integration
async def test_invalid_bodies_get_422_problem_without_echoing_input(app_client) -> None:
    response = await app_client.post("/v1/things", json={"amount_minor": "Jane Roe"},
                                     headers=token())
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "Jane Roe" not in response.text


@pytest.mark.integration
@pytest.mark.parametrize(("body", "loc", "kind"), [
    (b'{"amount_minor": 1, "note": "Jane\\u0000Roe"}', ["body", "note"], "unstorable_text"),
    (b'{"amount_minor": 1, "note": "Jane\\udaf0Roe"}', ["body", "note"], "unstorable_text"),
    (b'{"amount_minor": 1, "extra": {"Jane\\u0000": "x"}}', ["body", "extra", "<key>"],
     "unstorable_text"),
    (b'{"amount_minor": 9223372036854775808}', ["body", "amount_minor"], "integer_out_of_range"),
    (b'{"amount_minor": -9223372036854775809}', ["body", "amount_minor"], "integer_out_of_range"),
    (b'{"amount_minor": NaN}', ["body", "amount_minor"], "not_finite"),
    (b'{"amount_minor": 1e400}', ["body", "amount_minor"], "not_finite"),
    (b'{"amount_minor": 1, "extra": ' + b"[" * 5000 + b"]" * 5000 + b"}", ["body"], "too_deep"),
])
async def test_values_no_database_can_store_get_422_problem_naming_where(
        app_client, body, loc, kind) -> None:
    response = await app_client.post("/v1/things", content=body, headers={
        **token(), "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("validation")
    assert [(e["loc"], e["type"]) for e in problem["errors"]] == [(loc, kind)]
    assert "Roe" not in response.text


@pytest.mark.integration
async def test_the_edges_of_64_bits_and_plain_text_are_stored(app_client) -> None:
    for amount in (2**63 - 1, -(2**63)):
        response = await app_client.post(
            "/v1/things", json={"amount_minor": amount, "note": "Zoë \u2603 \U0001F600"},
            headers=token())
        assert response.status_code == 201, response.text


@pytest.mark.integration
async def test_nul_in_the_query_string_and_oversized_bodies_are_refused(app_client) -> None:
    response = await app_client.post("/v1/things?x=a%00b", json={"amount_minor": 1},
                                     headers=token())
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["query", "x"]
    response = await app_client.post(
        "/v1/things", content=b'{"amount_minor": 1, "note": "' + b"a" * (1 << 20) + b'"}',
        headers={**token(), "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["type"].endswith("body-too-large")


async def test_an_unexpected_error_is_a_500_problem_without_its_text() -> None:
    app = make_app()
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://t") as client:
        response = await client.get("/v1/broken")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("internal")
    assert "Roe" not in response.text


@pytest.mark.integration
async def test_idempotency_key_replays_and_refuses_a_different_body(app_client) -> None:
    headers = {**token(), "Idempotency-Key": "abc"}
    first = await app_client.post("/v1/things", json={"amount_minor": 5}, headers=headers)
    again = await app_client.post("/v1/things", json={"amount_minor": 5}, headers=headers)
    assert first.json() == again.json()
    other = await app_client.post("/v1/things", json={"amount_minor": 6}, headers=headers)
    assert other.status_code == 422 and other.json()["type"].endswith("idempotency-key-reused")
    # The same key in another tenant is another key.
    theirs = await app_client.post("/v1/things", json={"amount_minor": 6},
                                   headers={**token(tenant="zeta"), "Idempotency-Key": "abc"})
    assert theirs.status_code == 201 and theirs.json()["tenant"] == "zeta"


# The table as services created it at start before 009 (`runtime/idempotency.sql`).
_BEFORE_009 = """CREATE TABLE idempotency_keys (tenant text NOT NULL, key text NOT NULL,
    request_hash bytea NOT NULL, status integer NOT NULL, response jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant, key))"""


@pytest.mark.integration
async def test_a_database_whose_service_created_the_table_gains_the_subject(database) -> None:
    before = [m for m in runtime_migrations() if m[0] < "runtime/009"]
    owner = await create_pool(database.owner_dsn, max_size=1)
    try:
        async with owner.acquire() as conn, conn.transaction():
            await conn.execute("CREATE TABLE schema_migrations (name text PRIMARY KEY, "
                               "applied_at timestamptz NOT NULL DEFAULT now())")
            for name, sql in [*before, ("runtime/idempotency.sql", _BEFORE_009)]:
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
            await conn.execute("INSERT INTO idempotency_keys (tenant, key, request_hash, "
                               "status, response) VALUES ('acme', 'k', '\\x00', 201, '{}')")
        assert await migrate(owner, runtime_role=database.runtime_role) == [
            "runtime/009_idempotency_subject.sql"]
        row = await owner.fetchrow("SELECT status, response, subject FROM idempotency_keys")
        assert tuple(row) == (201, {}, None)
        assert await owner.fetchval("SELECT count(*) FROM pg_indexes WHERE indexname = "
                                    "'idempotency_keys_subject'") == 1
    finally:
        await owner.close()


async def test_health_is_open_and_metrics_are_exposed() -> None:
    async with client_for(make_app()) as client:
        assert (await client.get("/health/live")).status_code == 200
        assert "goodfaith_outbox_backlog" in (await client.get("/metrics")).text


def test_a_tenant_no_event_envelope_can_carry_is_refused_at_the_token() -> None:
    verifier = TokenVerifier(KEY, algorithms=["HS256"], audience="goodfaith",
                             issuer="goodfaith-dev")

    def tenant_of(tenant: str) -> str:
        return verifier.verify(mint_token(KEY, subject="app", tenant=tenant, scopes=[])).tenant

    assert tenant_of("t" * 100) == "t" * 100  # Envelope.tenant's limit
    with pytest.raises(Problem) as err:
        tenant_of("t" * 101)
    assert (err.value.status, err.value.type) == (401, PROBLEM_TYPE_BASE + "invalid-token")


async def test_store_and_keyring_refusals_are_problems_without_their_text() -> None:
    router = APIRouter()

    @router.post("/v1/invalid")
    async def invalid() -> dict:
        raise InvalidEvent("t.Registered: payload is not canonical JSON: 'Jane Roe'")

    @router.post("/v1/conflict")
    async def conflict() -> dict:
        raise ConcurrencyError("person-jane", 3)

    @router.post("/v1/unwrap")
    async def unwrap() -> dict:
        raise KeyUnwrapError("person-jane's key")

    app = create_service_app(name="t", version="0", description="",
                             lifespan=contextlib.asynccontextmanager(_no_state),
                             routers=[router])
    async with client_for(app) as client:
        answers = {path: await client.post(path)
                   for path in ("/v1/invalid", "/v1/conflict", "/v1/unwrap")}
    assert {path: (r.status_code, r.json()["type"].rsplit("/", 1)[-1])
            for path, r in answers.items()} == {
        "/v1/invalid": (422, "invalid-event"), "/v1/conflict": (409, "concurrency-conflict"),
        "/v1/unwrap": (503, "key-unavailable")}
    for response in answers.values():
        assert response.headers["content-type"] == "application/problem+json"
        assert "Jane" not in response.text and "jane" not in response.text


async def _no_state(app: FastAPI):  # type: ignore[no-untyped-def]
    yield


def test_cursors_round_trip_and_garbage_is_a_400() -> None:
    assert decode_cursor(encode_cursor(["2026-01-01", "id-9"])) == ["2026-01-01", "id-9"]
    with pytest.raises(Problem) as err:
        decode_cursor("%%%")
    assert err.value.status == 400


def test_the_openapi_document_lists_the_problem_answers() -> None:
    doc = make_app().openapi()
    assert "HTTPValidationError" not in str(doc) and "Problem" in doc["components"]["schemas"]
    create = doc["paths"]["/v1/things"]["post"]["responses"]
    # Secured, a write with a body and an Idempotency-Key header:
    assert set(create) == {"201", "400", "401", "403", "404", "409", "413", "422", "500"}
    for status, response in create.items():
        if status != "201":
            assert list(response["content"]) == ["application/problem+json"], status
    assert set(doc["paths"]["/v1/broken"]["get"]["responses"]) == {"200", "422", "500"}
