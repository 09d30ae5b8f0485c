"""The `goodfaith` command: start the whole system on one machine, mint development tokens,
verify event logs."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import typer

from goodfaith_events.contracts import Topics
from goodfaith_runtime.auth import mint_token
from goodfaith_runtime.infra import Infra, start_embedded
from goodfaith_runtime.kafka import ensure_topics
from goodfaith_runtime.settings import DEV_JWT_SECRET

app = typer.Typer(help="goodfaith: ethical, compliant debt collection", no_args_is_help=True)

SERVICES = {"ledger": 8001, "outreach": 8002, "compliance": 8003, "payments": 8004}
ALL_SCOPES = [
    "ledger:read", "ledger:write", "compliance:read", "compliance:write", "compliance:check",
    "outreach:read", "outreach:write", "payments:read", "payments:write",
]


async def _prepare(infra: Infra) -> dict[str, str]:
    dsns = {name: await infra.create_database(name) for name in SERVICES}
    await ensure_topics(infra.kafka_bootstrap, Topics.all())
    return dsns


def _spawn(name: str, port: int, dsn: str, infra: Infra, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GOODFAITH_DATABASE_URL": dsn,
           "GOODFAITH_KAFKA_BOOTSTRAP": infra.kafka_bootstrap, "GOODFAITH_PORT": str(port),
           "GOODFAITH_HOST": "127.0.0.1", "OTEL_SERVICE_NAME": name}
    log = (home / f"{name}.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", name], env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def _wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return False


@app.command()
def up(
    home: Path = typer.Option(Path(".run"), help="Where data and logs go"),
    kafka_port: int = typer.Option(19092, help="Port of the embedded broker"),
) -> None:
    """Start embedded PostgreSQL, the Tansu broker and all four services; Ctrl-C stops all."""
    home = home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    infra = start_embedded(home / "infra", kafka_port=kafka_port)
    children: dict[str, subprocess.Popen[bytes]] = {}
    try:
        dsns = asyncio.run(_prepare(infra))
        for name, port in SERVICES.items():
            children[name] = _spawn(name, port, dsns[name], infra, home)
        for name, port in SERVICES.items():
            ok = _wait_ready(port, children[name])
            typer.echo(f"{name:<11} http://127.0.0.1:{port}  {'ready' if ok else 'NOT READY'}"
                       f"  (log: {home / (name + '.log')})")
        typer.echo(f"kafka       {infra.kafka_bootstrap}\npostgres    {infra.admin_dsn}")
        typer.echo("token:      uv run goodfaith token --tenant demo")
        _wait_for_signal(children)
    finally:
        for child in children.values():
            child.terminate()
        for child in children.values():
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
        infra.stop()


def _wait_for_signal(children: dict[str, subprocess.Popen[bytes]]) -> None:
    stop = False

    def on_signal(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stop:
        for name, child in children.items():
            if child.poll() is not None:
                typer.echo(f"{name} exited with {child.returncode}; stopping", err=True)
                return
        time.sleep(0.5)


@app.command()
def token(
    tenant: str = typer.Option(..., help="Creditor (tenant) id"),
    scope: list[str] = typer.Option(ALL_SCOPES, help="Scopes; repeat the option"),
    subject: str = typer.Option("dev", help="Who the token is for"),
    hours: int = typer.Option(12),
) -> None:
    """Mint a development token (HS256 with GOODFAITH_JWT_KEY or the development key)."""
    from datetime import timedelta

    key = os.environ.get("GOODFAITH_JWT_KEY", DEV_JWT_SECRET)
    typer.echo(mint_token(key, subject=subject, tenant=tenant, scopes=scope,
                          ttl=timedelta(hours=hours)))


@app.command()
def verify(database_url: str = typer.Option(..., envvar="GOODFAITH_DATABASE_URL")) -> None:
    """Recompute every hash chain of a service's event log; exit 1 naming the first broken
    link of each broken stream."""
    from goodfaith_runtime.db import create_pool
    from goodfaith_runtime.eventstore import PostgresEventStore

    async def run() -> bool:
        pool = await create_pool(database_url)
        try:
            report = await PostgresEventStore(pool, producer="verify").verify()
        finally:
            await pool.close()
        typer.echo(f"{report.streams} streams, {report.events} events checked")
        for link in report.broken:
            typer.echo(f"BROKEN {link.stream_id} at version {link.stream_version}: {link.reason}")
        return report.ok

    raise typer.Exit(0 if asyncio.run(run()) else 1)


if __name__ == "__main__":
    app()
