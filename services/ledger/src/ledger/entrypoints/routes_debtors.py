"""Debtors: register, read, contact details, language, erasure, totals."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request

from ledger.domain import commands as c
from ledger.entrypoints import mapping, presenters
from ledger.entrypoints import schemas as s
from ledger.entrypoints.deps import (
    IdempotencyKey,
    LedgerDep,
    Reader,
    Writer,
    execute,
    new_key,
    query,
)

router = APIRouter(prefix="/v1/debtors", tags=["debtors"])
Kind = Literal["phones", "emails", "addresses"]
_SINGULAR = {"phones": "phone", "emails": "email", "addresses": "address"}


@router.post("", status_code=201, response_model=s.DebtorOut)
async def register_debtor(body: s.RegisterDebtorIn, who: Writer, ledger: LedgerDep,
                          request: Request, key: IdempotencyKey = None) -> Any:
    debtor_id = new_key()
    command = mapping.register_debtor(who.tenant, debtor_id, body)
    view = presenters.debtor(ledger.runtime.keyring, who.tenant, debtor_id)
    return await execute(ledger, request, command, view, body=body, key=key, status=201)


@router.get("/{debtor_id}", response_model=s.DebtorOut)
async def get_debtor(debtor_id: str, who: Reader, ledger: LedgerDep) -> Any:
    return await query(ledger, presenters.debtor(ledger.runtime.keyring, who.tenant, debtor_id))


@router.get("/{debtor_id}/totals", response_model=s.TotalsOut)
async def debtor_totals(debtor_id: str, who: Reader, ledger: LedgerDep) -> Any:
    return await query(ledger, presenters.totals(who.tenant, debtor_id))


@router.post("/{debtor_id}/phones", status_code=201, response_model=s.CreatedOut)
async def add_phone(debtor_id: str, body: s.PhoneIn, who: Writer, ledger: LedgerDep,
                    request: Request, key: IdempotencyKey = None) -> Any:
    item = new_key()
    command = c.AddPhone(tenant=who.tenant, debtor_id=debtor_id, phone_id=item,
                         number=body.number, kind=body.type)
    return await execute(ledger, request, command, presenters.created(item), body=body, key=key,
                         status=201)


@router.post("/{debtor_id}/emails", status_code=201, response_model=s.CreatedOut)
async def add_email(debtor_id: str, body: s.EmailIn, who: Writer, ledger: LedgerDep,
                    request: Request, key: IdempotencyKey = None) -> Any:
    item = new_key()
    command = c.AddEmail(tenant=who.tenant, debtor_id=debtor_id, email_id=item,
                         address=body.address, provenance=body.provenance)
    return await execute(ledger, request, command, presenters.created(item), body=body, key=key,
                         status=201)


@router.post("/{debtor_id}/addresses", status_code=201, response_model=s.CreatedOut)
async def add_address(debtor_id: str, body: s.AddressIn, who: Writer, ledger: LedgerDep,
                      request: Request, key: IdempotencyKey = None) -> Any:
    item = new_key()
    command = mapping.add_address(who.tenant, debtor_id, item, body)
    return await execute(ledger, request, command, presenters.created(item), body=body, key=key,
                         status=201)


@router.delete("/{debtor_id}/{kind}/{item_id}", response_model=s.DebtorOut)
async def remove_contact_point(debtor_id: str, kind: Kind, item_id: str, who: Writer,
                               ledger: LedgerDep, request: Request) -> Any:
    command = c.RemoveContactPoint(tenant=who.tenant, debtor_id=debtor_id,
                                   kind=_SINGULAR[kind], item_id=item_id)
    view = presenters.debtor(ledger.runtime.keyring, who.tenant, debtor_id)
    return await execute(ledger, request, command, view)


@router.put("/{debtor_id}/language", response_model=s.DebtorOut)
async def change_language(debtor_id: str, body: s.LanguageIn, who: Writer, ledger: LedgerDep,
                          request: Request) -> Any:
    command = c.ChangeLanguage(tenant=who.tenant, debtor_id=debtor_id, language=body.language)
    view = presenters.debtor(ledger.runtime.keyring, who.tenant, debtor_id)
    return await execute(ledger, request, command, view, body=body)


@router.post("/{debtor_id}/erasure", response_model=s.DebtorOut)
async def erase_debtor(debtor_id: str, body: s.ErasureIn, who: Writer, ledger: LedgerDep,
                       request: Request, key: IdempotencyKey = None) -> Any:
    """Erase the debtor's personal data (their key is destroyed; the records stay, masked).

    Refused with 409 `retention-hold` (rule `FED-RECORDS`, 12 CFR 1006.100(a),(b)) while a
    parked payment of theirs is unresolved (`unresolved_payment_ids`), a debt of theirs is open
    or still placed with an agency (`open_debt_ids`), or less than 3 years have passed since
    the last collection activity (`keep_until`; contact attempts and parked payments count):
    those records must be kept. Erasing an erased debtor again answers the erased view."""
    command = c.EraseDebtor(tenant=who.tenant, debtor_id=debtor_id, reason=body.reason)
    view = presenters.debtor(ledger.runtime.keyring, who.tenant, debtor_id)
    return await execute(ledger, request, command, view, body=body, key=key)
