"""The idempotent consumer.

Records arrive in batches. Each partition's batch is applied in one database transaction, the
partitions of one fetch side by side; a background consumer applies a small fetch in one
transaction whatever partitions it spans (see `fetch_groups`). Every message is deduplicated by
event id in the same transaction as its effects.
Kafka offsets are committed only after the database commit, so a crash in between redelivers
messages that the inbox then recognises. A message that fails `max_attempts` times goes to the
dead-letter topic (reason in its headers) and to the dead_letters table, and the partition moves on.
With a `BodySealer` (every service passes one built from its KEK) the table holds the body sealed,
bound to its row (see deadletters.py); the dead-letter topic carries it as received. The row keeps
the message's data subject (the relay's `goodfaith_data_subject` header), whose erasure purges it.

Contracts are read tolerantly (`Registry.read`): a field this code's version of a contract does
not know, which an upgraded producer may send (optional fields may be added to a published
version), is ignored, not a reason to dead-letter, and counted by consumer and contract in
`goodfaith_consumed_unknown_fields_total` and logged at debug by name, never by value.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.structs import OffsetAndMetadata
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import Counter
from pydantic import BaseModel, ValidationError

from goodfaith_events.codec import CodecError, decode
from goodfaith_events.envelope import EventMessage
from goodfaith_events.registry import REGISTRY, ContractError, describe_invalid
from goodfaith_runtime.clock import Clock, SystemClock
from goodfaith_runtime.deadletters import ERASED, ERASED_BY, SUBJECT_HEADER, BodySealer
from goodfaith_runtime.outbox import Producer
from goodfaith_runtime.telemetry import span_from_traceparent

log = structlog.get_logger("goodfaith.consumer")

CONSUMED = Counter("goodfaith_consumed_total", "Messages consumed", ["consumer", "outcome"])
UNKNOWN_FIELDS = Counter(
    "goodfaith_consumed_unknown_fields_total",
    "Messages whose contract carried fields this consumer's version does not know (ignored)",
    ["consumer", "contract"])


@dataclass(frozen=True)
class Delivery:
    """What a handler gets: the decoded message, its parsed contract, the open transaction."""

    conn: asyncpg.Connection
    message: EventMessage
    contract: BaseModel | None
    topic: str
    partition: int
    offset: int


Handler = Callable[[Delivery], Awaitable[None]]


class Poison(Exception):
    """A message that can never succeed (malformed, unknown contract): no retries."""


def dlq_topic(consumer: str) -> str:
    return f"goodfaith.dlq.{consumer}"


class IdempotentConsumer:
    def __init__(
        self, *, name: str, pool: asyncpg.Pool, handlers: dict[str, Handler],
        dlq_producer: Producer, max_attempts: int = 3, retry_delay: float = 0.05,
        clock: Clock | None = None, sealer: BodySealer | None = None,
    ) -> None:
        """`sealer` seals the bodies stored in the dead_letters table; without one they are
        stored in clear."""
        self.name = name
        self._pool = pool
        self._handlers = handlers
        self._dlq = dlq_producer
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self._clock = clock or SystemClock()
        self._sealer = sealer

    async def process(self, records: Sequence[ConsumerRecord]) -> None:
        """Apply records in one transaction: one partition's, or a small fetch's over several
        (each partition's in its order).

        The fast path claims every message in one statement and runs the handlers back to
        back. If anything in it fails, that transaction rolls back and the batch is applied
        again message by message, each in its own savepoint with retries, so one bad message
        is dead-lettered without holding up the others."""
        batch = _decode_all(records, self.name)
        if batch is not None:
            try:
                outcomes = await self._fast(batch)
            except _DATABASE_GONE:
                raise
            except Exception as exc:
                log.warning("consumer.fast_path_failed", consumer=self.name,
                            error=type(exc).__name__)
            else:
                for outcome in outcomes:
                    CONSUMED.labels(self.name, outcome).inc()
                return
        async with self._pool.acquire() as conn, conn.transaction():
            for record in records:
                outcome = await self._process_one(conn, record)
                CONSUMED.labels(self.name, outcome).inc()

    async def _fast(self, batch: list[_Decoded]) -> list[str]:
        async with self._pool.acquire() as conn, conn.transaction():
            fresh = await self._claim(conn, batch)
            outcomes: list[str] = []
            for record, message, contract in batch:
                event_id = message.envelope.event_id
                handler = self._handlers.get(message.envelope.type)
                if event_id not in fresh:
                    outcomes.append("duplicate")
                elif handler is None:
                    outcomes.append("ignored")
                else:
                    with self._span(record):
                        await handler(Delivery(conn, message, contract, record.topic,
                                               record.partition, record.offset))
                    outcomes.append("applied")
                fresh.discard(event_id)  # a copy later in the same batch is a duplicate
            return outcomes

    async def _claim(self, conn: asyncpg.Connection, batch: list[_Decoded]) -> set[uuid.UUID]:
        """Record every message of the batch in the inbox at once; return the new ones."""
        rows = await conn.fetch(
            "INSERT INTO processed_messages (consumer, event_id, topic, partition, \"offset\", "
            "outcome, processed_at) SELECT $1, e, tp, p, o, oc, $2 "
            "FROM unnest($3::uuid[], $4::text[], $5::int[], $6::bigint[], $7::text[]) "
            "AS t(e, tp, p, o, oc) ON CONFLICT DO NOTHING RETURNING event_id",
            self.name, self._clock.now(), [m.envelope.event_id for _, m, _ in batch],
            [r.topic for r, _, _ in batch], [r.partition for r, _, _ in batch],
            [r.offset for r, _, _ in batch],
            ["applied" if m.envelope.type in self._handlers else "ignored" for _, m, _ in batch],
        )
        return {row["event_id"] for row in rows}

    def _span(self, record: ConsumerRecord) -> Any:
        return span_from_traceparent(
            f"process {record.topic}", _header(record, "traceparent"), SpanKind.CONSUMER,
            {"messaging.system": "kafka", "messaging.destination.name": record.topic,
             "messaging.kafka.partition": record.partition,
             "messaging.kafka.offset": record.offset, "messaging.consumer.group": self.name},
        )

    async def _process_one(self, conn: asyncpg.Connection, record: ConsumerRecord) -> str:
        with self._span(record) as span:
            last_error: Exception | None = None
            for attempt in range(1, self._max_attempts + 1):
                try:
                    async with conn.transaction():
                        return await self._apply(conn, record)
                except Poison as exc:
                    last_error = exc
                    break
                except _DATABASE_GONE:
                    raise  # the database is gone: fail the batch, the offsets stay put
                except Exception as exc:
                    last_error = exc
                    log.warning("consumer.handler_failed", consumer=self.name,
                                topic=record.topic, offset=record.offset, attempt=attempt,
                                error=type(exc).__name__)
                    await asyncio.sleep(self._retry_delay * attempt)
            assert last_error is not None
            span.set_status(Status(StatusCode.ERROR, type(last_error).__name__))
            await self._dead_letter(conn, record, last_error, attempt)
            return "dead_lettered"

    async def _apply(self, conn: asyncpg.Connection, record: ConsumerRecord) -> str:
        try:
            message = decode(record.value, record.headers)
        except CodecError as exc:
            raise Poison(f"undecodable: {exc}") from exc
        handler = self._handlers.get(message.envelope.type)
        outcome = "applied" if handler else "ignored"
        fresh = await conn.fetchval(
            "INSERT INTO processed_messages (consumer, event_id, topic, partition, \"offset\", "
            "outcome, processed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
            "ON CONFLICT DO NOTHING RETURNING true",
            self.name, message.envelope.event_id, record.topic, record.partition,
            record.offset, outcome, self._clock.now(),
        )
        if not fresh:
            return "duplicate"
        if handler is None:
            return outcome
        contract = _parse(message, self.name)
        await handler(Delivery(conn, message, contract, record.topic, record.partition,
                               record.offset))
        return outcome

    async def _dead_letter(
        self, conn: asyncpg.Connection, record: ConsumerRecord, error: Exception, attempts: int,
    ) -> None:
        reason = _reason(error)
        headers = [
            *(record.headers or ()),
            ("dlq_reason", reason.encode()),
            ("dlq_consumer", self.name.encode()),
            ("dlq_topic", record.topic.encode()),
            ("dlq_partition", str(record.partition).encode()),
            ("dlq_offset", str(record.offset).encode()),
            ("dlq_attempts", str(attempts).encode()),
        ]
        future = await self._dlq.send(
            dlq_topic(self.name), value=record.value or b"", key=record.key or b"",
            headers=headers)
        await future
        # Whatever the headers hold, the row must go in: a failed insert rolls the batch back,
        # and it would be retried (and sent to the DLQ topic again) forever.
        event_id = _storable_or_none(_header(record, "ce_id"))
        subject = _storable_or_none(_header(record, SUBJECT_HEADER))
        body, sealed = self._stored_body(record)
        now = self._clock.now()
        erased = await _erased(conn, subject)
        await conn.execute(
            "INSERT INTO dead_letters (consumer, topic, partition, \"offset\", event_id, "
            "event_type, reason, attempts, headers, body, dead_at, key, raw_headers, "
            "body_sha256, body_sealed, subject, resolution, resolved_by, resolved_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
            "$17, $18, $19)",
            self.name, record.topic, record.partition, record.offset, event_id,
            _storable_or_none(_header(record, "ce_type")), reason, attempts,
            _stored_headers(record.headers), None if erased else body, now, record.key,
            raw_headers(record.headers),
            None if record.value is None else hashlib.sha256(record.value).digest(), sealed,
            subject, *((ERASED, ERASED_BY, now) if erased else (None, None, None)),
        )
        if event_id is not None:
            # So that a redelivery of a dead-lettered message is recognised, not retried.
            with contextlib.suppress(ValueError):
                await conn.execute(
                    "INSERT INTO processed_messages (consumer, event_id, topic, partition, "
                    "\"offset\", outcome, processed_at) VALUES ($1, $2::text::uuid, $3, $4, $5, "
                    "'dead_lettered', $6) ON CONFLICT DO NOTHING",
                    self.name, str(uuid.UUID(event_id)), record.topic, record.partition,
                    record.offset, self._clock.now())
        log.error("consumer.dead_lettered", consumer=self.name, topic=record.topic,
                  offset=record.offset, event_id=event_id, reason=type(error).__name__,
                  subject_erased=erased)

    def _stored_body(self, record: ConsumerRecord) -> tuple[bytes | None, bool]:
        """The body as the dead_letters table keeps it, and whether it is sealed: bound to
        the row's consumer, topic, partition and offset, exactly as they are stored."""
        if self._sealer is None or record.value is None:
            return record.value, False
        return self._sealer.seal(record.value, consumer=self.name, topic=record.topic,
                                 partition=record.partition, offset=record.offset), True


async def _erased(conn: asyncpg.Connection, subject: str | None) -> bool:
    """Whether a dead letter's subject was erased already (the message was published before the
    erasure and failed after it): the row is then stored purged, as the erasure purges."""
    if subject is None:
        return False
    return bool(await conn.fetchval("SELECT true FROM erased_persons WHERE person_id = $1",
                                    subject))


_DATABASE_GONE = (asyncpg.InterfaceError, asyncpg.ConnectionDoesNotExistError)
_Decoded = tuple[ConsumerRecord, EventMessage, BaseModel | None]


def _reason(error: Exception) -> str:
    """Why a message was dead-lettered, as stored and sent with it. For a validation failure
    anywhere in the error's chain, its places and messages, never pydantic's own text: that
    quotes the rejected input (input_value=...), personal data in the dead_letters table."""
    invalid = _validation_error(error)
    detail = str(error) if invalid is None else (
        f"invalid {invalid.title}: {describe_invalid(invalid)}")
    return _storable(f"{type(error).__name__}: {detail}")[:2000]


def _validation_error(error: BaseException) -> ValidationError | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ValidationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _stored_headers(headers: Sequence[tuple[str, bytes | None]] | None) -> dict[str, str | None]:
    """A record's headers as jsonb: text values, a null value (Kafka allows one) kept null."""
    return {_storable(key): None if value is None else _storable(
        bytes(value).decode(errors="replace")) for key, value in headers or ()}


def raw_headers(headers: Sequence[tuple[str, bytes | None]] | None) -> list[Any]:
    """The headers exactly as received, in order, for a requeue: values as base64."""
    return [[_storable(key), None if value is None else base64.b64encode(value).decode()]
            for key, value in headers or ()]


def _storable(text: str) -> str:
    """`text` as PostgreSQL can store it in text and jsonb: NUL (which both refuse) and lone
    surrogates (not UTF-8) become U+FFFD, as undecodable bytes do."""
    return text.encode(errors="replace").decode().replace("\x00", "\ufffd")


def _storable_or_none(text: str | None) -> str | None:
    return None if text is None else _storable(text)


def _decode_all(records: Sequence[ConsumerRecord], consumer: str) -> list[_Decoded] | None:
    """Every record decoded and parsed, or None if any cannot be (the careful path then
    dead-letters it with its reason)."""
    decoded: list[_Decoded] = []
    for record in records:
        try:
            message = decode(record.value, record.headers)
            decoded.append((record, message, _parse(message, consumer)))
        except (CodecError, Poison):
            return None
    return decoded or None


def _parse(message: EventMessage, consumer: str) -> BaseModel | None:
    """The contract model for a registered type; None for a type the handler takes raw.
    Fields the contract does not know are ignored, counted and logged by name only."""
    env = message.envelope
    if not REGISTRY.knows(env.type):
        return None
    try:
        contract, unknown = REGISTRY.read(env.type, env.schema_version, message.payload)
    except ContractError as exc:
        raise Poison(str(exc)) from exc
    if unknown:
        UNKNOWN_FIELDS.labels(consumer, env.type).inc()
        log.debug("consumer.unknown_fields_ignored", consumer=consumer, contract=env.type,
                  schema_version=env.schema_version, fields=list(unknown))
    return contract


def _header(record: ConsumerRecord, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name and value is not None:
            return bytes(value).decode(errors="replace")
    return None


class KafkaConsumerLoop:
    """Feeds an IdempotentConsumer from aiokafka and commits offsets after each DB commit."""

    def __init__(
        self, consumer: IdempotentConsumer, *, bootstrap: str, topics: Sequence[str],
        max_records: int = 500, failure_backoff: float = 1.0, fetch_max_wait_ms: int = 10,
        combine_up_to: int = 0,
    ) -> None:
        self._consumer = consumer
        self._combine_up_to = combine_up_to
        # fetch_max_wait_ms: Tansu answers a fetch only when the wait runs out, even if records
        # arrived meanwhile, so the wait is every message's latency floor there (aiokafka's
        # 500 ms default gives a ~250 ms median). Apache Kafka answers early; a short wait only
        # costs a few more idle fetches.
        self._kafka = AIOKafkaConsumer(
            *topics, bootstrap_servers=bootstrap, group_id=consumer.name,
            enable_auto_commit=False, auto_offset_reset="earliest",
            max_poll_records=max_records, client_id=consumer.name,
            fetch_max_wait_ms=fetch_max_wait_ms,
        )
        self._failure_backoff = failure_backoff

    def assignment(self) -> set[TopicPartition]:
        """The partitions the group gave this consumer (none before it joined, or while a
        rebalance is under way)."""
        assigned: set[TopicPartition] = self._kafka.assignment()
        return assigned

    async def run(self, stop: asyncio.Event) -> None:
        await self._kafka.start()
        committer = _OffsetCommitter(self._kafka, self._consumer.name)
        try:
            while not stop.is_set():
                batches = await self._kafka.getmany(timeout_ms=200)
                done = await asyncio.gather(
                    *(self._apply(group) for group in fetch_groups(batches, self._combine_up_to)))
                committer.submit({tp: offset for offsets in done for tp, offset in offsets.items()})
        finally:
            with contextlib.suppress(Exception):
                await committer.flush()
            with contextlib.suppress(Exception):
                await self._kafka.stop()

    async def _apply(
        self, batches: dict[TopicPartition, list[Any]],
    ) -> dict[TopicPartition, OffsetAndMetadata]:
        """Apply the batches in one transaction; the offsets to commit after it, or none when it
        failed (then nothing was committed: the partitions are rewound to try again after a
        pause)."""
        try:
            await self._consumer.process([r for records in batches.values() for r in records])
        except Exception as exc:
            log.error("consumer.batch_failed", consumer=self._consumer.name,
                      partitions=[f"{tp.topic}:{tp.partition}" for tp in batches],
                      error=type(exc).__name__)
            self._rewind(batches)
            await asyncio.sleep(self._failure_backoff)
            return {}
        return {tp: OffsetAndMetadata(records[-1].offset + 1, "")
                for tp, records in batches.items()}


    def _rewind(self, batches: dict[TopicPartition, list[Any]]) -> None:
        """Back to the first record of each failed batch, on the partitions still assigned.
        One a rebalance took away meanwhile needs no rewind (its new owner starts from the
        committed offset, which is before the failed batch) and cannot have one: aiokafka's
        seek raises for it, and that would end the loop."""
        assigned = self._kafka.assignment()
        for tp, records in batches.items():
            if tp in assigned:
                self._kafka.seek(tp, records[0].offset)


def fetch_groups(
    batches: dict[TopicPartition, list[Any]], combine_up_to: int,
) -> list[dict[TopicPartition, list[Any]]]:
    """How one fetch is applied: each group is one transaction, the groups side by side.

    Partitions are independent (a key, hence a person or an account, lives in one), so a fetch
    runs partition by partition, side by side: while one transaction waits on the database
    another computes (one transaction for a large fetch serialises those waits: the gate's
    capacity fell from ~1,200 to ~700 decisions/s in bench/bench_compliance.py). A fetch of at
    most `combine_up_to` records over several partitions is one transaction instead: one
    commit, one inbox statement and one relay round for all of them. At 500 requests/s that
    took the gate's machine from ~80% to ~70% busy, but the gate's p50 and p99 rose (its
    records waited on each other's round trips), so only background consumers, which nobody
    waits on, combine (ServiceRuntime passes 0 for the others)."""
    if not batches:
        return []
    if sum(len(records) for records in batches.values()) <= combine_up_to:
        return [batches]
    return [{tp: records} for tp, records in batches.items()]


class _OffsetCommitter:
    """Commits offsets to Kafka in the background, one commit at a time, newest offsets merged.

    Offsets are submitted only after their database transaction committed, so they never run
    ahead of the database; committing them off the fetch loop's path saves a broker round trip
    per batch. A failed or lost commit (a rebalance, a broker blip) only means a redelivery
    that the inbox recognises, so it is logged and the loop goes on instead of stopping."""

    def __init__(self, kafka: AIOKafkaConsumer, name: str) -> None:
        self._kafka = kafka
        self._name = name
        self._pending: dict[TopicPartition, OffsetAndMetadata] = {}
        self._task: asyncio.Task[None] | None = None

    def submit(self, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        if not offsets:
            return
        self._pending.update(offsets)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        while self._pending:
            offsets, self._pending = self._pending, {}
            try:
                await self._kafka.commit(offsets)
            except Exception as exc:
                log.warning("consumer.offset_commit_failed", consumer=self._name,
                            error=type(exc).__name__)

    async def flush(self) -> None:
        if self._task is not None:
            await self._task
