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
see damage; it is no seal, anyone can recompute it: the chains and the anchor are the proof.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from goodfaith_runtime.clock import Clock, SystemClock
from goodfaith_runtime.eventstore import (
    BrokenLink,
    ChainHead,
    ChainWalk,
    StoredEvent,
    VerifyReport,
)

FORMAT = "goodfaith.case-file/1"
MAX_SELECTORS = 1000


class CaseFileError(Exception):
    """A selection that cannot be exported, or a document that is not a case file."""


_SELECT = (
    "SELECT event_id, stream_id, stream_version, type, schema_version, payload, metadata, tenant, "
    "recorded_at, prev_hash, hash, txid::text AS txid, global_position FROM events "
    "WHERE (stream_id = ANY($1::text[]) OR stream_id LIKE ANY($2::text[])) "
    "AND ($3::text IS NULL OR tenant = $3) "
    "ORDER BY stream_id, stream_version LIMIT $4"
)


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


def content_sha256(document: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of everything in the document but this digest."""
    body = {k: v for k, v in document.items() if k != "content_sha256"}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def export_case_file(
    pool: asyncpg.Pool, *, streams: Sequence[str] = (), trees: Sequence[str] = (),
    generated_by: str, tenant: str | None = None, max_events: int | None = None,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """The case file of the named streams, and of each tree: the stream of that id and every
    stream under it (`ledger/<tenant>/debt/<id>` takes the debt's public stream too), read in
    one snapshot. A stream or tree with no events is listed under `not_found`, so the file
    says it was looked for. `tenant`: only that tenant's events (what an API caller may see:
    another tenant's stream reads as not found). `max_events`: a CaseFileError rather than a
    larger document (the HTTP answer is held in memory)."""
    _check_selection(streams, trees)
    if not generated_by.strip():
        raise CaseFileError("say who exports the case file (generated_by)")
    now = (clock or SystemClock()).now()
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                       readonly=True):
        rows = await conn.fetch(_SELECT, [*streams, *trees], [_under(t) for t in trees],
                                tenant, None if max_events is None else max_events + 1)
        database = await conn.fetchval("SELECT current_database()")
    if max_events is not None and len(rows) > max_events:
        raise CaseFileError(f"the selection holds more than {max_events} events: export it "
                            "with `goodfaith case-file export`, or in parts")
    exported = _streams(rows)
    found = {s["stream_id"] for s in exported}
    found_trees = {t for t in trees if t in found or any(f.startswith(t + "/") for f in found)}
    document: dict[str, Any] = {
        "format": FORMAT, "generated_at": now.isoformat(), "generated_by": generated_by,
        "database": database,
        "selection": {"streams": sorted(set(streams)), "trees": sorted(set(trees)),
                      "tenant": tenant},
        "not_found": sorted((set(streams) - found) | (set(trees) - found_trees)),
        "streams": exported,
    }
    document["content_sha256"] = content_sha256(document)
    return document


def _stored(stream_id: str, event: Mapping[str, Any]) -> StoredEvent:
    return StoredEvent(
        event_id=uuid.UUID(event["event_id"]), stream_id=stream_id,
        stream_version=int(event["stream_version"]), type=event["type"],
        schema_version=int(event["schema_version"]), payload=event["payload"],
        metadata=event["metadata"], tenant=event["tenant"],
        recorded_at=datetime.fromisoformat(event["recorded_at"]),
        prev_hash=bytes.fromhex(event["prev_hash"]), hash=bytes.fromhex(event["hash"]),
    )


def _walk_stream(walk: ChainWalk, stream: Mapping[str, Any]) -> None:
    stream_id = stream["stream_id"]
    events = stream.get("events")
    if not isinstance(events, list) or not events:
        walk.report.broken.append(BrokenLink(stream_id, 0, "the stream has no events"))
        return
    for event in events:
        try:
            stored = _stored(stream_id, event)
        except (KeyError, TypeError, ValueError) as exc:
            version = event.get("stream_version") if isinstance(event, Mapping) else None
            walk.report.broken.append(BrokenLink(
                stream_id, version if isinstance(version, int) else 0,
                f"not an event record: {type(exc).__name__}"))
            return
        try:
            walk.check(stored)
        except TypeError as exc:  # orjson: an integer past 64 bits, say, in an edited file
            walk.report.broken.append(BrokenLink(
                stream_id, stored.stream_version, f"content is not canonical: {exc}"))
            return
    head, last = stream.get("head"), events[-1]
    named = (head.get("version"), head.get("hash")) if isinstance(head, Mapping) else None
    if named != (last["stream_version"], last["hash"]):
        walk.report.broken.append(BrokenLink(
            stream_id, int(last["stream_version"]), "the head does not name the last event"))


def verify_case_file(
    document: Mapping[str, Any], *, anchor: Mapping[str, ChainHead] | None = None,
) -> VerifyReport:
    """Recompute every chain in a case file from the file alone; report the first broken link
    of each broken stream. With `anchor`, also every exported stream cut short or rewritten
    whole since the anchor was taken. A document damaged as a whole (wrong format, a changed
    byte anywhere: content_sha256) is reported as a broken link of stream "" at version 0."""
    report = VerifyReport()
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        raise CaseFileError(f"not a case file of format {FORMAT}")
    try:
        digest: str | None = content_sha256(document)
    except TypeError:  # what no export writes: an integer past 64 bits, say
        digest = None
    if digest is None or document.get("content_sha256") != digest:
        report.broken.append(BrokenLink("", 0, "content_sha256 does not match the content "
                                               "(the file was changed after export)"))
    streams = document.get("streams")
    if not isinstance(streams, list):
        raise CaseFileError("a case file lists its streams")
    walk = ChainWalk(report, anchor or {})
    exported: set[str] = set()
    for stream in streams:
        stream_id = stream.get("stream_id") if isinstance(stream, Mapping) else None
        if not isinstance(stream_id, str) or stream_id in exported:
            report.broken.append(BrokenLink(str(stream_id), 0,
                                            "a stream without an id, or listed twice"))
            continue
        exported.add(stream_id)
        _walk_stream(walk, stream)
    walk.missing_heads(only=exported)
    return report
