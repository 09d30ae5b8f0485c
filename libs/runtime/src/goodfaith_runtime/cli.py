"""The `goodfaith` command: start the whole system on one machine, mint development tokens,
verify event logs and anchor their chain heads, export and verify case files, resolve dead
letters."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, NoReturn

import typer

from goodfaith_runtime.auth import mint_token
from goodfaith_runtime.clock import SystemClock
from goodfaith_runtime.infra import start_embedded
from goodfaith_runtime.launcher import System
from goodfaith_runtime.settings import DEV_JWT_SECRET

app = typer.Typer(help="goodfaith: ethical, compliant debt collection", no_args_is_help=True)

ALL_SCOPES = [
    "ledger:read", "ledger:write", "compliance:read", "compliance:write", "compliance:check",
    "outreach:read", "outreach:write", "payments:read", "payments:write",
    "ledger:audit", "compliance:audit", "outreach:audit", "payments:audit",
]


@app.command()
def up(
    home: Path = typer.Option(Path(".run"), help="Where data and logs go"),
    kafka_port: int = typer.Option(19092, help="Port of the embedded broker"),
) -> None:
    """Start embedded PostgreSQL, the Tansu broker and all four services; Ctrl-C stops all."""
    home = home.resolve()
    # Everything started is stopped again, in reverse order, however start-up or the run ends
    # (start_embedded itself stops PostgreSQL should the broker not start).
    with contextlib.ExitStack() as running:
        infra = start_embedded(home / "infra", kafka_port=kafka_port)
        running.callback(infra.stop)
        system = System(infra, home)
        running.callback(system.stop)
        system.start(asyncio.run(system.prepare()))
        ready = system.wait_ready()
        for name, service in system.services.items():
            state = "ready" if ready[name] else "NOT READY"
            typer.echo(f"{name:<11} {service.url}  {state}  (log: {service.log})")
        typer.echo(f"kafka       {infra.kafka_bootstrap}\npostgres    {infra.admin_dsn}")
        typer.echo("token:      uv run goodfaith token --tenant demo   (Ctrl-C stops everything)")
        _wait_for_signal({n: s.process for n, s in system.services.items()})


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


def _with_pool(database_url: str, work: Any) -> Any:
    """Run `work(pool)` on a pool of `database_url`."""
    from goodfaith_runtime.db import create_pool

    async def run() -> Any:
        pool = await create_pool(database_url)
        try:
            return await work(pool)
        finally:
            await pool.close()

    return asyncio.run(run())


@app.command()
def verify(
    database_url: str = typer.Option(..., envvar="GOODFAITH_DATABASE_URL"),
    anchor: Path | None = typer.Option(
        None, help="A file written by `goodfaith anchor`: its heads must still be there"),
) -> None:
    """Recompute every hash chain of a service's event log; exit 1 naming the first broken
    link of each broken stream (with --anchor, also a stream cut short or rewritten whole
    since the anchor was taken)."""
    from goodfaith_runtime.eventstore import PostgresEventStore

    heads = _read_anchor(anchor)

    async def work(pool: Any) -> Any:
        return await PostgresEventStore(pool, producer="verify").verify(anchor=heads)

    _report(_with_pool(database_url, work))


def _read_json(path: Path, what: str) -> Any:
    """A JSON file's document, or exit 1 naming the file: strict JSON (no NaN, integers of
    64 bits at most, as every goodfaith file is written), read as UTF-8 whatever the locale."""
    import orjson

    try:
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        _fail(ValueError(f"{path} is not a readable {what}: {exc}"))


def _read_anchor(path: Path | None) -> dict[str, Any] | None:
    """The heads of an anchor file written by `goodfaith anchor`, or exit 1 naming it."""
    from goodfaith_runtime.eventstore import ChainHead

    if path is None:
        return None
    document = _read_json(path, "anchor file")
    try:
        return {stream: ChainHead(int(head["version"]), str(head["hash"]))
                for stream, head in document["streams"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        _fail(ValueError(f"{path} is not an anchor file written by `goodfaith anchor`"))


def _report(report: Any) -> None:
    """Print a VerifyReport; exit 1 when a link is broken."""
    typer.echo(f"{report.streams} streams, {report.events} events checked")
    for link in report.broken:
        typer.echo(f"BROKEN {link.stream_id} at version {link.stream_version}: {link.reason}")
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def anchor(
    out: Path = typer.Option(..., help="Where to write the anchor (JSON)"),
    database_url: str = typer.Option(..., envvar="GOODFAITH_DATABASE_URL"),
) -> None:
    """Write every stream's head (last version and hash) to a file, to keep where the
    database's owner cannot write; `verify --anchor` later proves nothing was removed from a
    stream's end or rewritten since. Stream ids and hashes only, no personal data."""
    from goodfaith_runtime.eventstore import PostgresEventStore

    async def work(pool: Any) -> Any:
        return await PostgresEventStore(pool, producer="anchor").heads()

    heads = _with_pool(database_url, work)
    document = {"taken_at": SystemClock().now().isoformat(),
                "streams": {s: {"version": h.version, "hash": h.hash} for s, h in heads.items()}}
    out.write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")
    typer.echo(f"{len(document['streams'])} stream heads written to {out}")


dead_letters = typer.Typer(help="Dead letters: list, requeue once the cause is fixed, discard",
                           no_args_is_help=True)
app.add_typer(dead_letters, name="dead-letters")
_DSN = typer.Option(..., envvar="GOODFAITH_DATABASE_URL")


def _fail(exc: Exception) -> NoReturn:
    typer.echo(str(exc), err=True)
    raise typer.Exit(1)


@dead_letters.command("list")
def dead_letters_list(
    database_url: str = _DSN,
    consumer: str | None = typer.Option(None, help="Only this consumer's"),
    limit: int = typer.Option(100, min=1, max=10_000),
) -> None:
    """Unresolved dead letters, oldest first, as JSON lines (no bodies)."""
    from goodfaith_runtime.deadletters import open_dead_letters

    async def work(pool: Any) -> Any:
        async with pool.acquire() as conn:
            return await open_dead_letters(conn, consumer=consumer, limit=limit)

    for letter in _with_pool(database_url, work):
        typer.echo(json.dumps(letter.__dict__, default=str, sort_keys=True))


@dead_letters.command("discard")
def dead_letters_discard(
    dead_letter_id: int = typer.Argument(..., help="The dead letter's id (see `list`)"),
    by: str = typer.Option(..., help="Who discards it"),
    note: str = typer.Option(..., help="Why"),
    database_url: str = _DSN,
) -> None:
    """Give a message up for good; its stored body is purged, its reason and hash kept."""
    from goodfaith_runtime.deadletters import DeadLetterError, discard

    async def work(pool: Any) -> Any:
        return await discard(pool, dead_letter_id, by=by, note=note)

    try:
        _with_pool(database_url, work)
    except DeadLetterError as exc:
        _fail(exc)
    typer.echo(f"dead letter {dead_letter_id} discarded")


@dead_letters.command("requeue")
def dead_letters_requeue(
    dead_letter_id: int = typer.Argument(..., help="The dead letter's id (see `list`)"),
    by: str = typer.Option(..., help="Who requeues it"),
    note: str | None = typer.Option(None, help="What was fixed"),
    database_url: str = _DSN,
    kafka_bootstrap: str = typer.Option(..., envvar="GOODFAITH_KAFKA_BOOTSTRAP"),
    kafka_idempotence: bool = typer.Option(False, envvar="GOODFAITH_KAFKA_IDEMPOTENCE"),
    pii_kek: str | None = typer.Option(
        None, envvar="GOODFAITH_PII_KEK", show_default=False,
        help="Base64 of the service's key-encryption key, as the service has it: opens a "
             "sealed body (a dead letter stored in clear needs none)"),
) -> None:
    """Send a message to its topic again, as received, once its cause is fixed; its stored
    body is purged when the broker has it."""
    from goodfaith_runtime.deadletters import (
        ERASED,
        BodySealer,
        DeadLetterError,
        check_requeue,
        requeue,
    )
    from goodfaith_runtime.kafka import make_producer
    from goodfaith_runtime.pii import KeyringError

    try:
        sealer = None if pii_kek is None else BodySealer.from_kek(pii_kek)
    except KeyringError as exc:
        _fail(exc)

    async def work(pool: Any) -> Any:
        # A dead letter that cannot be requeued (resolved, erased, sealed and no key or another)
        # is refused before connecting to the broker: the refusal, not a broker error, is what
        # the operator should read.
        await check_requeue(pool, dead_letter_id, sealer=sealer)
        producer = make_producer(kafka_bootstrap, idempotence=kafka_idempotence,
                                 client_id="goodfaith-dead-letters")
        await producer.start()
        try:
            return await requeue(pool, producer, dead_letter_id, by=by, note=note,
                                 sealer=sealer)
        finally:
            await producer.stop()

    try:
        letter = _with_pool(database_url, work)
    except DeadLetterError as exc:
        _fail(exc)
    if letter.resolution == ERASED:  # its subject was erased while it was on its way
        typer.echo(f"dead letter {dead_letter_id} was sent again, but its subject was erased "
                   "meanwhile: it is resolved as erased")
    else:
        typer.echo(f"dead letter {dead_letter_id} requeued")


case_file = typer.Typer(help="Case files: a set of streams exported whole, verifiable without "
                                 "the database", no_args_is_help=True)
app.add_typer(case_file, name="case-file")


@case_file.command("export")
def case_file_export(
    out: Path = typer.Option(..., help="Where to write the case file (JSON)"),
    by: str = typer.Option(..., help="Who exports it (recorded in the file)"),
    stream: list[str] = typer.Option([], help="A stream id (repeatable)"),
    tree: list[str] = typer.Option(
        [], help="A stream and every stream under it, `<id>/...` (repeatable), e.g. "
                 "ledger/<tenant>/debt/<debt id> with its public stream"),
    signing_key: str | None = typer.Option(
        None, envvar="GOODFAITH_CASE_FILE_SIGNING_KEY", show_default=False,
        help="Base64 of the Ed25519 private key that signs the file (the services' "
             "case-file key); unsigned without one"),
    database_url: str = _DSN,
) -> None:
    """Export whole streams, every event as stored (personal fields stay sealed), to one
    JSON document that `case-file verify` checks without the database."""
    from goodfaith_runtime.casefile import CaseFileError, export_case_file
    from goodfaith_runtime.signing import SignatureError, load_private_key

    try:
        private = None if signing_key is None else load_private_key(signing_key)
    except SignatureError as exc:
        _fail(exc)

    async def work(pool: Any) -> Any:
        return await export_case_file(pool, streams=stream, trees=tree, generated_by=by,
                                      signing_key=private)

    try:
        document = _with_pool(database_url, work)
    except CaseFileError as exc:
        _fail(exc)
    try:
        out.write_text(json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False),
                       encoding="utf-8")
    except OSError as exc:
        _fail(exc)
    events = sum(len(s["events"]) for s in document["streams"])
    signed = document.get("signature")
    typer.echo(f"{len(document['streams'])} streams, {events} events written to {out} "
               f"(content_sha256 {document['content_sha256']}, "
               + (f"signed by key {signed['key_id']})" if signed else "unsigned)"))
    for missing in document["not_found"]:
        typer.echo(f"NOT FOUND {missing}")


@case_file.command("verify")
def case_file_verify(
    path: Path = typer.Argument(..., help="A file written by `case-file export`"),
    anchor: Path | None = typer.Option(
        None, help="A file written by `goodfaith anchor`: the heads it holds of the exported "
                   "streams must be in the case file"),
    public_key: list[str] = typer.Option(
        [], help="A trusted signer's public key, base64 (repeatable; `public_key` of GET "
                 "/v1/case-files/signing-key): the file must be signed by one of them"),
) -> None:
    """Recompute every hash chain in a case file, from the file alone, and check its
    signature; exit 1 naming the first broken link of each broken stream."""
    from goodfaith_runtime.casefile import CaseFileError, verify_case_file

    document, heads = _read_json(path, "case file"), _read_anchor(anchor)
    try:
        report = verify_case_file(document, anchor=heads, trusted_keys=public_key or None)
    except CaseFileError as exc:
        _fail(exc)
    if "signature" not in document:
        typer.echo("not signed")
    elif report.signed_by is None:
        typer.echo("the signature does not verify")
    elif public_key:
        typer.echo(f"signed by key {report.signed_by}, a trusted key")
    else:
        typer.echo(f"signed by key {report.signed_by}, not checked against a trusted key "
                   "(pass --public-key to check who signed it)")
    _report(report)


if __name__ == "__main__":
    app()
