"""Case files on the real PostgreSQL: streams exported whole, verified from the file alone, and
every kind of tampering with the file named by stream and version."""

import asyncio
import base64
import copy
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from typer.testing import CliRunner

from goodfaith_events.canonical import canonical_json
from goodfaith_runtime.casefile import (
    FORMAT,
    CaseFileError,
    content_sha256,
    export_case_file,
    signature,
    verify_case_file,
)
from goodfaith_runtime.cli import app
from goodfaith_runtime.clock import ManualClock
from goodfaith_runtime.eventstore import (
    Metadata,
    NewEvent,
    PostgresEventStore,
    canonical_record,
    chain_hash,
)
from goodfaith_runtime.pii import PersonKeyring
from goodfaith_runtime.signing import public_key_text

pytestmark = pytest.mark.integration
META = Metadata(tenant="acme", producer="test")
DEBT = "ledger/acme/debt/D-1"
runner = CliRunner()


def happened(n: int, **more: object) -> NewEvent:
    return NewEvent(type="test.Happened", payload={"n": n, **more})


async def seed(store: PostgresEventStore) -> None:
    await store.append(DEBT, 0, [happened(1), happened(2)], META)
    await store.append(DEBT, 2, [happened(3)], META)
    await store.append(f"{DEBT}/public", 0, [happened(1)], META)
    await store.append("ledger/acme/debt/D-10", 0, [happened(1)], META)  # not under D-1
    await store.append("ledger/acme/debtor/P-1", 0, [happened(1)], META)


def exported(document: dict) -> dict[str, list[int]]:
    return {s["stream_id"]: [e["stream_version"] for e in s["events"]]
            for s in document["streams"]}


def resealed(document: dict) -> dict:
    """The document with its content_sha256 recomputed: what a forger who edits an event
    would do, since anyone can compute it."""
    document["content_sha256"] = content_sha256(document)
    return document


def broken(document: dict, **kwargs: object) -> list[tuple[str, int, str]]:
    report = verify_case_file(document, **kwargs)  # type: ignore[arg-type]
    return [(b.stream_id, b.stream_version, b.reason) for b in report.broken]


async def test_a_debts_case_file_holds_its_streams_whole_and_verifies_from_the_file(pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    await seed(store)
    clock = ManualClock(datetime(2026, 12, 7, 16, 0, tzinfo=UTC))
    document = await export_case_file(pool, trees=[DEBT], streams=["ledger/acme/debt/none"],
                                      generated_by="auditor@acme", clock=clock)

    assert document["format"] == FORMAT and document["generated_by"] == "auditor@acme"
    assert document["generated_at"] == "2026-12-07T16:00:00+00:00"
    # The debt's own stream and its public one, whole; not D-10, not the debtor's stream.
    assert exported(document) == {DEBT: [1, 2, 3], f"{DEBT}/public": [1]}
    assert document["not_found"] == ["ledger/acme/debt/none"]
    head = document["streams"][0]["head"]
    stored = (await store.read_stream(DEBT)).events[-1]
    assert head == {"version": 3, "hash": stored.hash.hex()}
    assert document["streams"][0]["events"][2]["payload"] == {"n": 3}

    # What the file says round-trips through JSON text and verifies with no database.
    report = verify_case_file(json.loads(json.dumps(document)))
    assert report.ok and (report.streams, report.events) == (2, 4)
    # An anchor taken before (heads of the whole log) agrees on the exported streams and is
    # not asked about the others.
    assert verify_case_file(document, anchor=await store.heads()).ok


async def test_every_tampering_with_a_case_file_is_named(pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    await seed(store)
    anchor = await store.heads()
    original = await export_case_file(pool, trees=[DEBT], generated_by="ops")

    edited = copy.deepcopy(original)
    edited["streams"][0]["events"][1]["payload"]["n"] = 20
    assert broken(edited)[0] == ("", 0, "content_sha256 does not match the content (the file "
                                        "was changed after export)")
    assert broken(resealed(edited)) == [
        (DEBT, 2, "content does not match its hash (the event was altered)")]

    dropped = copy.deepcopy(original)
    del dropped["streams"][0]["events"][1]
    assert broken(resealed(dropped))[0] == (DEBT, 3, "expected version 2, found 3")

    cut = copy.deepcopy(original)  # the last event cut and the head moved back: self-consistent
    stream = cut["streams"][0]
    del stream["events"][2]
    stream["head"] = {"version": 2, "hash": stream["events"][1]["hash"]}
    assert broken(resealed(cut)) == []  # the chain alone cannot see a cut end...
    assert broken(cut, anchor=anchor) == [  # ...an anchor does
        (DEBT, 3, "the anchored head is gone (events were removed)")]

    rewritten = copy.deepcopy(original)  # the last event changed and its hash recomputed
    stream = rewritten["streams"][0]
    last = stream["events"][2]
    last["payload"]["n"] = 30
    last["hash"] = chain_hash(bytes.fromhex(last["prev_hash"]), canonical_record(
        event_id=uuid.UUID(last["event_id"]), stream_id=DEBT, stream_version=3,
        type=last["type"], schema_version=1, payload_json=canonical_json(last["payload"]),
        metadata_json=canonical_json(last["metadata"]), tenant="acme",
        recorded_at=datetime.fromisoformat(last["recorded_at"]))).hex()
    stream["head"]["hash"] = last["hash"]
    assert broken(resealed(rewritten)) == []  # a forger with the whole file's rights...
    assert broken(rewritten, anchor=anchor) == [  # ...is caught by the anchor
        (DEBT, 3, "hash differs from the anchor (the stream was rewritten)")]

    boolean = copy.deepcopy(original)
    boolean["streams"][1]["head"]["version"] = True
    assert broken(resealed(boolean)) == [
        (f"{DEBT}/public", 1, "the head does not name the last event")]

    headless = copy.deepcopy(original)
    headless["streams"][0]["head"] = {"version": 3, "hash": "00" * 32}
    assert broken(resealed(headless)) == [(DEBT, 3, "the head does not name the last event")]

    # No export writes a float (NaN included) or an integer past 64 bits: the digest cannot
    # even be recomputed over them, and the chain names the event.
    for value in (1.5, float("nan"), 2**70):
        odd = copy.deepcopy(original)
        odd["streams"][1]["events"][0]["payload"]["n"] = value
        found = broken(odd)
        assert found[0][:2] == ("", 0) and found[1][:2] == (f"{DEBT}/public", 1), found
        assert found[1][2].startswith("content is not canonical")

    # The chain covers values, not their spelling: every other spelling of a value, and any
    # key no hash covers, is refused even with the digest recomputed.
    def spelled(change) -> list[tuple[str, int, str]]:
        other = copy.deepcopy(original)
        change(other["streams"][0]["events"][0])
        return broken(resealed(other))

    event_id = original["streams"][0]["events"][0]["event_id"]
    recorded = original["streams"][0]["events"][0]["recorded_at"]
    for change in (
        lambda e: e.update(stream_version=True),
        lambda e: e.update(schema_version="1"),
        lambda e: e.update(event_id=event_id.upper()),
        lambda e: e.update(event_id=f"urn:uuid:{event_id}"),
        lambda e: e.update(event_id=1),
        lambda e: e.update(hash=e["hash"].upper()),
        lambda e: e.update(recorded_at=datetime.fromisoformat(recorded).astimezone(
            timezone(timedelta(hours=5))).isoformat()),
        lambda e: e.update(recorded_at=recorded.replace("+00:00", "")),
        lambda e: e.update(recorded_at="0001-01-01T00:00:00+05:00"),
        lambda e: e.update(note="settled in full"),
        lambda e: e.update(log_position=None),
    ):
        found = spelled(change)
        assert len(found) == 1 and found[0][0] == DEBT, found
        assert found[0][2].startswith("not an event record"), found

    # The selection binds the file: a stream it covers cannot be dropped unseen (with an
    # anchor), nor can one be added, or be both exported and "not found".
    without_public = copy.deepcopy(original)
    del without_public["streams"][1]
    assert broken(resealed(without_public)) == []
    assert broken(without_public, anchor=anchor) == [
        (f"{DEBT}/public", 1, "the anchored head is gone (events were removed)")]
    claimed = copy.deepcopy(original)
    claimed["not_found"] = [f"{DEBT}/public"]
    assert broken(resealed(claimed)) == [
        (f"{DEBT}/public", 0, "a stream outside the selection, or also listed as not found")]
    narrowed = copy.deepcopy(original)
    narrowed["selection"]["trees"] = [f"{DEBT}/public"]
    assert broken(resealed(narrowed)) == [
        (DEBT, 0, "a stream outside the selection, or also listed as not found")]
    other_tenant = copy.deepcopy(original)
    other_tenant["selection"]["tenant"] = "globex"
    assert [b[:2] for b in broken(resealed(other_tenant))] == [(DEBT, 1), (f"{DEBT}/public", 1)]


    mangled = copy.deepcopy(original)
    mangled["streams"][1]["events"][0]["hash"] = "not hex"
    assert broken(resealed(mangled)) == [
        (f"{DEBT}/public", 1, "not an event record: a hash that is not 64 lower-case hex digits")]

    with pytest.raises(CaseFileError):
        verify_case_file({"format": "something else", "streams": []})
    with pytest.raises(CaseFileError):
        verify_case_file([])  # type: ignore[arg-type]


async def test_a_case_file_keeps_personal_fields_sealed_and_verifies_after_erasure(
        pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    keyring = PersonKeyring(bytes(32))
    async with pool.acquire() as conn:
        payload = await keyring.seal(conn, person_id="acme/P-1", tenant="acme",
                                     payload={"name": "Pat Doe", "n": 1}, fields=["name"])
    await store.append("ledger/acme/debtor/P-1", 0,
                       [NewEvent(type="test.Named", payload=payload)], META)
    text = json.dumps(await export_case_file(pool, streams=["ledger/acme/debtor/P-1"],
                                             generated_by="ops"))
    assert "Pat Doe" not in text and "enc:v1:" in text
    async with pool.acquire() as conn:
        assert await keyring.erase(conn, person_id="acme/P-1", tenant="acme")
    after = await export_case_file(pool, streams=["ledger/acme/debtor/P-1"], generated_by="ops")
    assert verify_case_file(after).ok and json.dumps(after).count("enc:v1:") == 1


async def test_an_export_must_name_what_it_takes(pool) -> None:
    for streams, trees, by in (([], [], "ops"), ([""], [], "ops"), ([], [" "], "ops"),
                               (["s"], [], " ")):
        with pytest.raises(CaseFileError):
            await export_case_file(pool, streams=streams, trees=trees, generated_by=by)


async def test_the_case_file_command_exports_and_verifies(pool, database, tmp_path) -> None:
    store = PostgresEventStore(pool, producer="test")
    await seed(store)
    out, anchor = tmp_path / "case.json", tmp_path / "anchor.json"

    def cli(*args: str):
        return runner.invoke(app, [*args])

    dsn = ["--database-url", database.runtime_dsn]
    taken = await asyncio.to_thread(cli, "anchor", "--out", str(anchor), *dsn)
    assert taken.exit_code == 0, taken.output
    done = await asyncio.to_thread(cli, "case-file", "export", "--out", str(out), "--by", "ops",
                                   "--tree", DEBT, "--stream", "missing", *dsn)
    assert done.exit_code == 0, done.output
    assert "2 streams, 4 events" in done.output and "NOT FOUND missing" in done.output
    checked = await asyncio.to_thread(cli, "case-file", "verify", str(out), "--anchor",
                                      str(anchor))
    assert checked.exit_code == 0 and "2 streams, 4 events checked" in checked.output

    document = json.loads(out.read_text())
    document["streams"][0]["events"][0]["payload"]["n"] = 99
    out.write_text(json.dumps(resealed(document)))
    refused = await asyncio.to_thread(cli, "case-file", "verify", str(out))
    assert refused.exit_code == 1 and f"BROKEN {DEBT} at version 1" in refused.output

    out.write_text("not json")
    unreadable = await asyncio.to_thread(cli, "case-file", "verify", str(out))
    assert unreadable.exit_code == 1 and "not a readable case file" in unreadable.output
    gone = await asyncio.to_thread(cli, "case-file", "verify", str(tmp_path / "none.json"))
    assert gone.exit_code == 1 and "not a readable case file" in gone.output
    anchor.write_text('{"streams": {"s": {"version": "x"}}}')
    bad_anchor = await asyncio.to_thread(cli, "verify", "--anchor", str(anchor), *dsn)
    assert bad_anchor.exit_code == 1 and "not an anchor file" in bad_anchor.output
    nothing = await asyncio.to_thread(cli, "case-file", "export", "--out", str(out), "--by",
                                      "ops", *dsn)
    assert nothing.exit_code == 1 and "name at least one stream" in nothing.output


async def test_an_export_for_a_tenant_holds_its_events_only_and_is_bounded(pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    await seed(store)
    await store.append("shared/globex", 0, [happened(1)], Metadata(tenant="globex",
                                                                   producer="test"))
    mine = await export_case_file(pool, streams=["shared/globex"], trees=[DEBT],
                                  generated_by="auditor", tenant="acme")
    assert exported(mine) == {DEBT: [1, 2, 3], f"{DEBT}/public": [1]}
    assert mine["not_found"] == ["shared/globex"] and mine["selection"]["tenant"] == "acme"
    theirs = await export_case_file(pool, streams=["shared/globex"], generated_by="auditor",
                                    tenant="globex")
    assert exported(theirs) == {"shared/globex": [1]}

    assert exported(await export_case_file(pool, trees=[DEBT], generated_by="a",
                                           max_events=4)) == exported(mine)
    with pytest.raises(CaseFileError, match="more than 3 events"):
        await export_case_file(pool, trees=[DEBT], generated_by="a", max_events=3)


def private_text(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode()


async def test_a_signed_case_file_names_its_issuer_and_no_one_else_can_reissue_it(pool) -> None:
    store = PostgresEventStore(pool, producer="test")
    await seed(store)
    issuer, forger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    trusted = [public_key_text(issuer)]
    original = await export_case_file(pool, trees=[DEBT], generated_by="ops",
                                      signing_key=issuer)

    signed = original["signature"]
    assert signed["algorithm"] == "Ed25519" and signed["public_key"] == trusted[0]
    report = verify_case_file(json.loads(json.dumps(original)), trusted_keys=trusted)
    assert report.ok and report.signed_by == signed["key_id"]
    # Without trusted keys the signature is still checked, and its key named.
    assert verify_case_file(original).signed_by == signed["key_id"]

    # An edited event with the digest recomputed: every chain and the digest hold, and the
    # signature no longer does.
    edited = copy.deepcopy(original)
    edited["generated_by"] = "someone else"
    assert broken(resealed(edited)) == [("", 0, "the signature does not hold over the content: "
                                                "the file was changed after it was signed")]
    # Re-signed by the forger: it holds, but not by a trusted key.
    edited["signature"] = signature(edited["content_sha256"], forger)
    assert verify_case_file(edited).ok
    assert broken(edited, trusted_keys=trusted) == [
        ("", 0, f"signed by key {edited['signature']['key_id']}, which is not one of the "
                "trusted keys")]
    # The signature taken off: fine for a reader who asked for none, refused for one who did.
    unsigned = copy.deepcopy(original)
    del unsigned["signature"]
    assert verify_case_file(unsigned).ok and verify_case_file(unsigned).signed_by is None
    assert broken(unsigned, trusted_keys=trusted) == [
        ("", 0, "the file is not signed, and a signature by a trusted key was asked for")]

    # A signature in any other form than the export's is reported, never a crash.
    for change in ({"algorithm": "RSA"}, {"key_id": "0" * 16}, {"value": "not base64!"},
                   {"value": signed["value"].rstrip("=")}, {"public_key": "AAAA"},
                   {"note": "x"}, {"value": 7}):
        mangled = copy.deepcopy(original)
        mangled["signature"] = {**signed, **change}
        problems = broken(mangled, trusted_keys=trusted)
        assert len(problems) == 1 and problems[0][:2] == ("", 0), (change, problems)
    mangled["signature"] = None
    assert len(broken(mangled)) == 1
    with pytest.raises(CaseFileError, match="trusted key"):
        verify_case_file(original, trusted_keys=["not a key"])


async def test_the_case_file_command_signs_and_checks_the_signer(pool, database,
                                                                 tmp_path) -> None:
    store = PostgresEventStore(pool, producer="test")
    await seed(store)
    issuer = Ed25519PrivateKey.generate()
    public = public_key_text(issuer)
    out = tmp_path / "case.json"
    dsn = ["--database-url", database.runtime_dsn]

    def cli(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(app, [*args], env=env)

    done = await asyncio.to_thread(
        cli, "case-file", "export", "--out", str(out), "--by", "ops", "--tree", DEBT, *dsn,
        env={"GOODFAITH_CASE_FILE_SIGNING_KEY": private_text(issuer)})
    assert done.exit_code == 0, done.output
    key = json.loads(out.read_text())["signature"]["key_id"]
    assert f"signed by key {key}" in done.output
    checked = await asyncio.to_thread(cli, "case-file", "verify", str(out), "--public-key",
                                      public)
    assert checked.exit_code == 0, checked.output
    assert f"signed by key {key}, a trusted key" in checked.output
    other = public_key_text(Ed25519PrivateKey.generate())
    refused = await asyncio.to_thread(cli, "case-file", "verify", str(out), "--public-key",
                                      other)
    assert refused.exit_code == 1 and "not one of the trusted keys" in refused.output

    plain = await asyncio.to_thread(cli, "case-file", "export", "--out", str(out), "--by",
                                    "ops", "--tree", DEBT, *dsn)
    assert plain.exit_code == 0 and "unsigned" in plain.output
    unsigned = await asyncio.to_thread(cli, "case-file", "verify", str(out), "--public-key",
                                       public)
    assert unsigned.exit_code == 1 and "not signed" in unsigned.output
    bad = await asyncio.to_thread(cli, "case-file", "export", "--out", str(out), "--by", "ops",
                                  "--tree", DEBT, "--signing-key", "short", *dsn)
    assert bad.exit_code == 1 and "base64 of 32 raw bytes" in bad.output
