"""HTTP basics every service shares: the app factory, health and readiness, metrics,
problem+json, idempotency keys and cursors."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Annotated, Any, NamedTuple

import asyncpg
import orjson
import structlog
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field

from goodfaith_runtime.problems import Problem, document_problems, install_problem_handlers
from goodfaith_runtime.storable import StorableInput

ReadyCheck = Callable[[], Awaitable[bool]]
_log = structlog.get_logger("goodfaith.http")

health_router = APIRouter(tags=["health"])


@health_router.get("/health/live", include_in_schema=False)
async def live() -> dict[str, str]:
    return {"status": "live"}


@health_router.get("/health/ready", include_in_schema=False)
async def ready(request: Request) -> JSONResponse:
    checks: dict[str, ReadyCheck] = getattr(request.app.state, "ready_checks", {})
    results = {}
    for name, check in checks.items():
        try:
            results[name] = await check()
        except Exception:
            results[name] = False
    ok = all(results.values())
    return JSONResponse({"status": "ready" if ok else "not ready", "checks": results},
                        status_code=200 if ok else 503)


@health_router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


# --- Case files ----------------------------------------------------------------------------

CASE_FILE_MAX_EVENTS = 50_000
_StreamId = Annotated[str, Field(min_length=1, max_length=200)]


class CaseFileRequest(BaseModel):
    """Which streams the case file holds: streams by id, and trees (a stream and every stream
    under `<id>/`), as `goodfaith case-file export` takes them."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"trees": ["ledger/acme/debt/D-1"], "streams": []},
        {"trees": ["compliance-person/acme/P-1"]},
    ]})

    streams: list[_StreamId] = Field(default_factory=list, max_length=100)
    trees: list[_StreamId] = Field(default_factory=list, max_length=100)


def case_file_router(service: str) -> APIRouter:
    """`POST /v1/case-files`: the case file (goodfaith_runtime.casefile) of streams of this
    service's log, for a caller with the `<service>:audit` scope, of its own tenant only: a
    stream of another tenant reads as not found. Signed with the deployment's case-file key,
    whose public half `GET /v1/case-files/signing-key` names. Each export is logged: who, how
    many streams and events, and the content's SHA-256 (no stream ids: they name persons and
    debts)."""
    from goodfaith_runtime.auth import Principal, require
    from goodfaith_runtime.casefile import SIGNATURE_ALGORITHM, CaseFileError, export_case_file
    from goodfaith_runtime.signing import key_id, public_key_text

    router = APIRouter(tags=["case files"])
    scope = f"{service}:audit"

    @router.post("/v1/case-files", summary="Export a case file of whole streams",
                 description=f"Needs the scope `{scope}`. Verify the answer offline with "
                             "`goodfaith case-file verify FILE --public-key KEY`, KEY the "
                             "`public_key` of `GET /v1/case-files/signing-key`.")
    async def export(body: CaseFileRequest, request: Request,
                     principal: Principal = Depends(require(scope))) -> Response:
        try:
            document = await export_case_file(
                request.app.state.runtime.pool, streams=body.streams, trees=body.trees,
                generated_by=principal.subject, tenant=principal.tenant,
                max_events=CASE_FILE_MAX_EVENTS, source=service,
                signing_key=request.app.state.runtime.case_file_key)
        except CaseFileError as exc:
            raise Problem(422, "Case file not exported", str(exc),
                          type_="case-file-refused") from exc
        # Stream ids name persons and debts: the log keeps counts and the content's digest,
        # which identifies the exported file, not what it is about.
        _log.info("casefile.exported", subject=principal.subject, tenant=principal.tenant,
                  streams=len(document["streams"]),
                  events=sum(len(s["events"]) for s in document["streams"]),
                  content_sha256=document["content_sha256"])
        # Rendered once by orjson: FastAPI's own encoding of a 50,000-event document held the
        # event loop for most of a second.
        return Response(orjson.dumps(document), media_type="application/json")

    @router.get("/v1/case-files/signing-key", summary="The key that verifies case files",
                description=f"Needs the scope `{scope}`. A recipient should get this key from "
                            "the operator by a channel of its own, not from the file it checks.")
    async def signing_key(request: Request,
                          principal: Principal = Depends(require(scope))) -> dict[str, str]:
        public = public_key_text(request.app.state.runtime.case_file_key)
        return {"algorithm": SIGNATURE_ALGORITHM, "key_id": key_id(public), "public_key": public,
                "encoding": "base64 of the raw 32 bytes",
                "signed_bytes": "goodfaith_runtime.casefile.signed_bytes(content_sha256)"}

    return router


def create_service_app(
    *, name: str, version: str, description: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]],
    routers: Sequence[APIRouter],
) -> FastAPI:
    app = FastAPI(title=f"goodfaith {name}", version=version, description=description,
                  lifespan=lifespan)
    install_problem_handlers(app)
    document_problems(app)
    app.add_middleware(StorableInput)
    app.include_router(health_router)
    app.include_router(case_file_router(name))
    for router in routers:
        app.include_router(router)
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, excluded_urls="health/live,health/ready,metrics",
        exclude_spans=["receive", "send"],
    )
    return app


# --- Idempotency-Key on creating POSTs -----------------------------------------------------
# The `idempotency_keys` table is the runtime's (sql/009_idempotency_subject.sql). A stored
# answer may name its `subject`, the keyring person id whose personal data it shows: erasing
# the person sets it to JSON null (`purge_answers_about`), keeping the row, so the key still
# means "done" and the caller's replay answers what is true now instead (None from
# `idempotent_replay`), never running the request again.


class StoredAnswer(NamedTuple):
    status: int
    # None once purged at the erasure of its subject.
    response: Any
    subject: str | None


def request_fingerprint(method: str, path: str, body: Any) -> bytes:
    return hashlib.sha256(orjson.dumps([method, path, body], option=orjson.OPT_SORT_KEYS)).digest()


async def idempotent_replay(
    conn: asyncpg.Connection, *, tenant: str, key: str | None, fingerprint: bytes,
) -> StoredAnswer | None:
    """Inside the command's transaction: lock the key, and return the stored answer if this
    exact request was already served (its response None if its subject was erased since). A
    reused key with another body is a 422 problem."""
    if key is None:
        return None
    if not 1 <= len(key) <= 200:
        raise Problem(400, "Invalid Idempotency-Key", "use 1 to 200 characters",
                      type_="invalid-idempotency-key")
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{tenant}/{key}")
    row = await conn.fetchrow(
        "SELECT request_hash, status, response, subject FROM idempotency_keys "
        "WHERE tenant=$1 AND key=$2", tenant, key)
    if row is None:
        return None
    if bytes(row["request_hash"]) != fingerprint:
        raise Problem(422, "Idempotency-Key reused", "this key was used with a different request",
                      type_="idempotency-key-reused")
    return StoredAnswer(row["status"], row["response"], row["subject"])


async def remember_response(
    conn: asyncpg.Connection, *, tenant: str, key: str | None, fingerprint: bytes, status: int,
    response: Any, subject: str | None = None,
) -> None:
    """Store the answer under the key; `subject`, the keyring person id whose personal data it
    shows, if any, so that erasing them purges it."""
    if key is None:
        return
    await conn.execute(
        "INSERT INTO idempotency_keys (tenant, key, request_hash, status, response, subject) "
        "VALUES ($1, $2, $3, $4, $5, $6)", tenant, key, fingerprint, status, response, subject)


async def purge_answers_about(conn: asyncpg.Connection, subject: str) -> int:
    """Set every stored answer about `subject`, who is being erased, to JSON null (called by
    `PersonKeyring.erase` in its transaction); how many. Key, request hash, status and
    created_at stay. By subject alone: a keyring id, unique in the database."""
    purged = await conn.fetchval(
        "WITH purged AS (UPDATE idempotency_keys SET response = 'null'::jsonb "
        "WHERE subject = $1 AND response <> 'null'::jsonb RETURNING 1) "
        "SELECT count(*) FROM purged", subject)
    return int(purged)


# --- Cursor pagination ----------------------------------------------------------------------

def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError) as exc:
        raise Problem(400, "Invalid cursor", "pass back the cursor exactly as received",
                      type_="invalid-cursor") from exc
    if not isinstance(values, list):
        raise Problem(400, "Invalid cursor", "pass back the cursor exactly as received",
                      type_="invalid-cursor")
    return values


def attach_runtime(app: FastAPI, settings: Any, runtime: Any) -> None:
    """What every service's lifespan hands its app: the token verifier for its settings and
    the readiness checks of its runtime (database, Kafka)."""
    from goodfaith_runtime.auth import TokenVerifier

    app.state.token_verifier = TokenVerifier(
        settings.jwt_key, algorithms=settings.jwt_algorithms, audience=settings.jwt_audience,
        issuer=settings.jwt_issuer)
    app.state.ready_checks = {"database": runtime.database_ready, "kafka": runtime.kafka_ready}
    app.state.runtime = runtime


def placeholder_app(name: str, description: str) -> FastAPI:
    """A service that only starts its runtime (database, event store, outbox relay) and answers
    health checks: for services whose domain is not built yet, so the whole system runs."""
    from contextlib import asynccontextmanager

    from goodfaith_runtime.service import ServiceRuntime
    from goodfaith_runtime.settings import ServiceSettings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        settings = ServiceSettings()
        runtime = ServiceRuntime(service=name, settings=settings)
        await runtime.start()
        attach_runtime(app, settings, runtime)
        try:
            yield
        finally:
            await runtime.stop()

    return create_service_app(name=name, version="0.1.0", description=description,
                              lifespan=lifespan, routers=[])
