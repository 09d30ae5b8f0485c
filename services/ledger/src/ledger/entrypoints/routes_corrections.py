"""Corrections after opening: debt details, invoice due dates and amounts, credit refunds."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ledger.domain import commands as c
from ledger.entrypoints import mapping, presenters
from ledger.entrypoints import schemas as s
from ledger.entrypoints.deps import IdempotencyKey, LedgerDep, Writer, execute, new_key, query

router = APIRouter(prefix="/v1/debts", tags=["corrections"])


@router.patch("/{debt_id}", response_model=s.DebtOut)
async def update_details(debt_id: str, body: s.DebtDetailsIn, who: Writer, ledger: LedgerDep,
                         request: Request, key: IdempotencyKey = None) -> Any:
    currency = await query(ledger, presenters.currency(who.tenant, debt_id))
    command = mapping.update_details(who.tenant, debt_id, currency, body)
    return await execute(ledger, request, command, presenters.debt(who.tenant, debt_id),
                         body=body, key=key)


@router.put("/{debt_id}/invoices/{invoice_id}/due-date", response_model=s.DebtOut)
async def reschedule(debt_id: str, invoice_id: str, body: s.RescheduleIn, who: Writer,
                     ledger: LedgerDep, request: Request, key: IdempotencyKey = None) -> Any:
    command = c.RescheduleInvoice(tenant=who.tenant, debt_id=debt_id, invoice_id=invoice_id,
                                  due_on=body.due_on, reason=body.reason)
    return await execute(ledger, request, command, presenters.debt(who.tenant, debt_id),
                         body=body, key=key)


@router.post("/{debt_id}/invoices/{invoice_id}/adjustments", status_code=201,
             response_model=s.DebtOut)
async def adjust(debt_id: str, invoice_id: str, body: s.AdjustmentIn, who: Writer,
                 ledger: LedgerDep, request: Request, key: IdempotencyKey = None) -> Any:
    command = mapping.adjustment(who.tenant, debt_id, invoice_id, body)
    return await execute(ledger, request, command, presenters.debt(who.tenant, debt_id),
                         body=body, key=key, status=201)


@router.post("/{debt_id}/credit-refunds", status_code=201, response_model=s.BalanceOut)
async def refund_credit(debt_id: str, body: s.CreditRefundIn, who: Writer, ledger: LedgerDep,
                        request: Request, key: IdempotencyKey = None) -> Any:
    command = mapping.credit_refund(who.tenant, debt_id, body.refund_id or new_key(), body)
    return await execute(ledger, request, command, presenters.balance(who.tenant, debt_id),
                         body=body, key=key, status=201)
