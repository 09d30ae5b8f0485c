"""Domain and store failures as RFC 9457 problems: never a 500 for a bad request."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from goodfaith_runtime.eventstore import ConcurrencyError
from goodfaith_runtime.pii import KeyringError
from goodfaith_runtime.problems import Problem, problem_response
from ledger.domain import errors as e

# Unknown ids are 404 (a different tenant's id is unknown too); reused ids are 409, and so is
# a retention hold (the state refuses it now; the same request succeeds once the hold ends);
# every other broken rule is 422.
_STATUS: tuple[tuple[type[e.LedgerError], int], ...] = (
    (e.UnknownDebt, 404), (e.UnknownDebtor, 404), (e.UnknownInvoice, 404),
    (e.UnknownPayment, 404), (e.UnknownDispute, 404), (e.UnknownContactPoint, 404),
    (e.UnknownParkedPayment, 404),
    (e.DuplicateInvoice, 409), (e.DuplicateDispute, 409), (e.DuplicateContactPoint, 409),
    (e.PaymentIdConflict, 409), (e.RefundIdConflict, 409), (e.RetentionHold, 409),
)


def _slug(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem_for(exc: e.LedgerError) -> Problem:
    status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 422)
    name = type(exc).__name__
    return Problem(status, re.sub(r"(?<!^)(?=[A-Z])", " ", name), str(exc), type_=_slug(name),
                   **_extensions(exc))


def _extensions(exc: e.LedgerError) -> dict[str, Any]:
    """Machine-readable members of a refusal that carries more than its message."""
    if not isinstance(exc, e.RetentionHold):
        return {}
    fields: dict[str, Any] = {"rule_id": exc.RULE_ID, "citation": exc.CITATION}
    if exc.keep_until is not None:
        fields["keep_until"] = exc.keep_until.isoformat()
    if exc.open_debt_ids:
        fields["open_debt_ids"] = list(exc.open_debt_ids)
    if exc.unresolved_payment_ids:
        fields["unresolved_payment_ids"] = list(exc.unresolved_payment_ids)
    return fields


def install_ledger_errors(app: FastAPI) -> None:
    async def on_ledger_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, e.LedgerError)
        response: JSONResponse = problem_response(problem_for(exc), request)
        return response

    async def on_conflict(request: Request, exc: Exception) -> JSONResponse:
        problem = Problem(409, "Concurrent update", "the account kept changing; retry",
                          type_="concurrency-conflict")
        response: JSONResponse = problem_response(problem, request)
        return response

    async def on_keyring(request: Request, exc: Exception) -> JSONResponse:
        problem = Problem(422, "Person erased", str(exc), type_="debtor-already-erased")
        response: JSONResponse = problem_response(problem, request)
        return response

    app.add_exception_handler(e.LedgerError, on_ledger_error)
    app.add_exception_handler(ConcurrencyError, on_conflict)
    app.add_exception_handler(KeyringError, on_keyring)
