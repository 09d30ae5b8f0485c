"""The outbox relay: publishes committed events to Kafka, in order, at least once.

One relay per service database is active at a time (a PostgreSQL advisory lock elects it), so
per-stream order holds with any number of service instances. A row leaves the outbox only after
the broker acknowledged it; a broker outage or a relay crash leaves rows in place to be sent
again. Consumers dedupe by event id, so a resend after a crash is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Protocol

import asyncpg
import structlog
from opentelemetry.trace import SpanKind
from prometheus_client import Counter, Gauge

from goodfaith_events.codec import CodecError, encode
from goodfaith_runtime.deadletters import OLDEST_OPEN_AGE as DEAD_LETTERS_OLDEST
from goodfaith_runtime.deadletters import OPEN as DEAD_LETTERS_OPEN
from goodfaith_runtime.deadletters import SUBJECT_HEADER, measure_open
from goodfaith_runtime.eventstore import StoredEvent, _row_to_event
from goodfaith_runtime.pii import PersonKey, PersonKeyring, unseal_with
from goodfaith_runtime.telemetry import current_traceparent, span_from_traceparent

log = structlog.get_logger("goodfaith.outbox")

BACKLOG = Gauge("goodfaith_outbox_backlog", "Events committed but not yet published", ["service"])
OLDEST_AGE = Gauge(
    "goodfaith_outbox_oldest_pending_seconds", "Age of the oldest unpublished event", ["service"])
PUBLISHED = Counter("goodfaith_outbox_published_total", "Events published", ["service"])
FAILURES = Counter("goodfaith_outbox_failures_total", "Failed publish rounds", ["service"])

_RELAY_LOCK = 0x0B0C5E1A
_CHANNEL = "goodfaith_outbox"


class Producer(Protocol):
    async def send(
        self, topic: str, value: bytes, key: bytes, headers: list[tuple[str, bytes]],
    ) -> Any: ...


# One statement per round: delete the rows the previous round published (the broker acked
# them) and read the next batch. The SELECT sees the snapshot from before the DELETE, so it
# leaves those rows out itself.
_ROUND_SQL = """
WITH published AS (DELETE FROM outbox WHERE position = ANY($2::bigint[]))
SELECT o.position, o.topic, o.partition_key, o.sealed_for, e.event_id, e.stream_id,
       e.stream_version, e.type, e.schema_version, e.payload, e.metadata, e.tenant,
       e.recorded_at, e.prev_hash, e.hash, e.txid::text AS txid, e.global_position,
       k.wrapped_key
FROM outbox o JOIN events e ON e.event_id = o.event_id
LEFT JOIN person_keys k ON k.person_id = o.sealed_for
WHERE o.position <> ALL($2::bigint[])
ORDER BY o.position LIMIT $1
"""
_DELETE_SQL = "DELETE FROM outbox WHERE position = ANY($1::bigint[])"


class OutboxRelay:
    def __init__(
        self, pool: asyncpg.Pool, producer: Producer, *, service: str, batch_size: int = 500,
        idle_sleep: float = 1.0, max_backoff: float = 5.0, keyring: PersonKeyring | None = None,
    ) -> None:
        self._pool = pool
        self._keyring = keyring
        self._producer = producer
        self._service = service
        self._batch_size = batch_size
        # A commit that wrote outbox rows notifies the relay at once; the idle sleep is only
        # the fallback should a notification ever be missed (a reconnect, say).
        self._idle_sleep = idle_sleep
        self._max_backoff = max_backoff
        self._wake = asyncio.Event()
        self._measure_every = 1.0

    async def publish_pending(self, conn: asyncpg.Connection | None = None) -> int:
        """One round on its own: publish up to a batch in outbox order, then delete what was
        acked."""
        if conn is None:
            async with self._pool.acquire() as own:
                return await self.publish_pending(own)
        published = await self._round(conn, [])
        if published:
            await conn.execute(_DELETE_SQL, published)
        return len(published)

    async def _round(self, conn: asyncpg.Connection, acked: list[int]) -> list[int]:
        """Delete `acked` (what the previous round published), publish up to a batch in
        outbox order, and return the positions the broker acknowledged: the caller deletes
        them, in the next round's statement or on its own."""
        rows = await conn.fetch(_ROUND_SQL, self._batch_size, acked)
        if not rows:
            return []
        keys = self._keys(rows)
        sends = [await self._send(row, _opened(row, keys)) for row in rows]
        # Wait for every ack: a failed send raises here and the whole round stays in the
        # outbox to be sent again.
        await asyncio.gather(*sends)
        PUBLISHED.labels(self._service).inc(len(rows))
        return [row["position"] for row in rows]

    def _keys(self, rows: list[asyncpg.Record]) -> dict[str, PersonKey | None]:
        """The data keys of the batch's sealed events, read in the same query as the batch
        (no extra round trip on the relay's hot path), each unwrapped once. None only where
        the key row is gone (the person was erased); a key the KEK cannot unwrap raises
        KeyUnwrapError, which fails the round: its rows stay in the outbox, never published
        as "[erased]" for a person who was not erased."""
        keys: dict[str, PersonKey | None] = {}
        for row in rows:
            owner = row["sealed_for"]
            if owner is None or owner in keys:
                continue
            if self._keyring is None:
                raise RuntimeError("a sealed event needs the relay's keyring to be published")
            wrapped = row["wrapped_key"]
            keys[owner] = (PersonKey.unwrap(self._keyring.kek, owner, bytes(wrapped))
                           if wrapped is not None else None)
        return keys

    async def _send(self, row: asyncpg.Record, payload: dict[str, Any]) -> Any:
        event: StoredEvent = _row_to_event(row)._replace(payload=payload)
        message = event.to_message()
        with span_from_traceparent(
            f"publish {row['topic']}", message.envelope.traceparent, SpanKind.PRODUCER,
            {"messaging.system": "kafka", "messaging.destination.name": row["topic"],
             "messaging.message.id": str(event.event_id)},
        ):
            # The relay's own span continues the trace of the request that wrote the event.
            traced = message.model_copy(
                update={"envelope": message.envelope.model_copy(
                    update={"traceparent": current_traceparent()})})
            try:
                record = encode(traced, partition_key=row["partition_key"])
            except CodecError as exc:
                # Cannot happen for events the store accepted; if it does, stop loudly rather
                # than skip an event and break per-stream order.
                raise RuntimeError(f"unpublishable event {event.event_id}: {exc}") from exc
            if row["sealed_for"] is not None:
                # Whose data the opened fields are, so a consumer that dead-letters the message
                # records it and erasing the person purges it (deadletters.py): the keyring's
                # pseudonymous id, no personal data. `encode` made the list for this message.
                record.headers.append((SUBJECT_HEADER, row["sealed_for"].encode()))
            return await self._producer.send(
                row["topic"], value=record.value, key=record.key, headers=record.headers)

    async def measure_backlog(self, published: list[int] | None = None,
                              conn: asyncpg.Connection | None = None) -> tuple[int, float]:
        """The backlog gauges: rows not yet published (`published`: rows acked and not yet
        deleted, which are not backlog). The leader measures on its own connection: one
        from the pool could wait for good where the leader holds the pool's last one."""
        if conn is None:
            async with self._pool.acquire() as own:
                return await self.measure_backlog(published, own)
        row = await conn.fetchrow(
            "SELECT count(*) AS n, "
            "coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0) AS age "
            "FROM outbox WHERE position <> ALL($1::bigint[])", published or [])
        assert row is not None
        BACKLOG.labels(self._service).set(row["n"])
        OLDEST_AGE.labels(self._service).set(float(row["age"]))
        return int(row["n"]), float(row["age"])

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set: be elected, then publish with backoff on failure. A lost
        leader connection (the database restarted) ends the term: the lock went with it, so
        the relay stands for election again rather than publish without it."""
        backoff = 1.0
        while not stop.is_set():
            try:
                await self._lead(stop)
            except (asyncio.CancelledError, KeyboardInterrupt):
                raise
            except Exception as exc:  # the session died, or the database is still down
                log.warning("outbox.leader_connection_lost", error=type(exc).__name__,
                            retry_in=backoff)
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, self._max_backoff)
            else:
                backoff = 1.0

    async def _lead(self, stop: asyncio.Event) -> None:
        # The leader's own connection holds the lock and the LISTEN and runs every round: no
        # pool round trip per round, and no publishing by a relay that lost its lock.
        async with self._pool.acquire() as conn:
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", _RELAY_LOCK):
                await _sleep_or_stop(stop, 1.0)
                if stop.is_set():
                    return
            await conn.add_listener(_CHANNEL, self._on_notify)
            # An idle leader must notice at once when its session is gone, not at its next
            # fallback poll: the wake-up makes the next round fail and the relay re-elect.
            conn.add_termination_listener(self._on_notify)
            try:
                await self._loop(stop, conn)
            finally:
                await _step_down(conn, self._on_notify)
                self._forget_gauges()

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _measure_dead_letters(self, conn: asyncpg.Connection) -> None:
        """The leader is the one task of every service that runs once a second on a connection
        of its own, so the dead letters waiting for an operator are gauged with its backlog.
        A gauge is not publishing: should its query fail, the round is not a failed round,
        publishing goes on at full speed, and the failure is logged."""
        try:
            await measure_open(conn, self._service)
        except (asyncio.CancelledError, KeyboardInterrupt, *_CONNECTION_LOST):
            raise
        except Exception as exc:
            log.warning("outbox.dead_letter_gauge_failed", error=type(exc).__name__)

    def _forget_gauges(self) -> None:
        """A relay that stepped down no longer measures: its last values would otherwise stay
        exported for good (an alert on open dead letters firing after they were resolved)."""
        for gauge in (BACKLOG, OLDEST_AGE, DEAD_LETTERS_OPEN, DEAD_LETTERS_OLDEST):
            with contextlib.suppress(KeyError):
                gauge.remove(self._service)

    async def _loop(self, stop: asyncio.Event, conn: asyncpg.Connection) -> None:
        backoff = 0.1
        measured_at = 0.0
        loop = asyncio.get_running_loop()
        # Rows the broker acked, deleted by the next round's own statement: one round trip a
        # round instead of two. Should the relay crash first they are sent again, as after a
        # crash before any delete; consumers dedupe by event id.
        acked: list[int] = []
        try:
            while not stop.is_set():
                try:
                    # Cleared before the round reads the outbox, never after: a commit
                    # notified while the round runs must wake the next one, not be forgotten
                    # until the fallback timer (that lost wake-up was the relay's worst
                    # latency).
                    self._wake.clear()
                    # On a failure `acked` stays: deleting rows already gone is harmless.
                    acked = await self._round(conn, acked)
                    # The gauges cost a query; once a second is enough for a dashboard, and
                    # the publishing path stays one statement and the sends.
                    if loop.time() - measured_at >= self._measure_every:
                        await self.measure_backlog(acked, conn)
                        measured_at = loop.time()
                        await self._measure_dead_letters(conn)
                    backoff = 0.1
                except (asyncio.CancelledError, KeyboardInterrupt, *_CONNECTION_LOST):
                    raise
                except Exception as exc:  # the broker or database is down: keep rows, retry
                    FAILURES.labels(self._service).inc()
                    log.warning("outbox.publish_failed", error=type(exc).__name__,
                                retry_in=backoff)
                    with contextlib.suppress(Exception):  # the backlog grows while Kafka is down
                        await self.measure_backlog(acked, conn)
                    await _sleep_or_stop(stop, backoff)
                    backoff = min(backoff * 2, self._max_backoff)
                    continue
                # A round that found fewer rows than a batch read the whole outbox as of its
                # snapshot, and every commit since has notified: unless one did, there is
                # nothing to read yet, so wait for it rather than run an empty round to see.
                if len(acked) < self._batch_size and not self._wake.is_set():
                    await self._idle(stop)
        finally:
            if acked:  # stepping down: leave nothing published behind for the next leader
                with contextlib.suppress(Exception):
                    await conn.execute(_DELETE_SQL, acked)

    async def _idle(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=self._idle_sleep,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()


def _opened(row: asyncpg.Record, keys: dict[str, PersonKey | None]) -> dict[str, Any]:
    """The payload to publish: sealed personal fields opened with the owner's key, or
    "[erased]" once that key is gone."""
    payload: dict[str, Any] = row["payload"]
    if row["sealed_for"] is None:
        return payload
    return unseal_with(keys.get(row["sealed_for"]), payload)


_CONNECTION_LOST = (asyncpg.InterfaceError, asyncpg.ConnectionDoesNotExistError)


async def _step_down(conn: asyncpg.Connection, on_notify: Any) -> None:
    """Give up the lock and the LISTEN. Should that fail, close the connection instead, so
    neither can outlive the term on a pooled connection (a closed session drops both)."""
    conn.remove_termination_listener(on_notify)
    try:
        await conn.remove_listener(_CHANNEL, on_notify)
        await conn.execute("SELECT pg_advisory_unlock($1)", _RELAY_LOCK)
    except Exception:
        conn.terminate()
    except BaseException:  # cancelled mid-way: still never leave the lock behind
        conn.terminate()
        raise


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
