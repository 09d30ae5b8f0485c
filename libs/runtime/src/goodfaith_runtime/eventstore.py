"""The PostgreSQL event store: append with an expected version, read a stream, read the log,
verify the hash chains.

Each event's hash is SHA-256 over the previous event's hash in its stream and the event's
canonical bytes (see `canonical_record`). Publication intents for the outbox are written by the
same statement as their events, so an event and its publication commit together or not at all.
"""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import asyncpg
import orjson
from pydantic import ValidationError

from goodfaith_events.canonical import NotCanonical, canonical_json
from goodfaith_events.envelope import Envelope, EventMessage, SharedEnvelope
from goodfaith_events.ids import new_id
from goodfaith_events.registry import REGISTRY, ContractError, describe_invalid
from goodfaith_runtime.clock import Clock, SystemClock
from goodfaith_runtime.telemetry import current_traceparent

GENESIS = bytes(32)


class EventStoreError(Exception):
    """Base of event store failures."""


class ConcurrencyError(EventStoreError):
    """The stream moved on since it was read: reload and retry the command."""

    def __init__(self, stream_id: str, expected_version: int) -> None:
        super().__init__(f"stream {stream_id} is not at version {expected_version}")
        self.stream_id = stream_id
        self.expected_version = expected_version


class InvalidEvent(EventStoreError):
    """An event or envelope that can never be stored; the message says why."""


@dataclass(frozen=True)
class NewEvent:
    type: str
    payload: dict[str, Any]
    schema_version: int = 1
    event_id: uuid.UUID = field(default_factory=new_id)
    # Where to publish it, if it is a public contract: (topic, partition key).
    publish_to: tuple[str, str] | None = None
    # The owner of the person key its personal fields are sealed under (PersonKeyring); the
    # relay opens them just before publishing, so erasure reaches the stored copy too.
    sealed_for: str | None = None


@dataclass(frozen=True)
class Metadata:
    tenant: str
    producer: str
    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None
    traceparent: str | None = None

    def as_dict(self) -> dict[str, Any]:
        # Absent ids are left out rather than stored as nulls: smaller rows, same meaning.
        meta: dict[str, Any] = {"producer": self.producer}
        if self.correlation_id:
            meta["correlation_id"] = str(self.correlation_id)
        if self.causation_id:
            meta["causation_id"] = str(self.causation_id)
        if self.traceparent:
            meta["traceparent"] = self.traceparent
        return meta


class StoredEvent(NamedTuple):
    """One event as stored. A named tuple: replaying a stream builds many of these, and a
    tuple is the cheapest immutable record Python has."""

    event_id: uuid.UUID
    stream_id: str
    stream_version: int
    type: str
    schema_version: int
    payload: dict[str, Any]
    metadata: dict[str, Any]
    tenant: str
    recorded_at: datetime
    prev_hash: bytes
    hash: bytes
    position: tuple[int, int] = (0, 0)

    def to_message(self) -> EventMessage:
        meta = self.metadata
        envelope = Envelope(
            event_id=self.event_id, type=self.type, schema_version=self.schema_version,
            stream_id=self.stream_id, stream_version=self.stream_version,
            occurred_at=self.recorded_at, tenant=self.tenant, producer=meta["producer"],
            correlation_id=meta.get("correlation_id"), causation_id=meta.get("causation_id"),
            traceparent=meta.get("traceparent"),
        )
        return EventMessage(envelope=envelope, payload=self.payload)


@dataclass(frozen=True)
class AppendRequest:
    stream_id: str
    expected_version: int
    events: Sequence[NewEvent]
    # The hash of version `expected_version`, when the caller read the stream and knows it.
    expected_hash: bytes | None = None


@dataclass(frozen=True)
class Alongside:
    """Rows of the caller's own that an isolated append writes in its statement, when the
    append succeeds: one round trip instead of two.

    `function` is a SQL function of the caller's schema that takes goodfaith_append's fourteen
    arguments, then the caller's, calls goodfaith_append with the first fourteen, writes its
    rows only when that returned NULL, and returns what it returned (see compliance's
    migrations/004_append_statements.sql). `args` gets the events as they will be stored
    (versions and hashes are known before the statement runs) and gives the caller's
    arguments, so a row can depend on them."""

    function: str
    args: Callable[[list[StoredEvent]], Sequence[Any]]

    def __post_init__(self) -> None:
        if not _IDENTIFIER.fullmatch(self.function):
            raise ValueError(f"not a plain SQL function name: {self.function!r}")


_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@functools.cache
def _alongside_sql(function: str, own: int) -> str:
    """The statement calling `function` with goodfaith_append's arguments and `own` more
    (built once per function: it runs with every decision)."""
    first = _ARGS.count("$")
    extra = "".join(f", ${i}" for i in range(first + 1, first + own + 1))
    return f"SELECT {function}{_ARGS[:-1]}{extra})"


@dataclass(frozen=True)
class Stream:
    stream_id: str
    events: list[StoredEvent]

    @property
    def version(self) -> int:
        return self.events[-1].stream_version if self.events else 0

    @property
    def head_hash(self) -> bytes:
        return self.events[-1].hash if self.events else GENESIS


@dataclass(frozen=True)
class BrokenLink:
    stream_id: str
    stream_version: int
    reason: str


@dataclass
class VerifyReport:
    streams: int = 0
    events: int = 0
    broken: list[BrokenLink] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


def canonical_record(
    *, event_id: uuid.UUID, stream_id: str, stream_version: int, type: str,
    schema_version: int, payload_json: bytes, metadata_json: bytes, tenant: str,
    recorded_at: datetime,
) -> bytes:
    """The bytes an event's hash covers: everything about it but its position in the log.

    It is the canonical JSON of the whole record; payload and metadata come already in
    canonical form (sorted keys), so they are spliced in rather than serialised again."""
    return orjson.dumps({
        "event_id": str(event_id), "stream_id": stream_id, "stream_version": stream_version,
        "type": type, "schema_version": schema_version,
        "payload": orjson.Fragment(payload_json), "metadata": orjson.Fragment(metadata_json),
        "tenant": tenant, "recorded_at": recorded_at.astimezone(UTC).isoformat(),
    }, option=orjson.OPT_SORT_KEYS)


def chain_hash(prev_hash: bytes, record: bytes) -> bytes:
    return hashlib.sha256(prev_hash + record).digest()


# Several events and their publication intents in one statement (sql/004_isolated_append.sql);
# the isolated form runs it in a subtransaction and returns a conflict as text, so the caller's
# transaction survives it.
_ARGS = ("($1::uuid[], $2::text[], $3::int[], $4::text[], $5::int[], $6::text[], $7::bytea[], "
         "$8::bytea[], $9::text[], $10::text[], $11::text[], $12::json, $13, $14)")
_APPEND_SQL = f"SELECT goodfaith_append_rows{_ARGS}"
_ISOLATED_SQL = f"SELECT goodfaith_append{_ARGS}"

_COPY_FROM = 20
_COPY_COLUMNS = ["event_id", "stream_id", "stream_version", "type", "schema_version", "payload",
                 "metadata", "tenant", "recorded_at", "prev_hash", "hash"]

_INSERT_ONE = """
INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, payload, metadata,
                    tenant, recorded_at, prev_hash, hash)
VALUES ($1, $2, $3, $4, $5, $6::json, $7::json, $8, $9, $10, $11)
"""

_INSERT_ONE_PUBLISHED = """
WITH written AS (
    INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, payload,
                        metadata, tenant, recorded_at, prev_hash, hash)
    VALUES ($1, $2, $3, $4, $5, $6::json, $7::json, $8, $9, $10, $11)
    RETURNING event_id
)
INSERT INTO outbox (event_id, topic, partition_key, sealed_for)
SELECT event_id, $12, $13, $14 FROM written
"""

_LOG_SQL = (
    "SELECT event_id, stream_id, stream_version, type, schema_version, payload, metadata, "
    "tenant, recorded_at, prev_hash, hash, txid::text, global_position FROM events "
    "WHERE (txid, global_position) > ($1::text::xid8, $2) "
    "AND txid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY txid, global_position LIMIT $3"
)

_COLUMNS = (
    "event_id, stream_id, stream_version, type, schema_version, payload, metadata, tenant, "
    "recorded_at, prev_hash, hash, txid::text AS txid, global_position"
)


_STREAM_SQL = (
    "SELECT event_id, stream_id, stream_version, type, schema_version, payload, metadata, "
    "tenant, recorded_at, prev_hash, hash FROM events WHERE stream_id = $1 ORDER BY stream_version"
)
_STREAM_TAIL_SQL = _STREAM_SQL.replace(
    "WHERE stream_id = $1", "WHERE stream_id = $1 AND stream_version > $2")


def _described(exc: asyncpg.PostgresError) -> str:
    return f"{exc} {getattr(exc, 'constraint_name', '') or ''} {getattr(exc, 'detail', '') or ''}"


def _stream_row_to_event(row: asyncpg.Record) -> StoredEvent:
    # The columns of _STREAM_SQL are exactly StoredEvent's fields, in order, but the position.
    return StoredEvent(*row)


def _row_to_event(row: asyncpg.Record) -> StoredEvent:
    return StoredEvent(
        event_id=row["event_id"], stream_id=row["stream_id"],
        stream_version=row["stream_version"], type=row["type"],
        schema_version=row["schema_version"], payload=row["payload"], metadata=row["metadata"],
        tenant=row["tenant"], recorded_at=row["recorded_at"], prev_hash=bytes(row["prev_hash"]),
        hash=bytes(row["hash"]), position=(int(row["txid"]), row["global_position"]),
    )


def _check_publishable(event: NewEvent) -> None:
    """Only a registered public contract with a valid payload may enter the outbox, so the
    relay can never meet a message it cannot publish. Strict, as producers are: a field
    outside the published schema is refused here (consumers ignore such fields, and
    `REGISTRY.parse` would too)."""
    if not REGISTRY.knows(event.type):
        raise InvalidEvent(f"{event.type} is not a registered public contract: it cannot be "
                           "published")
    try:
        REGISTRY.validate_outgoing(event.type, event.schema_version, event.payload)
    except ContractError as exc:
        raise InvalidEvent(str(exc)) from exc
    topic, key = event.publish_to or ("", "")
    if not topic or not key:
        raise InvalidEvent(f"{event.type}: publishing needs a topic and a partition key")


_SHARED_ENVELOPE = SharedEnvelope.__pydantic_validator__


def _check_envelope(meta: dict[str, Any], tenant: str) -> None:
    """Every event of an append must be able to travel in an envelope: the relay builds one to
    publish it, and one it cannot build would hold up the outbox for good. The metadata is all
    the envelope takes from the append, and every event shares it, so it is checked once per
    append (well under a microsecond), for every event, published or not."""
    try:
        _SHARED_ENVELOPE.validate_python({**meta, "tenant": tenant})
    except ValidationError as exc:
        raise InvalidEvent(f"the metadata cannot make an envelope: {describe_invalid(exc)}"
                           ) from exc


class _Shared:
    """What every event of one append has in common, serialised once."""

    __slots__ = ("meta", "meta_json", "now", "recorded_at", "tenant")

    def __init__(self, meta: dict[str, Any], meta_json: bytes, tenant: str, now: datetime) -> None:
        self.meta, self.meta_json, self.tenant, self.now = meta, meta_json, tenant, now
        self.recorded_at = now.astimezone(UTC).isoformat()


def _common(shared: _Shared) -> tuple[str, str, datetime]:
    """The scalars every event of one append shares: metadata JSON, tenant, recorded time."""
    return shared.meta_json.decode(), shared.tenant, shared.now


def _columns(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    """The rows as the array arguments of goodfaith_append_rows / goodfaith_append."""
    return [list(column) for column in zip(*rows, strict=True)]


def _record_bytes(
    event_id: str, stream_id: str, version: int, type_: str, schema_version: int,
    payload_json: bytes, shared: _Shared,
) -> bytes:
    # Must equal canonical_record(...) for the same event: verify() recomputes it that way.
    return orjson.dumps({
        "event_id": event_id, "stream_id": stream_id, "stream_version": version, "type": type_,
        "schema_version": schema_version, "payload": orjson.Fragment(payload_json),
        "metadata": orjson.Fragment(shared.meta_json), "tenant": shared.tenant,
        "recorded_at": shared.recorded_at,
    }, option=orjson.OPT_SORT_KEYS)


class PostgresEventStore:
    """One service's event log. Pass `conn` to take part in a caller's transaction."""

    def __init__(self, pool: asyncpg.Pool, *, producer: str, clock: Clock | None = None) -> None:
        self._pool = pool
        self._producer = producer
        self._clock = clock or SystemClock()

    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent],
        metadata: Metadata, *, conn: asyncpg.Connection | None = None,
        expected_hash: bytes | None = None, isolated: bool = False,
        alongside: Alongside | None = None,
    ) -> list[StoredEvent]:
        request = AppendRequest(stream_id, expected_version, events, expected_hash)
        return await self.append_batch([request], metadata, conn=conn, isolated=isolated,
                                       alongside=alongside)

    async def append_batch(
        self, requests: Sequence[AppendRequest], metadata: Metadata, *,
        conn: asyncpg.Connection | None = None, isolated: bool = False,
        alongside: Alongside | None = None,
    ) -> list[StoredEvent]:
        """Append to several streams in one statement: all or nothing.

        `isolated=True`: a ConcurrencyError or InvalidEvent from the database leaves the
        caller's transaction usable (the append ran in a subtransaction of its own), so a
        command can reload and retry in the same transaction without a SAVEPOINT round trip.
        `alongside` (isolated appends only) writes the caller's rows in the same statement."""
        if alongside is not None and not isolated:
            raise ValueError("alongside needs an isolated append: its function wraps one")
        if conn is None:
            async with self._pool.acquire() as own:
                return await self._append(own, requests, metadata, isolated, alongside)
        return await self._append(conn, requests, metadata, isolated, alongside)

    async def _append(
        self, conn: asyncpg.Connection, requests: Sequence[AppendRequest], metadata: Metadata,
        isolated: bool = False, alongside: Alongside | None = None,
    ) -> list[StoredEvent]:
        meta = metadata.as_dict()
        if "traceparent" not in meta and (traceparent := current_traceparent()):
            meta["traceparent"] = traceparent
        _check_envelope(meta, metadata.tenant)
        heads = await self._heads(conn, requests)
        shared = _Shared(meta, canonical_json(meta), metadata.tenant, self._clock.now())
        rows: list[tuple[Any, ...]] = []
        stored: list[StoredEvent] = []
        for request in requests:
            prev = heads[request.stream_id]
            for offset, event in enumerate(request.events, start=1):
                record, payload_json = self._stored(request, offset, event, shared, prev)
                prev = record.hash
                stored.append(record)
                topic, key = event.publish_to or (None, None)
                rows.append((record.event_id, record.stream_id, record.stream_version,
                             record.type, record.schema_version, payload_json.decode(),
                             record.prev_hash, record.hash, topic, key, event.sealed_for))
        if not rows:
            return stored
        if isolated:
            problem = await self._write_isolated(conn, rows, shared, stored, alongside)
            if problem is not None:
                raise self._conflict(requests, problem)
            return stored
        try:
            await self._write(conn, rows, shared)
        except asyncpg.UniqueViolationError as exc:
            raise self._conflict(requests, _described(exc)) from exc
        except asyncpg.PostgresError as exc:
            if exc.sqlstate in ("GF001", "GF002", "23514"):
                raise self._conflict(requests, _described(exc)) from exc
            raise
        return stored

    @staticmethod
    async def _write_isolated(
        conn: asyncpg.Connection, rows: list[tuple[Any, ...]], shared: _Shared,
        stored: list[StoredEvent], alongside: Alongside | None,
    ) -> str | None:
        """The conflict the database found, as text, or None when the append (and the rows
        alongside it) were written."""
        args = [*_columns(rows), *_common(shared)]
        if alongside is None:
            problem: str | None = await conn.fetchval(_ISOLATED_SQL, *args)
            return problem
        extra = list(alongside.args(stored))
        problem = await conn.fetchval(_alongside_sql(alongside.function, len(extra)), *args,
                                      *extra)
        return problem

    @staticmethod
    async def _write(
        conn: asyncpg.Connection, rows: list[tuple[Any, ...]], shared: _Shared,
    ) -> None:
        common = _common(shared)
        if len(rows) == 1:
            # The common command: one event. A plain INSERT is cheaper than unnest.
            (event_id, stream_id, version, type_, schema, payload, prev, hash_, topic, key,
             sealed_for) = rows[0]
            head = (event_id, stream_id, version, type_, schema, payload, *common, prev, hash_)
            if topic is None:
                await conn.execute(_INSERT_ONE, *head)
            else:
                await conn.execute(_INSERT_ONE_PUBLISHED, *head, topic, key, sealed_for)
            return
        if len(rows) < _COPY_FROM:
            await conn.execute(_APPEND_SQL, *_columns(rows), *common)
            return
        # Large batches go through binary COPY, the fastest way into PostgreSQL; the link
        # trigger and every constraint still apply to each row.
        meta, tenant, now = common
        async with conn.transaction():
            await conn.copy_records_to_table(
                "events", columns=_COPY_COLUMNS,
                records=[(r[0], r[1], r[2], r[3], r[4], r[5], meta, tenant, now, r[6], r[7])
                         for r in rows])
            published = [(r[0], r[8], r[9], r[10]) for r in rows if r[8] is not None]
            if published:
                await conn.copy_records_to_table(
                    "outbox", columns=["event_id", "topic", "partition_key", "sealed_for"],
                    records=published)

    @staticmethod
    def _conflict(requests: Sequence[AppendRequest], detail: str) -> EventStoreError:
        """The error for a refused append, from the database's description of it (message,
        constraint and detail, which name the stream)."""
        if "events_event_id" in detail:
            return InvalidEvent(f"duplicate event id: {detail}")
        for request in requests:
            if request.stream_id in detail:
                return ConcurrencyError(request.stream_id, request.expected_version)
        first = requests[0]
        return ConcurrencyError(first.stream_id, first.expected_version)

    @staticmethod
    def _stored(
        request: AppendRequest, offset: int, event: NewEvent, shared: _Shared, prev: bytes,
    ) -> tuple[StoredEvent, bytes]:
        if not event.type or not isinstance(event.payload, dict):
            raise InvalidEvent(f"event for {request.stream_id} needs a type and a dict payload")
        if not request.stream_id or len(request.stream_id) > 200:
            raise InvalidEvent("stream id must be 1 to 200 characters")
        if event.schema_version < 1:  # the envelope's constraint too
            raise InvalidEvent(f"{event.type}: schema version must be >= 1")
        version = request.expected_version + offset
        if event.publish_to is not None:
            _check_publishable(event)
        try:
            payload_json = canonical_json(event.payload)
        except (NotCanonical, TypeError) as exc:
            raise InvalidEvent(f"{event.type}: payload is not canonical JSON: {exc}") from exc
        record = _record_bytes(str(event.event_id), request.stream_id, version, event.type,
                               event.schema_version, payload_json, shared)
        stored = StoredEvent(
            event_id=event.event_id, stream_id=request.stream_id, stream_version=version,
            type=event.type, schema_version=event.schema_version, payload=event.payload,
            metadata=shared.meta, tenant=shared.tenant, recorded_at=shared.now, prev_hash=prev,
            hash=chain_hash(prev, record),
        )
        return stored, payload_json

    @staticmethod
    async def _heads(
        conn: asyncpg.Connection, requests: Sequence[AppendRequest],
    ) -> dict[str, bytes]:
        if len({r.stream_id for r in requests}) != len(requests):
            raise InvalidEvent("a batch may name each stream once")
        heads: dict[str, bytes] = {}
        unknown: list[AppendRequest] = []
        for request in requests:
            if request.expected_version < 0:
                raise InvalidEvent("expected version must be >= 0")
            if request.expected_version == 0:
                heads[request.stream_id] = GENESIS
            elif request.expected_hash is not None:
                heads[request.stream_id] = request.expected_hash
            else:
                unknown.append(request)
        if unknown:
            rows = await conn.fetch(
                "SELECT stream_id, hash FROM events e JOIN unnest($1::text[], $2::int[]) "
                "AS t(sid, ver) ON e.stream_id = t.sid AND e.stream_version = t.ver",
                [r.stream_id for r in unknown], [r.expected_version for r in unknown],
            )
            found = {row["stream_id"]: bytes(row["hash"]) for row in rows}
            for request in unknown:
                if request.stream_id not in found:
                    raise ConcurrencyError(request.stream_id, request.expected_version)
                heads[request.stream_id] = found[request.stream_id]
        return heads

    async def read_stream(
        self, stream_id: str, *, conn: asyncpg.Connection | None = None, after: int = 0,
    ) -> Stream:
        """The stream's events, or only those after version `after` (a snapshot's tail)."""
        if conn is None:
            async with self._pool.acquire() as own:
                return await self.read_stream(stream_id, conn=own, after=after)
        if after:
            rows = await conn.fetch(_STREAM_TAIL_SQL, stream_id, after)
        else:
            rows = await conn.fetch(_STREAM_SQL, stream_id)
        return Stream(stream_id, [_stream_row_to_event(r) for r in rows])

    async def read_all(
        self, after: tuple[int, int] = (0, 0), limit: int = 1000,
    ) -> list[StoredEvent]:
        """Events after `after` in log order, never past a still-running transaction.

        Log order is (writing transaction id, position). Only transactions older than every
        running one are read, so a transaction that commits late can never be skipped: it is
        read once it is complete, and its txid is above every txid read before it."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(_LOG_SQL, str(after[0]), after[1], limit)
        # Columns in StoredEvent order, then the position (txid as text: xid8 has no codec).
        return [StoredEvent._make((*r[:11], (int(r[11]), r[12]))) for r in rows]

    async def iterate_all(self, batch: int = 10_000) -> AsyncIterator[StoredEvent]:
        position = (0, 0)
        while True:
            events = await self.read_all(position, batch)
            if not events:
                return
            for event in events:
                yield event
            position = events[-1].position

    async def verify(
        self, *, stream_id: str | None = None, batch: int = 5000,
        anchor: Mapping[str, ChainHead] | None = None,
    ) -> VerifyReport:
        """Recompute every chain; report the first broken link of each broken stream.

        A chain proves its events unaltered, but not that none were removed from its end, nor
        that it was not rewritten whole, hashes included, by someone with the owner's rights.
        `anchor` (the `heads` of an earlier time, kept outside the database) closes both: each
        anchored head must still be in the log, with the same hash."""
        report = VerifyReport()
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            where, args = ("WHERE stream_id = $1", [stream_id]) if stream_id else ("", [])
            cursor = conn.cursor(
                f"SELECT {_COLUMNS} FROM events {where} ORDER BY stream_id, stream_version",
                *args, prefetch=batch,
            )
            state = ChainWalk(report, anchor or {})
            async for row in cursor:
                state.check(_row_to_event(row))
        state.missing_heads(only=None if stream_id is None else {stream_id})
        return report

    async def heads(self) -> dict[str, ChainHead]:
        """Every stream's last version and hash: an anchor for `verify` to keep somewhere the
        database's owner cannot write (a write-once bucket, the case file, a regulator)."""
        rows = await self._pool.fetch(
            "SELECT DISTINCT ON (stream_id) stream_id, stream_version, hash FROM events "
            "ORDER BY stream_id, stream_version DESC")
        return {r["stream_id"]: ChainHead(r["stream_version"], bytes(r["hash"]).hex())
                for r in rows}


class ChainHead(NamedTuple):
    """A stream's last version and its hash (hex), as anchored."""

    version: int
    hash: str


class ChainWalk:
    """Walks events ordered by (stream, version) and records the first break per stream: the
    log's `verify`, and a case file's (casefile.verify_case_file), which holds copies."""

    def __init__(self, report: VerifyReport, anchor: Mapping[str, ChainHead]) -> None:
        self.report = report
        self.anchor = anchor
        self.seen: set[str] = set()  # anchored streams whose anchored head was found
        self.stream: str | None = None
        self.expected_version = 0
        self.prev = GENESIS
        self.broken = False

    def check(self, event: StoredEvent) -> None:
        if event.stream_id != self.stream:
            self.stream, self.expected_version, self.prev, self.broken = (
                event.stream_id, 1, GENESIS, False)
            self.report.streams += 1
        self.report.events += 1
        reason = self._problem(event) or self._against_anchor(event)
        if reason and not self.broken:
            self.broken = True
            self.report.broken.append(BrokenLink(event.stream_id, event.stream_version, reason))
        self.expected_version = event.stream_version + 1
        self.prev = event.hash

    def _against_anchor(self, event: StoredEvent) -> str | None:
        head = self.anchor.get(event.stream_id)
        if head is None or head.version != event.stream_version:
            return None
        self.seen.add(event.stream_id)
        if event.hash.hex() != head.hash:
            return "hash differs from the anchor (the stream was rewritten)"
        return None

    def missing_heads(self, *, only: Collection[str] | None) -> None:
        """Anchored heads the walk never reached: events removed from the stream's end.
        `only`: the streams the walk read, when it did not read the whole log."""
        broken = {link.stream_id for link in self.report.broken}  # already broken further down
        for stream_id, head in sorted(self.anchor.items()):
            if stream_id in self.seen or stream_id in broken:
                continue
            if only is not None and stream_id not in only:
                continue
            self.report.broken.append(BrokenLink(
                stream_id, head.version, "the anchored head is gone (events were removed)"))

    def _problem(self, event: StoredEvent) -> str | None:
        if event.stream_version != self.expected_version:
            return f"expected version {self.expected_version}, found {event.stream_version}"
        if event.prev_hash != self.prev:
            return "previous-hash link does not match the preceding event"
        try:
            record = canonical_record(
                event_id=event.event_id, stream_id=event.stream_id,
                stream_version=event.stream_version, type=event.type,
                schema_version=event.schema_version, payload_json=canonical_json(event.payload),
                metadata_json=canonical_json(event.metadata), tenant=event.tenant,
                recorded_at=event.recorded_at,
            )
        except NotCanonical as exc:
            return f"content is not canonical: {exc}"
        if chain_hash(event.prev_hash, record) != event.hash:
            return "content does not match its hash (the event was altered)"
        return None
