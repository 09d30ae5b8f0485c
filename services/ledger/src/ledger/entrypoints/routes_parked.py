"""Parked payments: list them, and retry one once its cause is fixed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from ledger.domain import commands as c
from ledger.entrypoints import presenters
from ledger.entrypoints import schemas as s
from ledger.entrypoints.deps import IdempotencyKey, LedgerDep, Reader, Writer, execute, query
from ledger.entrypoints.routes_queries import Limit, after_cursor

router = APIRouter(prefix="/v1/parked-payments", tags=["parked payments"])
Status = Annotated[Literal["open", "resolved"] | None, Query()]


@router.get("", response_model=s.ParkedPage)
async def parked_payments(who: Reader, ledger: LedgerDep, limit: Limit = 50,
                          cursor: str | None = None, status: Status = None) -> Any:
    page = presenters.parked(who.tenant, after_cursor(cursor), limit, status)
    return await query(ledger, page)


@router.post("/{payment_id}/retry", response_model=s.ParkedPaymentOut)
async def retry(payment_id: str, who: Writer, ledger: LedgerDep, request: Request,
                key: IdempotencyKey = None) -> Any:
    """Apply the payment again: ``resolved`` when it applied (or already had), else still
    ``open`` with the reason of this attempt. Never applies a payment twice."""
    command = c.RetryParkedPayment(tenant=who.tenant, payment_id=payment_id)
    present = presenters.parked_payment(who.tenant, payment_id)
    return await execute(ledger, request, command, present, key=key)
