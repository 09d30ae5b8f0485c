"""The `goodfaith` command: `token` mints tokens the services accept, `verify` checks a real
database's hash chains and exits 1 on a broken one."""

import asyncio
from datetime import UTC, datetime

import asyncpg
import jwt
import pytest
from typer.testing import CliRunner, Result

from goodfaith_runtime.auth import TokenVerifier
from goodfaith_runtime.cli import ALL_SCOPES, app
from goodfaith_runtime.eventstore import Metadata, NewEvent, PostgresEventStore
from goodfaith_runtime.problems import Problem
from goodfaith_runtime.settings import DEV_JWT_SECRET, ServiceSettings

runner = CliRunner()


def verifier(key: str) -> TokenVerifier:
    # What a service builds from its settings (http.attach_runtime), with the defaults.
    settings = ServiceSettings(database_url="postgresql://unused/x", jwt_key=key)
    return TokenVerifier(settings.jwt_key, algorithms=settings.jwt_algorithms,
                         audience=settings.jwt_audience, issuer=settings.jwt_issuer)


def test_token_mints_a_development_token_the_services_accept(monkeypatch) -> None:
    monkeypatch.delenv("GOODFAITH_JWT_KEY", raising=False)
    result = runner.invoke(app, ["token", "--tenant", "demo"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    who = verifier(DEV_JWT_SECRET).verify(token)
    assert (who.tenant, who.subject) == ("demo", "dev")
    assert who.scopes == frozenset(ALL_SCOPES)
    claims = jwt.decode(token, options={"verify_signature": False})
    hours = (claims["exp"] - datetime.now(UTC).timestamp()) / 3600
    assert 11.9 < hours <= 12


def test_token_takes_scopes_subject_lifetime_and_the_configured_key(monkeypatch) -> None:
    key = "another-key-of-enough-length-0123456789abcdef"
    monkeypatch.setenv("GOODFAITH_JWT_KEY", key)
    result = runner.invoke(app, ["token", "--tenant", "acme", "--scope", "ledger:read",
                                 "--scope", "compliance:check", "--subject", "ops",
                                 "--hours", "1"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    who = verifier(key).verify(token)
    assert (who.tenant, who.subject) == ("acme", "ops")
    assert who.scopes == frozenset({"ledger:read", "compliance:check"})
    hours = (jwt.decode(token, options={"verify_signature": False})["exp"]
             - datetime.now(UTC).timestamp()) / 3600
    assert 0.9 < hours <= 1
    with pytest.raises(Problem) as refused:  # signed with the configured key, not the dev one
        verifier(DEV_JWT_SECRET).verify(token)
    assert refused.value.status == 401


def test_token_needs_a_tenant() -> None:
    result = runner.invoke(app, ["token"])
    assert result.exit_code != 0 and "--tenant" in result.output


@pytest.mark.integration
async def test_verify_passes_an_intact_log_and_names_a_broken_link(database, pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    meta = Metadata(tenant="acme", producer="test")
    await store.append("good", 0, [NewEvent(type="test.Happened", payload={"n": n})
                                   for n in (1, 2)], meta)
    await store.append("bad", 0, [NewEvent(type="test.Happened", payload={"n": n})
                                  for n in (1, 2, 3)], meta)

    def verify() -> Result:  # the command runs its own event loop: off this one
        # as the service's runtime role: reading the log is all verify needs
        return runner.invoke(app, ["verify", "--database-url", database.runtime_dsn])

    intact = await asyncio.to_thread(verify)
    assert intact.exit_code == 0, intact.output
    assert "2 streams, 5 events checked" in intact.output and "BROKEN" not in intact.output

    conn = await asyncpg.connect(database.owner_dsn)
    try:  # a superuser switches the triggers off and edits history
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("UPDATE events SET payload = '{\"n\": 20}' "
                           "WHERE stream_id = 'bad' AND stream_version = 2")
    finally:
        await conn.close()
    broken = await asyncio.to_thread(verify)
    assert broken.exit_code == 1, broken.output
    assert "BROKEN bad at version 2" in broken.output and "BROKEN good" not in broken.output


def test_verify_reads_the_database_url_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("GOODFAITH_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["verify"]).exit_code != 0  # no URL at all: a usage error


@pytest.mark.integration
async def test_an_anchor_catches_a_cut_tail_and_a_rewritten_stream(database, pool,
                                                                   tmp_path) -> None:
    """A chain alone cannot show its last events were removed, or that it was rewritten
    whole with fresh hashes; the heads anchored earlier outside the database do."""
    store = PostgresEventStore(pool, producer="test")
    meta = Metadata(tenant="acme", producer="test")
    for stream in ("kept", "cut", "rewritten", "gone"):
        await store.append(stream, 0, [NewEvent(type="test.Happened", payload={"n": n})
                                       for n in (1, 2, 3)], meta)
    anchor = tmp_path / "anchor.json"

    def run(*args: str) -> Result:
        return runner.invoke(app, [*args, "--database-url", database.runtime_dsn])

    taken = await asyncio.to_thread(run, "anchor", "--out", str(anchor))
    assert taken.exit_code == 0 and "4 stream heads" in taken.output, taken.output
    assert "acme" not in anchor.read_text()  # stream ids and hashes only
    clean = await asyncio.to_thread(run, "verify", "--anchor", str(anchor))
    assert clean.exit_code == 0, clean.output
    await store.append("kept", 3, [NewEvent(type="test.Happened", payload={"n": 4})], meta)

    conn = await asyncpg.connect(database.owner_dsn)
    try:  # the owner switches the triggers off: cuts one tail, rewrites a stream, drops one
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("DELETE FROM events WHERE stream_id = 'cut' AND stream_version = 3")
        await conn.execute("DELETE FROM events WHERE stream_id = 'gone'")
        await conn.execute("DELETE FROM events WHERE stream_id = 'rewritten'")
    finally:
        await conn.close()
    rewritten = PostgresEventStore(pool, producer="test")  # the same stream, other content
    await rewritten.append("rewritten", 0, [NewEvent(type="test.Happened", payload={"n": n})
                                            for n in (7, 8, 9)], meta)
    plain = await asyncio.to_thread(run, "verify")
    assert plain.exit_code == 0, plain.output  # every chain is intact: only the anchor knows
    anchored = await asyncio.to_thread(run, "verify", "--anchor", str(anchor))
    assert anchored.exit_code == 1, anchored.output
    assert "BROKEN cut at version 3: the anchored head is gone" in anchored.output
    assert "BROKEN gone at version 3: the anchored head is gone" in anchored.output
    assert "BROKEN rewritten at version 3: hash differs from the anchor" in anchored.output
    assert "BROKEN kept" not in anchored.output  # growing past the anchor is fine
