"""Service and store failures as RFC 9457 problems: never a 500 for a bad request."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from compliance.domain import UnknownPackVersion
from compliance.service_layer.handlers import UnknownDebt
from goodfaith_runtime.eventstore import ConcurrencyError
from goodfaith_runtime.pii import KeyringError
from goodfaith_runtime.problems import Problem, problem_response

_PROBLEMS: tuple[tuple[type[Exception], Problem], ...] = (
    (UnknownDebt, Problem(422, "Unknown debt", "the person's profile lists no such debt",
                          type_="unknown-debt")),
    (UnknownPackVersion, Problem(422, "Unknown pack version", type_="unknown-pack-version")),
    (ConcurrencyError, Problem(409, "Concurrent update", "the person's record kept changing; "
                               "retry", type_="concurrency-conflict")),
    (KeyringError, Problem(422, "Person erased", "this person's data was erased",
                           type_="person-erased")),
)


def install_compliance_errors(app: FastAPI) -> None:
    for cls, problem in _PROBLEMS:
        def handler(request: Request, exc: Exception, problem: Problem = problem) -> JSONResponse:
            response: JSONResponse = problem_response(problem, request)
            return response

        app.add_exception_handler(cls, handler)
