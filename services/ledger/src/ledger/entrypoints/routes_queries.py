"""Read-only endpoints: debts, balances, aging, timeline, limitation status."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from goodfaith_runtime.http import decode_cursor
from goodfaith_runtime.problems import Problem
from ledger.domain.milestones import today_in
from ledger.entrypoints import presenters
from ledger.entrypoints import schemas as s
from ledger.entrypoints.deps import LedgerDep, Reader, query

router = APIRouter(prefix="/v1", tags=["queries"])
Limit = Annotated[int, Query(ge=1, le=500)]


def after_cursor(cursor: str | None) -> Any:
    values = decode_cursor(cursor)
    if values is None:
        return None
    if len(values) != 1 or not isinstance(values[0], str | int):
        raise Problem(400, "Invalid cursor", "pass back the cursor exactly as received",
                      type_="invalid-cursor")
    return values[0]


def _as_of(ledger: LedgerDep, as_of: date | None) -> date:
    # Without a date, "today" in the latest zone on earth, the ledger's conservative calendar.
    return as_of or today_in(None, ledger.clock.now())


@router.get("/debts", response_model=s.DebtPage)
async def list_debts(who: Reader, ledger: LedgerDep, limit: Limit = 50,
                     cursor: str | None = None, debtor_id: str | None = None,
                     status: str | None = None) -> Any:
    page = presenters.debt_page(who.tenant, after_cursor(cursor), limit, debtor_id, status)
    return await query(ledger, page)


@router.get("/debts/{debt_id}", response_model=s.DebtOut)
async def get_debt(debt_id: str, who: Reader, ledger: LedgerDep) -> Any:
    return await query(ledger, presenters.debt(who.tenant, debt_id))


@router.get("/debts/{debt_id}/balance", response_model=s.BalanceOut)
async def get_balance(debt_id: str, who: Reader, ledger: LedgerDep) -> Any:
    return await query(ledger, presenters.balance(who.tenant, debt_id))


@router.get("/debts/{debt_id}/aging", response_model=s.AgingOut)
async def debt_aging(debt_id: str, who: Reader, ledger: LedgerDep,
                     as_of: date | None = None) -> Any:
    return await query(ledger, presenters.aging(who.tenant, _as_of(ledger, as_of), debt_id))


@router.get("/debts/{debt_id}/timeline", response_model=s.TimelinePage)
async def debt_timeline(debt_id: str, who: Reader, ledger: LedgerDep, limit: Limit = 100,
                        cursor: str | None = None) -> Any:
    after = after_cursor(cursor) or 0
    return await query(ledger, presenters.timeline(who.tenant, debt_id, int(after), limit))


@router.get("/debts/{debt_id}/limitation", response_model=s.LimitationOut)
async def limitation(debt_id: str, who: Reader, ledger: LedgerDep,
                     as_of: date | None = None) -> Any:
    return await query(ledger, presenters.limitation(who.tenant, debt_id, _as_of(ledger, as_of)))


@router.get("/aging", response_model=s.AgingOut)
async def portfolio_aging(who: Reader, ledger: LedgerDep, as_of: date | None = None) -> Any:
    return await query(ledger, presenters.aging(who.tenant, _as_of(ledger, as_of)))
