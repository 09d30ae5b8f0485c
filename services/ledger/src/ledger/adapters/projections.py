"""SQL read models, rewritten from the aggregate in the same transaction as each append.

Rows are recomputed from the whole aggregate rather than patched per event: the aggregate is
already in memory, a debt has few invoices, and a projection that is always "the aggregate,
flattened" cannot drift from the ledger. Bulk statements (unnest) keep the sweep fast.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import orjson

from ledger.domain.debt import Debt, InvoiceState
from ledger.domain.debt_events import InvoiceOverdueMilestoneReached
from ledger.domain.debtor import Debtor
from ledger.domain.events import to_json_value
from ledger.domain.milestones import FALLBACK_ZONE
from ledger.domain.views import debt_balance

_UPSERT_DEBTS = """
INSERT INTO ledger_debts (tenant, debt_id, debtor_id, original_creditor, account_last4,
    debt_type, purpose, currency, governing_state, time_zone, charge_off_date,
    last_payment_date, accrual_dates, itemization, status, principal, interest, fees, total,
    disputed, credit, placed_with, settlement, open_disputes, next_milestone_at, version,
    opened_at, default_date, settlement_deadline)
SELECT tenant, debt_id, debtor_id, original_creditor, account_last4, debt_type, purpose,
    currency, governing_state, time_zone, charge_off_date, last_payment_date,
    accrual_dates::date[], itemization::jsonb, status, principal, interest, fees, total,
    disputed, credit, placed_with, settlement::jsonb, open_disputes, next_milestone_at,
    version, opened_at, default_date, settlement_deadline
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::text[], $8::text[], $9::text[], $10::text[], $11::date[], $12::date[], $13::text[],
    $14::text[], $15::text[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[],
    $20::bigint[], $21::bigint[], $22::text[], $23::text[], $24::int[], $25::timestamptz[],
    $26::int[], $27::timestamptz[], $28::date[], $29::timestamptz[])
    AS t(tenant, debt_id, debtor_id, original_creditor, account_last4, debt_type, purpose,
         currency, governing_state, time_zone, charge_off_date, last_payment_date,
         accrual_dates, itemization, status, principal, interest, fees, total, disputed,
         credit, placed_with, settlement, open_disputes, next_milestone_at, version,
         opened_at, default_date, settlement_deadline)
ON CONFLICT (tenant, debt_id) DO UPDATE SET
    original_creditor = EXCLUDED.original_creditor, debt_type = EXCLUDED.debt_type,
    purpose = EXCLUDED.purpose, governing_state = EXCLUDED.governing_state,
    time_zone = EXCLUDED.time_zone, charge_off_date = EXCLUDED.charge_off_date,
    last_payment_date = EXCLUDED.last_payment_date, default_date = EXCLUDED.default_date,
    itemization = EXCLUDED.itemization, settlement_deadline = EXCLUDED.settlement_deadline,
    accrual_dates = EXCLUDED.accrual_dates, status = EXCLUDED.status,
    principal = EXCLUDED.principal, interest = EXCLUDED.interest, fees = EXCLUDED.fees,
    total = EXCLUDED.total, disputed = EXCLUDED.disputed, credit = EXCLUDED.credit,
    placed_with = EXCLUDED.placed_with, settlement = EXCLUDED.settlement,
    open_disputes = EXCLUDED.open_disputes, next_milestone_at = EXCLUDED.next_milestone_at,
    version = EXCLUDED.version
"""

_UPSERT_INVOICES = """
INSERT INTO ledger_invoices (tenant, debt_id, invoice_id, currency, issued_on, due_on,
    invoiced, principal, interest, fees, outstanding, schedule_id, instalment_number,
    instalment_count, milestones_reached, next_milestone_days, next_milestone_at)
SELECT tenant, debt_id, invoice_id, currency, issued_on, due_on, invoiced, principal,
    interest, fees, outstanding, schedule_id, instalment_number, instalment_count,
    reached::int[], next_milestone_days, next_milestone_at
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::date[],
    $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[],
    $13::int[], $14::int[], $15::text[], $16::int[], $17::timestamptz[])
    AS t(tenant, debt_id, invoice_id, currency, issued_on, due_on, invoiced, principal,
         interest, fees, outstanding, schedule_id, instalment_number, instalment_count,
         reached, next_milestone_days, next_milestone_at)
ON CONFLICT (tenant, debt_id, invoice_id) DO UPDATE SET
    due_on = EXCLUDED.due_on, invoiced = EXCLUDED.invoiced, principal = EXCLUDED.principal,
    interest = EXCLUDED.interest, fees = EXCLUDED.fees,
    outstanding = EXCLUDED.outstanding, milestones_reached = EXCLUDED.milestones_reached,
    next_milestone_days = EXCLUDED.next_milestone_days,
    next_milestone_at = EXCLUDED.next_milestone_at
"""

_UPSERT_DEBTOR = """
INSERT INTO ledger_debtors (tenant, debtor_id, country, region, language, erased, version,
    created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (tenant, debtor_id) DO UPDATE SET language = EXCLUDED.language,
    erased = EXCLUDED.erased, version = EXCLUDED.version
"""


@lru_cache(maxsize=4096)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def day_starts_at(day: date, time_zone: str | None) -> datetime:
    """The first instant of ``day`` in the debt's calendar (the zone ``today_in`` uses).

    Midnight that falls in a DST gap resolves to the first real instant of the day."""
    local = datetime.combine(day, time(), _zone(time_zone or FALLBACK_ZONE))
    return local.astimezone(UTC)


def next_milestone(
    invoice: InvoiceState, milestones: Collection[int], time_zone: str | None
) -> tuple[int, datetime] | None:
    """The invoice's next milestone and when it falls due; None once paid or all reached."""
    if not invoice.outstanding.total.is_positive:
        return None
    remaining = [m for m in milestones if m not in invoice.milestones]
    if not remaining:
        return None
    days = min(remaining)
    return days, day_starts_at(invoice.due_on + timedelta(days=days), time_zone)


def _invoice_columns(
    debt: Debt, milestones: Collection[int]
) -> list[tuple[Any, ...]]:
    rows = []
    for inv in debt.invoices.values():
        nxt = next_milestone(inv, milestones, debt.time_zone)
        ref = inv.instalment
        rows.append((
            debt.tenant_id, debt.debt_id, inv.invoice_id, debt.currency, inv.issued_on,
            inv.due_on, inv.original.total.amount, inv.outstanding.principal.amount,
            inv.outstanding.interest.amount, inv.outstanding.fees.amount,
            inv.outstanding.total.amount, ref.schedule_id if ref else None,
            ref.number if ref else None, ref.count if ref else None,
            "{" + ",".join(str(m) for m in sorted(inv.milestones)) + "}",
            nxt[0] if nxt else None, nxt[1] if nxt else None,
        ))
    return rows


def _settlement(debt: Debt) -> str | None:
    s = debt.settlement
    if s is None:
        return None
    return _json({"settlement_id": s.settlement_id, "amount_minor": s.amount.amount,
                  "paid_minor": s.paid.amount, "deadline": s.deadline.isoformat()})


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _debt_columns(debt: Debt, version: int, invoice_rows: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    b = debt_balance(debt)
    o = debt.opened
    d = debt.details  # as opened, then corrected by DebtDetailsUpdated
    due = [r[16] for r in invoice_rows if r[16] is not None]
    accruals = "{" + ",".join(d.isoformat() for d in debt.accrual_candidates) + "}"
    itemization = None if d.itemization is None else _json(to_json_value(d.itemization))
    open_disputes = sum(1 for x in debt.disputes.values() if x.outcome is None)
    deadline = None if debt.settlement is None else debt.settlement.deadline
    return (
        debt.tenant_id, debt.debt_id, debt.debtor_id, d.original_creditor, o.account_last4,
        d.debt_type.value, d.purpose.value, o.currency, d.governing_state, d.time_zone,
        d.charge_off_date, d.last_payment_date, accruals, itemization, b.status.value,
        b.principal.amount, b.interest.amount, b.fees.amount, b.total.amount,
        b.disputed.amount, b.credit.amount, b.placed_with, _settlement(debt), open_disputes,
        min(due) if due else None, version, o.occurred_at, d.default_date, deadline,
    )


_UPDATE_MILESTONES = """
WITH inv AS (
    UPDATE ledger_invoices i SET milestones_reached = t.reached::int[],
        next_milestone_days = t.days, next_milestone_at = t.due_at
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::timestamptz[])
        AS t(tenant, debt_id, invoice_id, reached, days, due_at)
    WHERE i.tenant = t.tenant AND i.debt_id = t.debt_id AND i.invoice_id = t.invoice_id
)
UPDATE ledger_debts d SET next_milestone_at = t.due_at, version = t.version
FROM unnest($7::text[], $8::text[], $9::timestamptz[], $10::int[])
    AS t(tenant, debt_id, due_at, version)
WHERE d.tenant = t.tenant AND d.debt_id = t.debt_id
"""


def _only_milestones(debt: Debt) -> bool:
    return all(isinstance(e, InvoiceOverdueMilestoneReached) for e in debt.pending_events)


async def refresh_debts(
    conn: asyncpg.Connection, debts: Sequence[tuple[Debt, int]], milestones: Collection[int]
) -> None:
    """Rewrite the rows of each (debt, stream version after the append). A debt that only
    reached milestones (the sweep) changes no amount, so only its milestone columns move."""
    light = [(d, v) for d, v in debts if _only_milestones(d)]
    await _refresh_milestones(conn, light, milestones)
    await _refresh_all(conn, [(d, v) for d, v in debts if not _only_milestones(d)], milestones)


async def _refresh_milestones(
    conn: asyncpg.Connection, debts: Sequence[tuple[Debt, int]], milestones: Collection[int]
) -> None:
    if not debts:
        return
    invoices, owners = [], []
    for debt, version in debts:
        rows = _invoice_columns(debt, milestones)
        invoices += [(r[0], r[1], r[2], r[14], r[15], r[16]) for r in rows]
        due = [r[16] for r in rows if r[16] is not None]
        owners.append((debt.tenant_id, debt.debt_id, min(due) if due else None, version))
    await conn.execute(_UPDATE_MILESTONES, *_columns(invoices, 6), *_columns(owners, 4))


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    return [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


async def _refresh_all(
    conn: asyncpg.Connection, debts: Sequence[tuple[Debt, int]], milestones: Collection[int]
) -> None:
    if not debts:
        return
    debt_rows, invoice_rows = [], []
    for debt, version in debts:
        invoices = _invoice_columns(debt, milestones)
        invoice_rows.extend(invoices)
        debt_rows.append(_debt_columns(debt, version, invoices))
    await conn.execute(_UPSERT_DEBTS, *(list(c) for c in zip(*debt_rows, strict=True)))
    if invoice_rows:
        await conn.execute(_UPSERT_INVOICES, *(list(c) for c in zip(*invoice_rows, strict=True)))


async def refresh_debtor(
    conn: asyncpg.Connection, debtor: Debtor, version: int, at: datetime
) -> None:
    # Only non-identifying facts: the projection must stay meaningful after an erasure.
    await conn.execute(
        _UPSERT_DEBTOR, debtor.tenant_id, debtor.debtor_id, debtor.country, debtor.region,
        debtor.language, debtor.erased, version, at)
