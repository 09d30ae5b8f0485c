"""The ledger's HTTP API for internal apps: ``create_app`` plus its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from goodfaith_runtime.clock import Clock
from goodfaith_runtime.http import attach_runtime, create_service_app
from ledger.bootstrap import bootstrap
from ledger.config import LedgerSettings
from ledger.entrypoints import (
    routes_corrections,
    routes_debtors,
    routes_debts,
    routes_parked,
    routes_queries,
)
from ledger.entrypoints.errors import install_ledger_errors

DESCRIPTION = """The source of truth for what is owed and by whom: debtors, debts, invoices,
balances, aging, payments, disputes, settlements, write-offs, corrections (debt details,
invoice due dates and amounts, credit refunds), parked payments and overdue milestones.
Every call needs a bearer token with `ledger:read` or `ledger:write`; the token's tenant is the
only tenant a call can see. Amounts are integer minor units with an ISO 4217 currency.
Creating POSTs accept an `Idempotency-Key`. Errors are RFC 9457 problem+json."""


def create_app(settings: LedgerSettings | None = None, clock: Clock | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ledger = bootstrap(settings, clock)
        await ledger.start()
        app.state.ledger = ledger
        attach_runtime(app, ledger.settings, ledger.runtime)
        try:
            yield
        finally:
            await ledger.stop()

    app: FastAPI = create_service_app(
        name="ledger", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
        routers=[routes_debtors.router, routes_debts.router, routes_corrections.router,
                 routes_queries.router, routes_parked.router])
    install_ledger_errors(app)
    return app
