"""What every service process runs besides its HTTP routes: the database pool and migrations,
the event store, the person keyring, the outbox relay and the Kafka consumers.

Nothing connects at import time: a service's bootstrap builds a ServiceRuntime inside the
FastAPI lifespan (or a worker's main) and stops it on the way out.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from goodfaith_runtime.clock import Clock, SystemClock
from goodfaith_runtime.consumer import Handler, IdempotentConsumer, KafkaConsumerLoop, dlq_topic
from goodfaith_runtime.db import create_pool, folder_migrations, migrate
from goodfaith_runtime.deadletters import BodySealer
from goodfaith_runtime.eventstore import PostgresEventStore
from goodfaith_runtime.heap import settle
from goodfaith_runtime.kafka import ensure_topics, make_producer
from goodfaith_runtime.outbox import OutboxRelay
from goodfaith_runtime.pii import PersonKeyring, parse_kek
from goodfaith_runtime.settings import ServiceSettings
from goodfaith_runtime.signing import load_private_key
from goodfaith_runtime.telemetry import configure_logging, configure_tracing

log = structlog.get_logger("goodfaith.service")


@dataclass
class ConsumerSpec:
    name: str
    topics: Sequence[str]
    handlers: dict[str, Handler]
    # True for topics no caller waits on (facts, reports): fetched with the longer
    # kafka_background_fetch_max_wait_ms, which on Tansu is also their latency floor, and a
    # small fetch applied in one transaction (kafka_combine_records; see fetch_groups).
    background: bool = False


@dataclass
class ServiceRuntime:
    service: str
    settings: ServiceSettings
    migrations: Path | None = None
    clock: Clock = field(default_factory=SystemClock)
    consumers: list[ConsumerSpec] = field(default_factory=list)
    topics: Sequence[str] = ()

    pool: asyncpg.Pool = field(init=False)
    store: PostgresEventStore = field(init=False)
    keyring: PersonKeyring = field(init=False)
    # Seals the bodies the consumers store in dead_letters, under a key derived from the KEK.
    dead_letter_sealer: BodySealer = field(init=False)
    case_file_key: Ed25519PrivateKey = field(init=False)
    producer: AIOKafkaProducer | None = field(init=False, default=None)
    _stop: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)
    _loops: list[KafkaConsumerLoop] = field(init=False, default_factory=list)
    # The relay's and each consumer loop's task: one that ends while the service runs is not
    # restarted, so readiness watches them.
    _runners: list[asyncio.Task[None]] = field(init=False, default_factory=list)

    async def start(self) -> None:
        configure_logging(self.service, self.settings.log_level)
        configure_tracing(self.service)
        self.pool = await create_pool(self.settings.database_url)
        # The runtime's own schema (idempotency_keys included) comes first, in `migrate`.
        extra = [] if self.migrations is None else folder_migrations(self.migrations,
                                                                     self.service)
        await self._migrate(extra)
        self.store = PostgresEventStore(self.pool, producer=self.service, clock=self.clock)
        kek = parse_kek(self.settings.pii_kek)
        self.keyring = PersonKeyring(kek, self.clock)
        self.dead_letter_sealer = BodySealer(kek)
        self.case_file_key = load_private_key(self.settings.case_file_signing_key)
        if self.settings.freeze_heap:
            settle()  # start-up's objects out of the collector's full passes (see heap.py)
        if self.settings.run_background:
            self._tasks.append(asyncio.create_task(self._kafka_side(), name="kafka"))

    async def _migrate(self, extra: list[tuple[str, str]]) -> None:
        """Migrate as the schema's owner, then grant the pool's own role what it needs; or,
        without a migration URL, migrate as the pool's role (which then owns the tables)."""
        owner_url = self.settings.migration_database_url
        if owner_url is None or owner_url == self.settings.database_url:
            log.warning("database.runtime_role_owns_schema", service=self.service,
                        hint="set GOODFAITH_MIGRATION_DATABASE_URL to the owner's DSN")
            await migrate(self.pool, extra)
            return
        role = await self.pool.fetchval("SELECT current_user")
        owner = await create_pool(owner_url, min_size=1, max_size=1)
        try:
            await migrate(owner, extra, runtime_role=role)
        finally:
            await owner.close()

    async def _kafka_side(self) -> None:
        """Connect to Kafka (retrying while it is down), then relay and consume."""
        backoff = 0.5
        while not self._stop.is_set():
            try:
                await self._start_kafka()
                break
            except Exception as exc:
                log.warning("kafka.unavailable", service=self.service,
                            error=type(exc).__name__, retry_in=backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), backoff)
                backoff = min(backoff * 2, 10.0)
        if self._stop.is_set() or self.producer is None:
            return
        relay = OutboxRelay(self.pool, self.producer, service=self.service,
                            keyring=self.keyring)
        runners = [self._runner("outbox-relay", relay.run(self._stop))]
        for spec in self.consumers:
            consumer = IdempotentConsumer(name=spec.name, pool=self.pool, handlers=spec.handlers,
                                          dlq_producer=self.producer, clock=self.clock,
                                          sealer=self.dead_letter_sealer)
            loop = KafkaConsumerLoop(
                consumer, bootstrap=self.settings.kafka_bootstrap, topics=spec.topics,
                fetch_max_wait_ms=self._fetch_wait(spec),
                combine_up_to=self._combine_up_to(spec))
            self._loops.append(loop)
            runners.append(self._runner(f"consumer-{spec.name}", loop.run(self._stop)))
        await asyncio.gather(*runners)

    def _runner(self, name: str, run: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(run, name=name)
        task.add_done_callback(self._ended)
        self._runners.append(task)
        return task

    def _ended(self, task: asyncio.Task[None]) -> None:
        if self._stop.is_set() or task.cancelled():
            return
        error = task.exception()
        log.error("kafka.loop_ended", service=self.service, loop=task.get_name(),
                  error=type(error).__name__ if error is not None else None)

    def _combine_up_to(self, spec: ConsumerSpec) -> int:
        # Only where nobody waits: one transaction per small fetch saves commits but made the
        # gate's answers slower (consumer.fetch_groups).
        return self.settings.kafka_combine_records if spec.background else 0

    def _fetch_wait(self, spec: ConsumerSpec) -> int:
        if spec.background:
            return self.settings.kafka_background_fetch_max_wait_ms
        return self.settings.kafka_fetch_max_wait_ms

    async def _start_kafka(self) -> None:
        wanted = [*self.topics, *(dlq_topic(c.name) for c in self.consumers)]
        for spec in self.consumers:
            wanted += spec.topics
        await ensure_topics(self.settings.kafka_bootstrap, sorted(set(wanted)),
                            partitions=self.settings.kafka_partitions)
        # No linger: the relay queues a whole round's messages before it yields, so they
        # leave in one request anyway, and it waits for their acks before the next round, so
        # lingering would only hold every round back (p50 at 500 requests/s: 27-31 ms against
        # 33-36 ms with the 2 ms linger in bench/bench_compliance.py).
        producer = make_producer(self.settings.kafka_bootstrap,
                                 idempotence=self.settings.kafka_idempotence,
                                 client_id=self.service, linger_ms=0)
        await producer.start()
        self.producer = producer

    async def database_ready(self) -> bool:
        async with self.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT true"))

    async def kafka_ready(self) -> bool:
        if not self.settings.run_background:
            return True
        # A relay or consumer loop that ended (a consumer's fatal Kafka error, say) is not
        # coming back: the instance is not ready, though its producer still is.
        return self.producer is not None and not any(task.done() for task in self._runners)

    def assigned_partitions(self, topic: str) -> int:
        """How many of `topic`'s partitions this instance's consumers hold right now: none
        until their group assigned them, or while a rebalance moves them (a replica beyond
        the partition count legitimately holds none, so this is not a readiness test)."""
        return sum(tp.topic == topic for loop in self._loops for tp in loop.assignment())

    async def stop(self) -> None:
        self._stop.set()
        # The runners too: when one failed, the gather over them ended without the others.
        for task in [*self._tasks, *self._runners]:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, 10)
        if self.producer is not None:
            with contextlib.suppress(Exception):
                await self.producer.stop()
        await self.pool.close()
