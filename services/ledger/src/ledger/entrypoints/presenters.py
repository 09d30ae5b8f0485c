"""Shape answers from the read side. Each returns a function of a connection, so a command
can present its result inside its own transaction (and remember it for Idempotency-Key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import asyncpg

from goodfaith_runtime.http import encode_cursor
from goodfaith_runtime.pii import PersonKeyring
from ledger.adapters import queries
from ledger.adapters.repository import PostgresDebtorRepository
from ledger.domain.debtor import Debtor

if TYPE_CHECKING:  # deps imports this module (DebtorView)
    from ledger.entrypoints.deps import Presenter


def created(item_id: str) -> Presenter:
    async def present(_: asyncpg.Connection) -> dict[str, Any]:
        return {"id": item_id}

    return present


@dataclass(frozen=True)
class DebtorView:
    """The debtor view, the one answer showing a debtor's personal data: an Idempotency-Key
    remembers it with the debtor as its subject, so their erasure purges it (deps.Idempotency).
    Personal data lives only encrypted in the debtor's stream, never in a projection, so this
    view replays the aggregate (and shows "[erased]" after an erasure)."""

    keyring: PersonKeyring
    tenant: str
    debtor_id: str

    async def __call__(self, conn: asyncpg.Connection) -> dict[str, Any]:
        await queries.require_debtor(conn, self.tenant, self.debtor_id)
        repository = PostgresDebtorRepository(conn, self.keyring)
        return _debtor(await repository.get(self.tenant, self.debtor_id))


def debtor(keyring: PersonKeyring, tenant: str, debtor_id: str) -> DebtorView:
    return DebtorView(keyring, tenant, debtor_id)


def _debtor(d: Debtor) -> dict[str, Any]:
    return {
        "debtor_id": d.debtor_id, "given_name": d.given_name, "family_name": d.family_name,
        "other_names": list(d.other_names), "language": d.language, "country": d.country,
        "region": d.region, "erased": d.erased,
        "phones": [{"phone_id": k, "number": p.number, "type": p.kind.value,
                    "area_code": p.area_code} for k, p in d.phones.items()],
        "emails": [{"email_id": k, "address": m.address, "provenance": m.provenance.value}
                   for k, m in d.emails.items()],
        "addresses": [{"address_id": k, "lines": list(a.lines), "city": a.city,
                       "region": a.region, "postal_code": a.postal_code, "country": a.country,
                       "time_zone": a.time_zone} for k, a in d.addresses.items()],
    }


def debt(tenant: str, debt_id: str) -> Presenter:
    async def present(conn: asyncpg.Connection) -> dict[str, Any]:
        row = await queries.debt(conn, tenant, debt_id)
        return {**row, "invoices": await queries.invoices(conn, tenant, debt_id)}

    return present


def balance(tenant: str, debt_id: str) -> Presenter:
    async def present(conn: asyncpg.Connection) -> dict[str, Any]:
        row = await queries.debt(conn, tenant, debt_id)
        keys = ("debt_id", "currency", "status", "principal", "interest", "fees", "total",
                "disputed", "credit")
        return {**{k: row[k] for k in keys},
                "invoices": await queries.invoices(conn, tenant, debt_id)}

    return present


def debt_page(
    tenant: str, after: str | None, limit: int, debtor_id: str | None, status: str | None,
) -> Presenter:
    async def present(conn: asyncpg.Connection) -> dict[str, Any]:
        rows = await queries.debts(conn, tenant, after=after, limit=limit + 1,
                                   debtor_id=debtor_id, status=status)
        return _page(rows, limit, "debt_id")

    return present


def _page(rows: list[dict[str, Any]], limit: int, key: str) -> dict[str, Any]:
    more = len(rows) > limit
    items = rows[:limit]
    return {"items": items, "next_cursor": encode_cursor([items[-1][key]]) if more else None}


def aging(tenant: str, as_of: date, debt_id: str | None = None) -> Presenter:
    async def present(conn: asyncpg.Connection) -> dict[str, Any]:
        if debt_id is not None:
            await queries.debt(conn, tenant, debt_id)
        return {"as_of": as_of, "by_currency": await queries.aging(conn, tenant, as_of, debt_id)}

    return present


def totals(tenant: str, debtor_id: str) -> Presenter:
    async def present(conn: asyncpg.Connection) -> dict[str, Any]:
        return {"debtor_id": debtor_id,
                "totals": await queries.debtor_totals(conn, tenant, debtor_id)}

    return present


def timeline(tenant: str, debt_id: str, after: int, limit: int) -> Presenter:
    async def present(conn: asyncpg.Connection) -> dict[str, Any]:
        await queries.debt(conn, tenant, debt_id)
        rows = await queries.debt_timeline(conn, tenant, debt_id, after=after, limit=limit + 1)
        for row in rows:
            money = row["amount"]
            row["amount"] = None if money is None else {
                "amount_minor": money.amount, "currency": money.currency}
        return _page(rows, limit, "version")

    return present


def limitation(tenant: str, debt_id: str, as_of: date) -> Presenter:
    async def present(conn: asyncpg.Connection) -> dict[str, Any]:
        barred, facts = await queries.limitation(conn, tenant, debt_id, as_of)
        return {"debt_id": debt_id, "as_of": as_of, "time_barred": barred, **facts}

    return present


def parked(tenant: str, after: str | None, limit: int, status: str | None = None) -> Presenter:
    async def present(conn: asyncpg.Connection) -> dict[str, Any]:
        rows = await queries.parked_payments(conn, tenant, after=after, limit=limit + 1,
                                             status=status)
        return _page(rows, limit, "payment_id")

    return present


def parked_payment(tenant: str, payment_id: str) -> Presenter:
    async def present(conn: asyncpg.Connection) -> dict[str, Any]:
        return await queries.parked_payment(conn, tenant, payment_id)

    return present


def currency(tenant: str, debt_id: str) -> Presenter:
    async def present(conn: asyncpg.Connection) -> str:
        return await queries.currency(conn, tenant, debt_id)

    return present
