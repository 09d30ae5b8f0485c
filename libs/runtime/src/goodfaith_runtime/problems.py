"""RFC 9457 problem details for every error answer."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from goodfaith_runtime.eventstore import ConcurrencyError, InvalidEvent
from goodfaith_runtime.pii import KeyUnwrapError

PROBLEM_TYPE_BASE = "https://goodfaith.dev/problems/"
MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    """Raise anywhere in a request to answer with problem+json."""

    def __init__(self, status: int, title: str, detail: str = "", *, type_: str = "about:blank",
                 **extensions: Any) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_ if type_ == "about:blank" else PROBLEM_TYPE_BASE + type_
        self.extensions = extensions

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


def problem_response(problem: Problem, request: Request | None = None) -> JSONResponse:
    return problem_json(problem, request.url.path if request is not None else None)


def problem_json(problem: Problem, instance: str | None) -> JSONResponse:
    return JSONResponse(problem.body(instance), status_code=problem.status, media_type=MEDIA_TYPE)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Never echo the rejected input back: it may hold personal data.
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()]


# Event store refusals a request can cause. Neither detail is the exception's text: an
# InvalidEvent's may quote the payload (personal data). A service may map them more precisely
# (its own add_exception_handler for the class replaces these).
_STORE_PROBLEMS: tuple[tuple[type[Exception], Problem], ...] = (
    (ConcurrencyError, Problem(409, "Concurrent update", "the record kept changing; retry",
                               type_="concurrency-conflict")),
    (InvalidEvent, Problem(422, "Invalid event", "the request would record an event that "
                           "cannot be stored", type_="invalid-event")),
    # The service's key-encryption key cannot unwrap a person's data key (wrong or rotated
    # KEK): the service's fault, not the caller's, and not an erasure. A 503, so a caller
    # retries once the key is right, never a 500 without a body.
    (KeyUnwrapError, Problem(503, "Personal data unavailable", "a stored data key cannot be "
                             "unwrapped with this service's key-encryption key",
                             type_="key-unavailable")),
)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problem = Problem(422, "Invalid request", "the request does not match the schema",
                          type_="validation", errors=_validation_errors(exc))
        return problem_response(problem, request)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return problem_response(Problem(exc.status_code, str(exc.detail)), request)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Still a bug (Starlette re-raises it after answering, so it is logged with its
        # traceback); the caller gets problem+json like every other error, and the trace id
        # to quote to the operators, never the exception's text.
        from goodfaith_runtime.telemetry import current_trace_id

        trace_id = current_trace_id()
        extensions = {"trace_id": trace_id} if trace_id else {}
        return problem_response(Problem(500, "Internal error", "the error was logged",
                                        type_="internal", **extensions), request)

    app.add_exception_handler(Exception, on_unexpected)
    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    for cls, problem in _STORE_PROBLEMS:
        app.add_exception_handler(cls, _answer_with(problem))


def _answer_with(
    problem: Problem,
) -> Callable[[Request, Exception], Coroutine[Any, Any, JSONResponse]]:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(problem, request)

    return handler


# --- The OpenAPI document says what the handlers above answer ------------------------------

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details. `type` names the kind of problem (a URI under "
                   f"{PROBLEM_TYPE_BASE}); validation problems list `errors` with the place "
                   "(`loc`) of each, never the rejected value.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object",
            "properties": {"loc": {"type": "array",
                                   "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                           "msg": {"type": "string"}, "type": {"type": "string"}}}},
        "trace_id": {"type": "string", "description": "On a 500: quote it to the operators"},
    },
    "additionalProperties": True,
}

_WHY = {
    "400": "Malformed body, cursor or Idempotency-Key",
    "401": "Missing, malformed or expired token",
    "403": "The token lacks the scope this operation needs",
    "404": "Not found in the token's tenant (the path's resource, or one the body names)",
    "409": "Conflicts with the current state; a retry may succeed",
    "413": "Request body too large",
    "422": "Invalid request",
    "500": "Unexpected error (logged, with the trace id in the answer)",
}
_WRITES = {"post", "put", "patch", "delete"}


def _statuses(path: str, method: str, operation: dict[str, Any]) -> set[str]:
    """The error statuses an operation can answer, from what the shared handlers know of it:
    its security, path parameters, method, body and parameters."""
    names = {p.get("name", "").lower() for p in operation.get("parameters", [])}
    statuses = {"422", "500"}
    if operation.get("security"):
        statuses |= {"401", "403"}
    has_body = "requestBody" in operation
    if "{" in path or (has_body and method in _WRITES):
        statuses.add("404")
    if method in _WRITES:
        statuses.add("409")
    if has_body:
        statuses |= {"400", "413"}
    if names & {"cursor", "idempotency-key"}:
        statuses.add("400")
    return statuses


def document_problems(app: FastAPI) -> None:
    """Make the app's OpenAPI document list its problem+json answers: FastAPI documents only a
    422 as application/json (HTTPValidationError), which is neither the media type nor the body
    the handlers send, so generated clients could not read any error."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = PROBLEM_SCHEMA
        problem = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path, item in schema.get("paths", {}).items():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                for status in _statuses(path, method, operation):
                    responses[status] = {"description": _WHY[status], "content": problem}
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
