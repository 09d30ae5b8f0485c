"""The compliance HTTP API: ``create_app`` plus its lifespan (which also runs the gate
consumers and the outbox relay)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from compliance.bootstrap import bootstrap
from compliance.config import ComplianceSettings
from compliance.entrypoints import routes_gate, routes_persons, routes_violations
from compliance.entrypoints.errors import install_compliance_errors
from goodfaith_runtime.clock import Clock
from goodfaith_runtime.http import attach_runtime, create_service_app

DESCRIPTION = """The compliance gate: no contact with a debtor happens unless it approved it.
Outreach asks over Kafka (ContactRequested -> ContactApproved / ContactBlocked); agents about to
dial by hand ask `POST /v1/checks` and get the same decision, recorded the same way.
`POST /v1/evaluate` answers what-if questions on a context of your own and records nothing.
Scopes: `compliance:check` (checks, evaluate), `compliance:write` (profiles, facts),
`compliance:read` (decisions, restrictions, violations). The token's tenant is the only tenant a
call can see. Creating POSTs accept an `Idempotency-Key`. Errors are RFC 9457 problem+json.
Engineering, not legal advice: see services/compliance/docs/decisions.md."""


def create_app(settings: ComplianceSettings | None = None, clock: Clock | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        compliance = bootstrap(settings, clock)
        await compliance.start()
        app.state.compliance = compliance
        attach_runtime(app, compliance.settings, compliance.runtime)
        try:
            yield
        finally:
            await compliance.stop()

    app: FastAPI = create_service_app(
        name="compliance", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
        routers=[routes_gate.router, routes_persons.router, routes_violations.router])
    install_compliance_errors(app)
    return app
