"""Start the four services as child processes against one infrastructure: used by
`goodfaith up` and by the end-to-end tests, so both run the system the same way."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from goodfaith_events.contracts import Topics
from goodfaith_runtime.infra import Infra, ServiceDatabase, free_port
from goodfaith_runtime.kafka import ensure_topics

SERVICES = {"ledger": 8001, "outreach": 8002, "compliance": 8003, "payments": 8004}


@dataclass
class RunningService:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class System:
    infra: Infra
    home: Path
    env: dict[str, str] = field(default_factory=dict)
    services: dict[str, RunningService] = field(default_factory=dict)

    async def prepare(self, prefix: str = "") -> dict[str, ServiceDatabase]:
        """The topics, and each service's database with its runtime role: the services
        migrate as the owner and run as that role (see db.grant_runtime_role)."""
        await ensure_topics(self.infra.kafka_bootstrap, Topics.all())
        return {name: await self.infra.create_service_database(f"{prefix}{name}")
                for name in SERVICES}

    def start(self, databases: dict[str, ServiceDatabase], *, fixed_ports: bool = True) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        for name, default_port in SERVICES.items():
            port = default_port if fixed_ports else free_port()
            log = self.home / f"{name}.log"
            env = {**os.environ, **self.env, **databases[name].environment(),
                   "GOODFAITH_KAFKA_BOOTSTRAP": self.infra.kafka_bootstrap,
                   "GOODFAITH_PORT": str(port), "GOODFAITH_HOST": "127.0.0.1",
                   "OTEL_SERVICE_NAME": name}
            with log.open("ab") as out:
                process = subprocess.Popen([sys.executable, "-m", name], env=env, stdout=out,
                                           stderr=subprocess.STDOUT)
            self.services[name] = RunningService(name, port, process, log)

    def wait_ready(self, timeout: float = 60) -> dict[str, bool]:
        deadline = time.monotonic() + timeout
        ready: dict[str, bool] = {}
        for name, service in self.services.items():
            ready[name] = False
            while time.monotonic() < deadline and service.process.poll() is None:
                try:
                    answer = httpx.get(f"{service.url}/health/ready", timeout=1)
                    if answer.status_code == 200:
                        ready[name] = True
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
        return ready

    def stop(self) -> None:
        for service in self.services.values():
            service.process.terminate()
        for service in self.services.values():
            try:
                service.process.wait(15)
            except subprocess.TimeoutExpired:
                service.process.kill()
        self.services.clear()
