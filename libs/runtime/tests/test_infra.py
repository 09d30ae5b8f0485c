"""Start-up of the embedded infrastructure: a failed start leaves no process behind (real
embedded PostgreSQL, real Tansu)."""

import socket
from pathlib import Path

import psutil
import pytest

from goodfaith_runtime.infra import Infra, start_embedded


def processes_serving(pgdata: Path) -> list[psutil.Process]:
    """Running PostgreSQL processes whose command line names this data directory."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if any(str(pgdata) in part for part in cmdline):
            found.append(proc)
    return found


def test_a_broker_that_cannot_start_stops_postgresql_again(tmp_path: Path) -> None:
    # A port someone else holds (bound, not listening): Tansu cannot listen there and exits.
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    home = tmp_path / "infra"
    try:
        with pytest.raises(RuntimeError, match=r"Tansu broker did not start: .* exited"):
            start_embedded(home, kafka_port=taken.getsockname()[1])
    finally:
        taken.close()
    leaked = processes_serving(home / "pg")
    for proc in leaked:  # do not leave the leak to the rest of the session
        proc.terminate()
    psutil.wait_procs(leaked, timeout=10)
    assert leaked == [], "PostgreSQL kept running after the broker failed to start"
    assert (home / "pg" / "PG_VERSION").exists()  # PostgreSQL did start first
    assert not (home / "pg" / "postmaster.pid").exists()


def test_every_stopper_runs_even_when_one_fails() -> None:
    ran: list[str] = []

    def failing() -> None:
        ran.append("broker")
        raise RuntimeError("broker would not stop")

    infra = Infra(admin_dsn="postgresql://x/y", kafka_bootstrap="x:1", kind="test")
    infra._stoppers += [lambda: ran.append("postgres"), failing]
    with pytest.raises(RuntimeError, match="would not stop"):
        infra.stop()
    assert ran == ["broker", "postgres"]  # last started, first stopped; both ran
    infra.stop()  # a second stop does nothing
    assert ran == ["broker", "postgres"]


def test_the_containers_option_is_installed_and_says_what_it_needs(monkeypatch) -> None:
    """`GOODFAITH_INFRA=containers` (real Apache Kafka and PostgreSQL through testcontainers)
    cannot run here, no Docker engine; what can be checked: `make install` brings the extra,
    the images' classes are where infra.py looks for them, and without a Docker engine the
    option fails at once with a clear message rather than an import error."""
    import shutil
    import warnings

    from goodfaith_runtime import infra as infra_module

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a deprecated module path fails here, not in use
        from testcontainers.community.kafka import KafkaContainer
        from testcontainers.community.postgres import PostgresContainer
    assert hasattr(KafkaContainer, "with_kraft")
    assert hasattr(PostgresContainer, "get_connection_url")
    monkeypatch.setattr(shutil, "which", lambda _: None)
    monkeypatch.setenv("GOODFAITH_INFRA", "containers")
    monkeypatch.delenv("GOODFAITH_DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="needs a Docker engine"):
        infra_module.Infra.from_environment()
