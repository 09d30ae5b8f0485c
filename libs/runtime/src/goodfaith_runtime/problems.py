"""RFC 9457 problem details for every error answer."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

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
    instance = request.url.path if request is not None else None
    return JSONResponse(problem.body(instance), status_code=problem.status, media_type=MEDIA_TYPE)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Never echo the rejected input back: it may hold personal data.
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()]


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
        from opentelemetry import trace

        context = trace.get_current_span().get_span_context()
        extensions = {"trace_id": format(context.trace_id, "032x")} if context.is_valid else {}
        return problem_response(Problem(500, "Internal error", "the error was logged",
                                        type_="internal", **extensions), request)

    app.add_exception_handler(Exception, on_unexpected)
    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
