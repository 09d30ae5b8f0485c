"""Wires compliance: runtime (pool, migrations, event store, keyring, relay, consumers), the
person streams, the approval signer and the service. Nothing connects at import time; `start`
runs in the FastAPI lifespan (or a bench's or worker's main)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from compliance.adapters.person_stream import PersonStreams
from compliance.adapters.signing import ApprovalSigner
from compliance.config import ComplianceSettings
from compliance.entrypoints import consumers
from compliance.service_layer.handlers import ComplianceService
from goodfaith_events.contracts import Topics
from goodfaith_runtime.clock import Clock, SystemClock
from goodfaith_runtime.pii import parse_kek
from goodfaith_runtime.service import ConsumerSpec, ServiceRuntime

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@dataclass
class Compliance:
    settings: ComplianceSettings
    clock: Clock
    runtime: ServiceRuntime
    signer: ApprovalSigner
    service: ComplianceService = field(init=False)
    streams: PersonStreams = field(init=False)

    async def start(self) -> None:
        await self.runtime.start()
        self.streams = PersonStreams(self.runtime.store, self.runtime.keyring,
                                     parse_kek(self.settings.pii_kek))
        self.service = ComplianceService(
            streams=self.streams, signer=self.signer, clock=self.clock,
            approval_ttl=timedelta(seconds=self.settings.approval_ttl_seconds),
            max_attempts=self.settings.gate_max_attempts)

    async def stop(self) -> None:
        await self.runtime.stop()


def bootstrap(settings: ComplianceSettings | None = None, clock: Clock | None = None) -> Compliance:
    settings = settings or ComplianceSettings()  # from the environment
    clock = clock or SystemClock()
    holder: dict[str, Any] = {}

    def service() -> ComplianceService:
        found: ComplianceService = holder["compliance"].service
        return found

    runtime = ServiceRuntime(
        service="compliance", settings=settings, migrations=MIGRATIONS, clock=clock,
        consumers=[
            ConsumerSpec(name=consumers.GATE, topics=[Topics.CONTACT_REQUESTED],
                         handlers=consumers.gate_handlers(service)),
            # Reported attempts, disputes and erasures wait on no caller; the gate never needs
            # them to keep caps (an approval counts when granted, D-23): they fetch less often.
            ConsumerSpec(name=consumers.FACTS,
                         topics=[Topics.CONTACT_ATTEMPTED, Topics.DISPUTE_RAISED,
                                 Topics.DEBTOR_ERASED],
                         handlers=consumers.fact_handlers(service), background=True),
        ],
        topics=[Topics.CONTACT_DECIDED],
    )
    compliance = Compliance(settings=settings, clock=clock, runtime=runtime,
                            signer=ApprovalSigner(settings.compliance_signing_key))
    holder["compliance"] = compliance
    return compliance
