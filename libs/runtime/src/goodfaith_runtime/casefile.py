"""Case files: the documentation record of a debt, a person or any set of streams, exported from
a service's event log as one self-contained JSON document that anyone can verify without the
database (`goodfaith case-file export` / `verify`).

A case file holds whole streams, from version 1 to their head, every event exactly as stored:
its canonical content, its chain link pair and, for reading order across streams, its position
in the log. `verify_case_file` recomputes every hash chain from the file alone, the same walk as
`PostgresEventStore.verify`, so an edited, dropped or reordered event is named by stream and
version. What a chain cannot show by itself, events cut from a stream's end or a stream
rewritten whole with fresh hashes, an anchor shows: given the heads anchored earlier (`goodfaith
anchor`, kept outside the database), every anchored head of an exported stream must be in the
file with the same hash.

Personal fields stay as stored: sealed under the person's key (pii.py), so a case file carries
no personal data in clear, and an erased person's fields stay unreadable in it while its chains
still verify. `content_sha256` names the file's exact content, for a recipient to quote and to
see damage; it is no seal, anyone can recompute it.

What the chains and the anchor cannot show is who produced the file: a forger can build a
whole new log whose chains hold. So an export can be signed (`signature`: Ed25519 over the
content digest, with the issuer's public key and its id). `verify_case_file` checks any
signature it finds, and with `trusted_keys` (the keys the operator publishes) also that the
signer is one of them, and an unsigned file then fails.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from goodfaith_events.canonical import NotCanonical, canonical_json
from goodfaith_runtime.clock import Clock, SystemClock
from goodfaith_runtime.eventstore import (
    BrokenLink,
    ChainHead,
    ChainWalk,
    StoredEvent,
    VerifyReport,
)
from goodfaith_runtime.signing import SignatureError, key_id, load_public_key, public_key_text

FORMAT = "goodfaith.case-file/1"
MAX_SELECTORS = 1000


class CaseFileError(Exception):
    """A selection that cannot be exported, or a document that is not a case file."""


_COLUMNS = ("event_id, stream_id, stream_version, type, schema_version, payload, metadata, "
            "tenant, recorded_at, prev_hash, hash, txid::text AS txid, global_position")
# Streams by id come by the primary key. A tree's streams are found by LIKE, which the
# primary key cannot serve under a collation other than C: that part scans `events` (an
# auditor's request, not a hot path), and only when a tree is asked for.
_BY_ID = f"SELECT {_COLUMNS} FROM events WHERE stream_id = ANY($1::text[])"
_UNDER_TREES = (f"SELECT {_COLUMNS} FROM events WHERE stream_id LIKE ANY($2::text[]) "
                "AND stream_id <> ALL($1::text[])")
_ORDER = "ORDER BY stream_id, stream_version"
_SELECT_STREAMS = (f"{_BY_ID} AND ($2::text IS NULL OR tenant = $2) {_ORDER} LIMIT $3")
_SELECT_TREES = (f"SELECT * FROM ({_BY_ID} UNION ALL {_UNDER_TREES}) AS picked "
                 f"WHERE ($3::text IS NULL OR tenant = $3) {_ORDER} LIMIT $4")


def _under(tree: str) -> str:
    """A LIKE pattern for the streams under `tree` (`tree/...`), the text taken literally: a
    debt's tree holds its public stream, and never the stream of debt D-10 beside D-1."""
    escaped = tree.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "/%"


def _check_selection(streams: Sequence[str], trees: Sequence[str]) -> None:
    if not streams and not trees:
        raise CaseFileError("name at least one stream or stream tree")
    if len(streams) + len(trees) > MAX_SELECTORS:
        raise CaseFileError(f"at most {MAX_SELECTORS} streams and trees in one case file")
    if any(not s.strip() for s in [*streams, *trees]):
        raise CaseFileError("stream ids and trees may not be empty")


def _event_document(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "event_id": str(row["event_id"]), "stream_version": row["stream_version"],
        "type": row["type"], "schema_version": row["schema_version"],
        "payload": row["payload"], "metadata": row["metadata"], "tenant": row["tenant"],
        "recorded_at": row["recorded_at"].isoformat(),
        "prev_hash": bytes(row["prev_hash"]).hex(), "hash": bytes(row["hash"]).hex(),
        # Not covered by the hash (it is only known once the row is written): the order
        # events of different streams were committed in, for a reader of the whole file.
        "log_position": [row["txid"], row["global_position"]],
    }


def _streams(rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    streams: list[dict[str, Any]] = []
    for row in rows:
        if not streams or streams[-1]["stream_id"] != row["stream_id"]:
            streams.append({"stream_id": row["stream_id"], "events": []})
        streams[-1]["events"].append(_event_document(row))
    for stream in streams:
        last = stream["events"][-1]
        stream["head"] = {"version": last["stream_version"], "hash": last["hash"]}
    return streams


def _ancestors(stream_id: str) -> list[str]:
    """The stream id and each of its `/`-prefixes: the trees it belongs to."""
    parts = stream_id.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def content_sha256(document: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of everything in the document but this digest and the
    signature over it (NotCanonical for a float anywhere, NaN included, which no export
    writes)."""
    body = {k: v for k, v in document.items() if k not in ("content_sha256", "signature")}
    return hashlib.sha256(canonical_json(body)).hexdigest()


# --- The issuer's signature ----------------------------------------------------------------

SIGNATURE_ALGORITHM = "Ed25519"
_SIGNATURE_KEYS = frozenset({"algorithm", "key_id", "public_key", "value"})


def signed_bytes(digest: str) -> bytes:
    """What a case file's signature covers: its content digest, named with the format, so
    that the signature says "this case file" and can stand for nothing else the same key
    signs."""
    return f"{FORMAT} content_sha256 {digest}".encode()


def signature(digest: str, private: Ed25519PrivateKey) -> dict[str, str]:
    public = public_key_text(private)
    return {"algorithm": SIGNATURE_ALGORITHM, "key_id": key_id(public), "public_key": public,
            "value": base64.b64encode(private.sign(signed_bytes(digest))).decode()}


def _raw_key(public: str) -> bytes:
    return base64.b64decode(public, validate=True)


def _signer(signed: Any, digest: Any) -> tuple[str, bytes]:
    """The signer's key id and raw public key of a signature in the exact form the export
    writes that holds over `digest`; SignatureError otherwise."""
    if not (isinstance(signed, dict) and set(signed) == _SIGNATURE_KEYS
            and all(type(v) is str for v in signed.values()) and type(digest) is str):
        raise SignatureError("not a signature record: its keys differ from an export's")
    if signed["algorithm"] != SIGNATURE_ALGORITHM:
        raise SignatureError(f"a signature of another algorithm than {SIGNATURE_ALGORITHM}")
    public: Ed25519PublicKey = load_public_key(signed["public_key"])
    if key_id(signed["public_key"]) != signed["key_id"]:
        raise SignatureError("the signature's key id does not name its public key")
    try:
        value = base64.b64decode(signed["value"], validate=True)
    except binascii.Error as exc:
        raise SignatureError("the signature's value is not base64") from exc
    if base64.b64encode(value).decode() != signed["value"]:
        raise SignatureError("the signature's value is not in its exported form")
    try:
        public.verify(value, signed_bytes(digest))
    except InvalidSignature as exc:
        raise SignatureError("the signature does not hold over the content: the file was "
                             "changed after it was signed") from exc
    return signed["key_id"], _raw_key(signed["public_key"])


@dataclass
class CaseFileReport(VerifyReport):
    # The key id of the file's valid signature; None for an unsigned file, or a signature that
    # does not hold (then a broken link says why).
    signed_by: str | None = None


def _check_signature(document: Mapping[str, Any], report: CaseFileReport,
                     trusted: Collection[str] | None) -> None:
    if "signature" not in document:
        if trusted is not None:
            report.broken.append(BrokenLink("", 0, "the file is not signed, and a signature "
                                                   "by a trusted key was asked for"))
        return
    try:
        signer, raw = _signer(document["signature"], document["content_sha256"])
    except SignatureError as exc:
        report.broken.append(BrokenLink("", 0, str(exc)))
        return
    if trusted is not None and raw not in {_raw_key(k) for k in trusted}:
        report.broken.append(BrokenLink("", 0, f"signed by key {signer}, which is not one of "
                                               "the trusted keys"))
        return
    report.signed_by = signer


async def export_case_file(
    pool: asyncpg.Pool, *, streams: Sequence[str] = (), trees: Sequence[str] = (),
    generated_by: str, tenant: str | None = None, max_events: int | None = None,
    source: str | None = None, clock: Clock | None = None,
    signing_key: Ed25519PrivateKey | None = None,
) -> dict[str, Any]:
    """The case file of the named streams, and of each tree: the stream of that id and every
    stream under it (`ledger/<tenant>/debt/<id>` takes the debt's public stream too), read in
    one snapshot. A stream or tree with no events is listed under `not_found`, so the file
    says it was looked for. `tenant`: only that tenant's events (what an API caller may see:
    another tenant's stream reads as not found). `max_events`: a CaseFileError rather than a
    larger document (the HTTP answer is held in memory). `source`: where it came from (the
    database's name when not given). `signing_key`: the issuer's key, which signs the
    content digest (unsigned without one)."""
    _check_selection(streams, trees)
    if not generated_by.strip():
        raise CaseFileError("say who exports the case file (generated_by)")
    now = (clock or SystemClock()).now()
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                       readonly=True):
        limit = None if max_events is None else max_events + 1
        if trees:
            rows = await conn.fetch(_SELECT_TREES, [*streams, *trees],
                                    [_under(t) for t in trees], tenant, limit)
        else:
            rows = await conn.fetch(_SELECT_STREAMS, list(streams), tenant, limit)
        source = source or await conn.fetchval("SELECT current_database()")
    if max_events is not None and len(rows) > max_events:
        raise CaseFileError(f"the selection holds more than {max_events} events: export it "
                            "with `goodfaith case-file export`, or in parts")
    exported = _streams(rows)
    found = {s["stream_id"] for s in exported}
    # A tree was found when a found stream is it or lies under it: each found id's own
    # ancestors, looked up, rather than every tree against every stream.
    asked = set(trees)
    found_trees = {prefix for stream_id in found for prefix in _ancestors(stream_id)
                   if prefix in asked}
    document: dict[str, Any] = {
        "format": FORMAT, "generated_at": now.isoformat(), "generated_by": generated_by,
        "source": source,
        "selection": {"streams": sorted(set(streams)), "trees": sorted(set(trees)),
                      "tenant": tenant},
        "not_found": sorted((set(streams) - found) | (set(trees) - found_trees)),
        "streams": exported,
    }
    document["content_sha256"] = content_sha256(document)
    if signing_key is not None:
        document["signature"] = signature(document["content_sha256"], signing_key)
    return document


_DOCUMENT_KEYS = frozenset({"format", "generated_at", "generated_by", "source", "selection",
                            "not_found", "streams", "content_sha256"})
_STREAM_KEYS = frozenset({"stream_id", "events", "head"})
_EVENT_KEYS = frozenset({"event_id", "stream_version", "type", "schema_version", "payload",
                         "metadata", "tenant", "recorded_at", "prev_hash", "hash",
                         "log_position"})
_HEX = frozenset("0123456789abcdef")


def _is_int(value: Any) -> bool:
    return type(value) is int  # not bool, not float: the form the export writes


def _is_hash(value: Any) -> bool:
    return type(value) is str and len(value) == 64 and set(value) <= _HEX


def _event_problem(event: Any) -> str | None:
    """Why `event` is not an event record in the exact form the export writes, or None. The
    chain covers the values, not their spelling: a file that spelled a value another way (a
    version as 1.0 or "1", an upper-case id, another offset for the same instant) or added a
    key would verify while saying something else than the log, so only the one form passes."""
    if not isinstance(event, dict) or set(event) != _EVENT_KEYS:
        return "not an event record: its keys differ from an exported event's"
    if not (_is_int(event["stream_version"]) and _is_int(event["schema_version"])):
        return "not an event record: a version that is not an integer"
    if not all(type(event[k]) is str for k in ("event_id", "type", "tenant", "recorded_at")):
        return "not an event record: an id, type, tenant or instant that is not text"
    if not (isinstance(event["payload"], dict) and isinstance(event["metadata"], dict)):
        return "not an event record: a payload or metadata that is not an object"
    if not (_is_hash(event["prev_hash"]) and _is_hash(event["hash"])):
        return "not an event record: a hash that is not 64 lower-case hex digits"
    position = event["log_position"]
    if not (type(position) is list and len(position) == 2 and type(position[0]) is str
            and position[0].isdigit() and _is_int(position[1])):
        return "not an event record: a log position that is not [txid, position]"
    try:
        canonical_id = str(uuid.UUID(event["event_id"])) == event["event_id"]
        at = datetime.fromisoformat(event["recorded_at"])
        canonical_at = at.tzinfo is not None and at.astimezone(UTC).isoformat() == \
            event["recorded_at"]
    except (ValueError, OverflowError):
        return "not an event record: an event id or instant that does not parse"
    if not canonical_id or not canonical_at:
        return "not an event record: an event id or instant not in its exported form"
    return None


def _stored(stream_id: str, event: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        event_id=uuid.UUID(event["event_id"]), stream_id=stream_id,
        stream_version=event["stream_version"], type=event["type"],
        schema_version=event["schema_version"], payload=event["payload"],
        metadata=event["metadata"], tenant=event["tenant"],
        recorded_at=datetime.fromisoformat(event["recorded_at"]),
        prev_hash=bytes.fromhex(event["prev_hash"]), hash=bytes.fromhex(event["hash"]),
    )


def _walk_stream(walk: ChainWalk, stream: dict[str, Any], tenant: str | None) -> None:
    stream_id, events = stream["stream_id"], stream["events"]
    if not isinstance(events, list) or not events:
        walk.report.broken.append(BrokenLink(stream_id, 0, "the stream has no events"))
        return
    for event in events:
        problem = _event_problem(event)
        if problem is None and tenant is not None and event["tenant"] != tenant:
            problem = "an event of another tenant than the selection's"
        if problem is not None:
            version = event.get("stream_version") if isinstance(event, dict) else None
            walk.report.broken.append(
                BrokenLink(stream_id, version if type(version) is int else 0, problem))
            return
        try:
            walk.check(_stored(stream_id, event))
        except Exception as exc:  # what no export writes (an integer past 64 bits, say)
            walk.report.broken.append(BrokenLink(
                stream_id, event["stream_version"],
                f"content is not canonical: {type(exc).__name__}"))
            return
    if walk.broken:  # the stream's first broken link is reported; its head adds nothing
        return
    head, last = stream["head"], events[-1]
    if head != {"version": last["stream_version"], "hash": last["hash"]} \
            or type(head["version"]) is not int:  # True == 1 in Python
        walk.report.broken.append(BrokenLink(
            stream_id, last["stream_version"], "the head does not name the last event"))


class _Selection:
    """What the case file says it holds: streams by id, trees, a tenant."""

    def __init__(self, selection: Any, not_found: Any) -> None:
        if not (isinstance(selection, dict)
                and set(selection) == {"streams", "trees", "tenant"}
                and _all_text(selection["streams"]) and _all_text(selection["trees"])
                and (selection["tenant"] is None or type(selection["tenant"]) is str)
                and _all_text(not_found)):
            raise CaseFileError("a case file names its selection and what was not found")
        self.streams, self.trees = set(selection["streams"]), set(selection["trees"])
        self.tenant: str | None = selection["tenant"]
        self.not_found = set(not_found)

    def covers(self, stream_id: str) -> bool:
        return stream_id in self.streams or not self.trees.isdisjoint(_ancestors(stream_id))


def _all_text(values: Any) -> bool:
    return type(values) is list and all(type(v) is str for v in values)


def verify_case_file(
    document: Mapping[str, Any], *, anchor: Mapping[str, ChainHead] | None = None,
    trusted_keys: Collection[str] | None = None,
) -> CaseFileReport:
    """Recompute every chain in a case file from the file alone; report the first broken link
    of each broken stream. A damage to the document as a whole (a changed byte where no chain
    reaches: content_sha256; a stream outside the selection or also listed as not found) is
    a broken link of stream "" or of that stream at version 0. With `anchor`, also every
    anchored stream the selection covers that is cut short, rewritten whole or missing from
    the file. (Stream ids carry their tenant, so a tenant's selection covers no other
    tenant's anchored stream.) A signature must hold over the content digest; with
    `trusted_keys` (base64 public keys) the file must be signed by one of them. Raises
    CaseFileError for a document that is not a case file, or a trusted key that is no key."""
    if not isinstance(document, dict) or document.get("format") != FORMAT \
            or set(document) - {"signature"} != _DOCUMENT_KEYS \
            or not isinstance(document["streams"], list):
        raise CaseFileError(f"not a case file of format {FORMAT}")
    selection = _Selection(document["selection"], document["not_found"])
    if trusted_keys is not None:
        try:
            for key in trusted_keys:
                load_public_key(key)
        except SignatureError as exc:
            raise CaseFileError(f"a trusted key is no Ed25519 public key: {exc}") from exc
    report = CaseFileReport()
    try:
        digest: str | None = content_sha256(document)
    except (NotCanonical, TypeError):  # NaN, a float, an integer past 64 bits: no export's
        digest = None
    if digest is None or document["content_sha256"] != digest:
        report.broken.append(BrokenLink("", 0, "content_sha256 does not match the content "
                                               "(the file was changed after export)"))
    _check_signature(document, report, trusted_keys)
    walk = ChainWalk(report, anchor or {})
    exported: set[str] = set()
    for stream in document["streams"]:
        stream_id = stream.get("stream_id") if isinstance(stream, dict) else None
        if not isinstance(stream_id, str) or stream_id in exported \
                or set(stream) != _STREAM_KEYS:
            report.broken.append(BrokenLink(str(stream_id), 0,
                                            "not a stream record, or a stream listed twice"))
            continue
        exported.add(stream_id)
        if not selection.covers(stream_id) or stream_id in selection.not_found:
            report.broken.append(BrokenLink(
                stream_id, 0, "a stream outside the selection, or also listed as not found"))
            continue
        _walk_stream(walk, stream, selection.tenant)
    walk.missing_heads(only={s for s in (anchor or {}) if selection.covers(s)})
    return report
