"""Debts: open, invoices and schedules, payments, disputes, settlements, write-off, placement."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ledger.domain import commands as c
from ledger.entrypoints import mapping, presenters
from ledger.entrypoints import schemas as s
from ledger.entrypoints.deps import IdempotencyKey, LedgerDep, Writer, execute, new_key

router = APIRouter(prefix="/v1/debts", tags=["debts"])


@router.post("", status_code=201, response_model=s.DebtOut)
async def open_debt(body: s.OpenDebtIn, who: Writer, ledger: LedgerDep, request: Request,
                    key: IdempotencyKey = None) -> Any:
    debt_id = new_key()
    command = mapping.open_debt(who.tenant, debt_id, body)
    return await execute(ledger, request, command, presenters.debt(who.tenant, debt_id),
                         body=body, key=key, status=201)


@router.post("/{debt_id}/invoices", status_code=201, response_model=s.DebtOut)
async def add_invoice(debt_id: str, body: s.InvoiceIn, who: Writer, ledger: LedgerDep,
                      request: Request, key: IdempotencyKey = None) -> Any:
    command = mapping.add_invoice(who.tenant, debt_id, body.invoice_id or new_key(), body)
    return await execute(ledger, request, command, presenters.debt(who.tenant, debt_id),
                         body=body, key=key, status=201)


@router.post("/{debt_id}/instalment-schedules", status_code=201, response_model=s.DebtOut)
async def add_schedule(debt_id: str, body: s.ScheduleIn, who: Writer, ledger: LedgerDep,
                       request: Request, key: IdempotencyKey = None) -> Any:
    command = mapping.schedule(who.tenant, debt_id, body.schedule_id or new_key(), body)
    return await execute(ledger, request, command, presenters.debt(who.tenant, debt_id),
                         body=body, key=key, status=201)


@router.post("/{debt_id}/payments", status_code=201, response_model=s.BalanceOut)
async def record_payment(debt_id: str, body: s.PaymentIn, who: Writer, ledger: LedgerDep,
                         request: Request, key: IdempotencyKey = None) -> Any:
    command = mapping.payment(who.tenant, debt_id, body)
    return await execute(ledger, request, command, presenters.balance(who.tenant, debt_id),
                         body=body, key=key, status=201)


@router.post("/{debt_id}/payments/{payment_id}/reversal", response_model=s.BalanceOut)
async def reverse_payment(debt_id: str, payment_id: str, body: s.ReversalIn, who: Writer,
                          ledger: LedgerDep, request: Request, key: IdempotencyKey = None) -> Any:
    command = c.ReversePayment(tenant=who.tenant, debt_id=debt_id, payment_id=payment_id,
                               reason=body.reason)
    return await execute(ledger, request, command, presenters.balance(who.tenant, debt_id),
                         body=body, key=key)


@router.post("/{debt_id}/disputes", status_code=201, response_model=s.CreatedOut)
async def raise_dispute(debt_id: str, body: s.DisputeIn, who: Writer, ledger: LedgerDep,
                        request: Request, key: IdempotencyKey = None) -> Any:
    dispute_id = new_key()
    command = mapping.dispute(who.tenant, debt_id, dispute_id, body)
    return await execute(ledger, request, command, presenters.created(dispute_id), body=body,
                         key=key, status=201)


@router.post("/{debt_id}/disputes/{dispute_id}/resolution", response_model=s.BalanceOut)
async def resolve_dispute(debt_id: str, dispute_id: str, body: s.ResolutionIn, who: Writer,
                          ledger: LedgerDep, request: Request, key: IdempotencyKey = None) -> Any:
    command = c.ResolveDispute(tenant=who.tenant, debt_id=debt_id, dispute_id=dispute_id,
                               outcome=body.outcome,
                               verification_sent_at=body.verification_sent_at)
    return await execute(ledger, request, command, presenters.balance(who.tenant, debt_id),
                         body=body, key=key)


@router.post("/{debt_id}/settlements", status_code=201, response_model=s.DebtOut)
async def agree_settlement(debt_id: str, body: s.SettlementIn, who: Writer, ledger: LedgerDep,
                           request: Request, key: IdempotencyKey = None) -> Any:
    command = mapping.settlement(who.tenant, debt_id, new_key(), body)
    return await execute(ledger, request, command, presenters.debt(who.tenant, debt_id),
                         body=body, key=key, status=201)


@router.post("/{debt_id}/write-off", response_model=s.DebtOut)
async def write_off(debt_id: str, body: s.ReasonIn, who: Writer, ledger: LedgerDep,
                    request: Request, key: IdempotencyKey = None) -> Any:
    command = c.WriteOff(tenant=who.tenant, debt_id=debt_id, reason=body.reason)
    return await execute(ledger, request, command, presenters.debt(who.tenant, debt_id),
                         body=body, key=key)


@router.post("/{debt_id}/placement", status_code=201, response_model=s.DebtOut)
async def place(debt_id: str, body: s.PlacementIn, who: Writer, ledger: LedgerDep,
                request: Request, key: IdempotencyKey = None) -> Any:
    command = c.PlaceWithAgency(tenant=who.tenant, debt_id=debt_id, placement_id=new_key(),
                                agency_id=body.agency_id)
    return await execute(ledger, request, command, presenters.debt(who.tenant, debt_id),
                         body=body, key=key, status=201)


@router.post("/{debt_id}/placement/recall", response_model=s.DebtOut)
async def recall(debt_id: str, body: s.ReasonIn, who: Writer, ledger: LedgerDep,
                 request: Request, key: IdempotencyKey = None) -> Any:
    command = c.RecallPlacement(tenant=who.tenant, debt_id=debt_id, reason=body.reason)
    return await execute(ledger, request, command, presenters.debt(who.tenant, debt_id),
                         body=body, key=key)
