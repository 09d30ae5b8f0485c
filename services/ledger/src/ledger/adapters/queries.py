"""The read side: SQL over the projections, always filtered by the caller's tenant.

An id of another tenant finds nothing, exactly like an id that does not exist (404), so the
API never confirms that someone else's record exists.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from ledger.adapters.repository import read_streams
from ledger.adapters.streams import debt_stream
from ledger.domain.debt_events import DebtPurpose, DebtType
from ledger.domain.errors import UnknownDebt, UnknownDebtor, UnknownParkedPayment
from ledger.domain.events import from_payload
from ledger.domain.limitations import Unknown, time_barred
from ledger.domain.views import TimelineEntry, timeline

_DEBT_COLUMNS = """debt_id, debtor_id, original_creditor, account_last4, debt_type, purpose,
    currency, governing_state, time_zone, charge_off_date, last_payment_date, default_date,
    itemization,
    status, principal, interest, fees, total, disputed, credit, placed_with, settlement,
    open_disputes, next_milestone_at, version, opened_at"""

# Bucket edges match domain.aging.bucket_for: day 0 is current, day 1 the first late day.
_BUCKET = """CASE WHEN $2::date - due_on <= 0 THEN 'current'
    WHEN $2::date - due_on <= 30 THEN '1-30' WHEN $2::date - due_on <= 60 THEN '31-60'
    WHEN $2::date - due_on <= 90 THEN '61-90' WHEN $2::date - due_on <= 120 THEN '91-120'
    ELSE 'over_120' END"""
BUCKETS = ("current", "1-30", "31-60", "61-90", "91-120", "over_120")


async def debt(conn: asyncpg.Connection, tenant: str, debt_id: str) -> dict[str, Any]:
    row = await conn.fetchrow(
        f"SELECT {_DEBT_COLUMNS} FROM ledger_debts WHERE tenant = $1 AND debt_id = $2",
        tenant, debt_id)
    if row is None:
        raise UnknownDebt(f"debt {debt_id} does not exist")
    return dict(row)


async def debts(
    conn: asyncpg.Connection, tenant: str, *, after: str | None, limit: int,
    debtor_id: str | None = None, status: str | None = None,
) -> list[dict[str, Any]]:
    # Debt ids are UUIDv7, so ordering by id is ordering by creation, and a stable cursor.
    rows = await conn.fetch(
        f"SELECT {_DEBT_COLUMNS} FROM ledger_debts WHERE tenant = $1 "
        "AND ($2::text IS NULL OR debt_id > $2) AND ($3::text IS NULL OR debtor_id = $3) "
        "AND ($4::text IS NULL OR status = $4) ORDER BY debt_id LIMIT $5",
        tenant, after, debtor_id, status, limit)
    return [dict(r) for r in rows]


async def invoices(conn: asyncpg.Connection, tenant: str, debt_id: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT invoice_id, issued_on, due_on, invoiced, principal, interest, fees, outstanding,"
        " schedule_id, instalment_number, instalment_count, milestones_reached,"
        " next_milestone_days, next_milestone_at FROM ledger_invoices"
        " WHERE tenant = $1 AND debt_id = $2 ORDER BY due_on, issued_on, invoice_id",
        tenant, debt_id)
    return [dict(r) for r in rows]


async def aging(
    conn: asyncpg.Connection, tenant: str, as_of: date, debt_id: str | None = None,
) -> dict[str, dict[str, int]]:
    """Outstanding per bucket and currency; one debt, or the tenant's whole portfolio."""
    rows = await conn.fetch(
        f"SELECT currency, {_BUCKET} AS bucket, sum(outstanding)::bigint AS amount "
        "FROM ledger_invoices WHERE tenant = $1 AND outstanding > 0 "
        "AND ($3::text IS NULL OR debt_id = $3) GROUP BY 1, 2",
        tenant, as_of, debt_id)
    report: dict[str, dict[str, int]] = {}
    for r in rows:
        report.setdefault(r["currency"], dict.fromkeys(BUCKETS, 0))[r["bucket"]] = r["amount"]
    return report


async def debtor_totals(
    conn: asyncpg.Connection, tenant: str, debtor_id: str,
) -> list[dict[str, Any]]:
    await require_debtor(conn, tenant, debtor_id)
    rows = await conn.fetch(
        "SELECT currency, count(*) AS debts, sum(total)::bigint AS total,"
        " sum(disputed)::bigint AS disputed, sum(credit)::bigint AS credit FROM ledger_debts"
        " WHERE tenant = $1 AND debtor_id = $2 GROUP BY currency ORDER BY currency",
        tenant, debtor_id)
    return [dict(r) for r in rows]


async def require_debtor(conn: asyncpg.Connection, tenant: str, debtor_id: str) -> None:
    found = await conn.fetchval(
        "SELECT true FROM ledger_debtors WHERE tenant = $1 AND debtor_id = $2",
        tenant, debtor_id)
    if not found:
        raise UnknownDebtor(f"debtor {debtor_id} does not exist")


async def debt_timeline(
    conn: asyncpg.Connection, tenant: str, debt_id: str, *, after: int, limit: int,
) -> list[dict[str, Any]]:
    """Every ledger event of the account in stream order (the record itself, not a copy)."""
    sid = debt_stream(tenant, debt_id)
    rows = [r for r in (await read_streams(conn, [sid]))[sid] if r["stream_version"] > after]
    if not rows and after == 0:
        raise UnknownDebt(f"debt {debt_id} does not exist")
    # Stream order, not time order: a payment received yesterday but recorded today comes
    # after what was recorded before it, as in the ledger itself.
    entries = [(r, _entry(r)) for r in rows[:limit]]
    return [{"version": r["stream_version"], "at": e.at, "event": e.event, "summary": e.summary,
             "amount": e.amount} for r, e in entries]


def _entry(row: asyncpg.Record) -> TimelineEntry:
    (entry,) = timeline([from_payload(row["type"], row["payload"], row["schema_version"])])
    return entry


class _Facts:
    def __init__(self, row: asyncpg.Record) -> None:
        self.governing_state: str | None = row["governing_state"]
        self.debt_type = DebtType(row["debt_type"])
        self.purpose = DebtPurpose(row["purpose"])
        self.accrual_candidates: tuple[date, ...] = tuple(row["accrual_dates"])


async def limitation(
    conn: asyncpg.Connection, tenant: str, debt_id: str, today: date,
) -> tuple[bool | Unknown, dict[str, Any]]:
    row = await conn.fetchrow(
        "SELECT governing_state, debt_type, purpose, accrual_dates FROM ledger_debts"
        " WHERE tenant = $1 AND debt_id = $2", tenant, debt_id)
    if row is None:
        raise UnknownDebt(f"debt {debt_id} does not exist")
    facts = _Facts(row)
    return time_barred(facts, today), {"governing_state": facts.governing_state,
                                       "debt_type": facts.debt_type.value,
                                       "accrual_dates": list(facts.accrual_candidates)}


_PARKED = """SELECT payment_id, debt_id, debtor_id, amount_minor, currency, received_at,
    reason, detail, attempts, parked_at, status, resolved_at FROM ledger_parked_payments"""


async def parked_payments(
    conn: asyncpg.Connection, tenant: str, *, after: str | None, limit: int,
    status: str | None = None,
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"{_PARKED} WHERE tenant = $1 AND ($2::text IS NULL OR payment_id > $2)"
        " AND ($4::text IS NULL OR status = $4) ORDER BY payment_id LIMIT $3",
        tenant, after, limit, status)
    return [dict(r) for r in rows]


async def parked_payment(conn: asyncpg.Connection, tenant: str, payment_id: str) -> dict[str, Any]:
    row = await conn.fetchrow(f"{_PARKED} WHERE tenant = $1 AND payment_id = $2",
                              tenant, payment_id)
    if row is None:
        raise UnknownParkedPayment(f"no parked payment {payment_id}")
    return dict(row)


async def currency(conn: asyncpg.Connection, tenant: str, debt_id: str) -> str:
    """A debt's currency, which never changes after opening (so it is safe to read before
    the command's own transaction)."""
    value = await conn.fetchval(
        "SELECT currency FROM ledger_debts WHERE tenant = $1 AND debt_id = $2", tenant, debt_id)
    if value is None:
        raise UnknownDebt(f"debt {debt_id} does not exist")
    return str(value)
