"""The compliance gate: (1) in-process `evaluate` decisions/s next to a one-rule baseline;
(2) in-process gate decisions/s through the runtime's idempotent consumer and the gate handler
with the real database (no broker), next to the same consumer with a handler that only appends
the same two events (a decision's record and its public answer, copied from the gate's own log)
to a new stream; (3) end-to-end decision latency through Kafka at a fixed request rate (and at
half that rate, to show where this machine's knee is), next to two echo baselines at the same
rate on the same broker: a bare aiokafka consume-and-produce loop, and the runtime's idempotent
consumer plus outbox relay with a handler that only appends one event.

In (2) the records are real encoded ContactRequested messages, split over the topic's
partitions by person like the topic, applied in batches of 16 per partition, each batch one
transaction, partitions side by side (as KafkaConsumerLoop applies a fetch) and, separately,
one after another; these cases measure the gate's capacity. Every person already has
decisions (the stream is not fresh), and each decision is for a new request.

Latency is request produced -> decision consumed from goodfaith.contact-decided, measured in one
process with one monotonic clock; the gate (and the runtime echo) run in a process of their own,
as they would in production, so the load generator does not share their event loop; the gate is
also measured as two processes in one consumer group. The target's case (one process at the
target's rate) runs GATE_RUNS times and reports its median run. Requests start once the group
has given out every partition (a group still waiting on a member of the run before answers
nothing for seconds: that is the group's start-up, not the gate's latency). Everything
(PostgreSQL, Tansu, service, load generator) still shares this machine's cores.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import multiprocessing
import os
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import uvloop
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from bench import cpu
from bench.common import Suite
from compliance.bootstrap import bootstrap
from compliance.config import ComplianceSettings
from compliance.entrypoints import consumers
from compliance.service_layer.facts import Profile
from goodfaith_events.codec import encode
from goodfaith_events.contracts import Topics
from goodfaith_events.envelope import Envelope, EventMessage
from goodfaith_events.ids import new_id
from goodfaith_runtime.clock import ShiftedClock
from goodfaith_runtime.consumer import Delivery, Handler, IdempotentConsumer
from goodfaith_runtime.eventstore import Metadata, NewEvent
from goodfaith_runtime.infra import Infra, ServiceDatabase
from goodfaith_runtime.kafka import ONE_MACHINE_PARTITIONS, ensure_topics, make_producer
from goodfaith_runtime.service import ConsumerSpec, ServiceRuntime
from goodfaith_runtime.settings import ServiceSettings

RATE, SECONDS, PERSONS = 500, 10, 1000
LOWER_RATE = 250  # the gate again at half the target's rate: where this machine's knee is
WARMUP_SECONDS = 2  # sent before the measured SECONDS; reported apart as the cold start
# The target's case runs this many times, each on a fresh broker, and reports its median run:
# one 10 s window at 500/s moved from p99 31 to 83 ms within the same hour on unchanged code.
GATE_RUNS = 3
MESSAGES = RATE * (WARMUP_SECONDS + SECONDS)
# The topics' partitions, as the services create them on one machine (ONE_MACHINE_PARTITIONS).
INPROC_DECISIONS, PARTITIONS, BATCH = 3000, ONE_MACHINE_PARTITIONS, 16
FETCH_WAIT_MS = 10  # as the runtime's KafkaConsumerLoop
SCRIPT = "Hi, this is Sam with Fairway Recovery LLC. This communication is from a debt collector."
EVAL_PY = Path(__file__).resolve().parents[1] / "services" / "compliance" / "bench_eval.py"
# Every run decides as of the same instant, whenever it is started: a Tuesday afternoon in New
# York, the persons' zone, inside calling hours with room for an approval's lifetime. On the
# system clock a run after ~20:45 there met nothing but blocks (FED-TIME), a different workload.
# The service processes get the same offset, so everyone shares one now; durations stay real.
BENCH_START = datetime(2026, 12, 1, 14, 0, tzinfo=ZoneInfo("America/New_York"))
CLOCK = ShiftedClock.starting_at(BENCH_START)


def _bench_eval() -> Any:
    spec = importlib.util.spec_from_file_location("compliance_bench_eval", EVAL_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _profile(person_id: str) -> Profile:
    """A realistic profile: NY consumer (NYS overlay), cell and work phones, an email, 2 debts."""
    return Profile.model_validate({
        "collector": {"collector_id": "col-1", "role": "third_party_collector",
                      "business_name": "Fairway Recovery LLC", "creditor_id": "cr-1",
                      "creditor_name": "Acme Bank"},
        "person": {"person_id": person_id, "role": "consumer", "rpc": "verified",
                   "addresses": [{"address_id": "a-1", "kind": "residence", "state": "NY",
                                  "tz": "America/New_York"}]},
        "endpoints": [
            {"kind": "phone", "endpoint_id": "ph-1", "e164": "+12125550100",
             "phone_type": "cell", "owner_confirmed": True},
            {"kind": "phone", "endpoint_id": "ph-2", "e164": "+13125550100",
             "phone_type": "work"},
            {"kind": "email", "endpoint_id": "em-1", "address": "pat@example.com"}],
        "debts": [{"debt_id": d, "purpose": "consumer", "governing_state": "NY",
                   "time_barred": False, "initial_communication_at": "2026-01-05T15:00:00Z",
                   "validation_notice_provided_at": "2026-01-05T15:00:00Z",
                   "nys_initial_disclosure_sent_at": "2026-01-06T15:00:00Z"}
                  for d in ("d-1", "d-2")],
    })


def _request(tenant: str, person: str) -> tuple[str, EventMessage]:
    request_id = str(new_id())
    payload = {"request_id": request_id, "person_id": person, "debt_ids": ["d-1"],
               "channel": "call", "endpoint": "+12125550100", "template_id": "t-1",
               "template_type": "AGENT_CALL",
               "content_hash": hashlib.sha256(SCRIPT.encode()).hexdigest(),
               "content_text": SCRIPT, "intended_send_at": CLOCK.now().isoformat()}
    envelope = Envelope(type="outreach.ContactRequested", schema_version=1,
                        stream_id=f"outreach/{request_id}", stream_version=1,
                        occurred_at=CLOCK.now(), tenant=tenant, producer="outreach")
    return request_id, EventMessage(envelope=envelope, payload=payload)


async def _drive(
    infra: Infra, source: str, sink: str, messages: list[tuple[str, str, EventMessage]],
    rate: int = RATE, service_pids: list[int] | None = None,
) -> dict[str, float]:
    """Produce `messages` to `source` at `rate`/s; latency of each id's answer on `sink`.

    The first WARMUP_SECONDS of requests meet a service that has just started (connections
    preparing their statements, caches filling): their latencies are reported apart, as the
    cold start, and the steady-state figures (the target's) are those of the requests after.
    With `service_pids`, the CPU each role spent over the steady window is reported too, in
    ms per request (cpu_<role>) and as a share of the whole machine (cpu_machine_pct)."""
    sent: dict[str, tuple[int, float]] = {}
    latencies: list[tuple[int, float]] = []
    approved = 0  # answers that were approvals: the workload (a block is a cheaper decision)
    # A short fetch wait: Tansu answers a fetch only when the wait runs out, so aiokafka's
    # 500 ms default would add ~250 ms of the measuring side to every latency.
    consumer = AIOKafkaConsumer(sink, bootstrap_servers=infra.kafka_bootstrap,
                                group_id=f"bench-{new_id().hex}", auto_offset_reset="latest",
                                fetch_max_wait_ms=FETCH_WAIT_MS)
    await consumer.start()
    await asyncio.sleep(1.0)  # let the group settle so "latest" is before our first answer
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="bench")
    await producer.start()
    done = asyncio.Event()

    async def receive() -> None:
        nonlocal approved
        while not done.is_set() or len(latencies) < len(messages):
            batches = await consumer.getmany(timeout_ms=100)
            now = time.perf_counter()
            for records in batches.values():
                for record in records:
                    # The answer's body is its payload: the id is all the measuring side needs
                    # (a full decode costs ~35 us of the shared cores per answer).
                    body = orjson.loads(record.value)
                    key = body.get("request_id")
                    if key in sent:
                        index, at = sent.pop(key)
                        latencies.append((index, now - at))
                        approved += "approval_id" in body
            if done.is_set() and not sent:
                return

    # Encoded before the clock starts: outreach encodes its requests on its own machine, so
    # the load generator should take as little of the shared cores as it can.
    records = [(key, encode(message, partition_key=partition_key))
               for key, partition_key, message in messages]
    warm = rate * WARMUP_SECONDS
    middle = warm + (len(records) - warm) // 2
    receiver = asyncio.create_task(receive())
    start = time.perf_counter()
    halves = _Halves(cpu.roles(service_pids or [], os.getpid()), warm, middle, len(records),
                     bool(service_pids))
    for i, (key, record) in enumerate(records):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        halves.at(i)
        sent[key] = (i, time.perf_counter())
        await producer.send(source, value=record.value, key=record.key, headers=record.headers)
    elapsed = time.perf_counter() - start
    spent = halves.close()
    done.set()
    await asyncio.wait_for(receiver, 120)
    answered = time.perf_counter() - start
    await producer.stop()
    await consumer.stop()
    figures = {"n": len(latencies), "approved": approved, "produce_s": elapsed,
               "answered_s": answered,
               **_latencies(latencies, warm, middle), **spent}
    return figures


def _latencies(latencies: list[tuple[int, float]], warm: int, middle: int) -> dict[str, float]:
    """Percentiles of the steady window, of its two halves' p99 and of the cold start."""
    figures = _percentiles([ms for i, ms in latencies if i >= warm])
    figures |= {f"cold_{k}": v for k, v in
                _percentiles([ms for i, ms in latencies if i < warm]).items()}
    figures["first_half_p99"] = _percentiles(
        [ms for i, ms in latencies if warm <= i < middle])["p99"]
    figures["second_half_p99"] = _percentiles([ms for i, ms in latencies if i >= middle])["p99"]
    return figures


class _Halves:
    """CPU by role over the steady window, in two halves: the embedded broker's fetches get
    dearer as its partitions grow (Tansu's memory storage, see docs/benchmarks.md), and the
    halves show how much of a run's CPU is that growth rather than the service's."""

    def __init__(self, named: dict[str, cpu.Role], warm: int, middle: int, end: int,
                 active: bool) -> None:
        self._windows = (cpu.Window(named), cpu.Window(named))
        self._warm, self._middle, self._end, self._active = warm, middle, end, active
        self._first: dict[str, float] = {}

    def at(self, i: int) -> None:
        """Called before request `i` is sent."""
        if not self._active:
            return
        if i == self._warm:
            self._windows[0].open()
        elif i == self._middle:
            self._first = self._windows[0].close()
            self._windows[1].open()

    def close(self) -> dict[str, float]:
        """cpu_<role> in ms per request, cpu_machine_pct, and the broker's ms per request in
        each half; nothing when no service was measured."""
        second = self._windows[1].close()
        if not second:
            return {}
        first, requests = self._first, (self._middle - self._warm, self._end - self._middle)
        spent = {role: first[role] + second[role] for role in second}
        figures = {f"cpu_{role}": seconds * 1000 / sum(requests)
                   for role, seconds in spent.items()}
        seconds = self._windows[0].seconds + self._windows[1].seconds
        figures["cpu_machine_pct"] = 100 * sum(spent.values()) / seconds / (os.cpu_count() or 1)
        figures["first_half_broker_ms"] = first["Tansu broker"] * 1000 / requests[0]
        figures["second_half_broker_ms"] = second["Tansu broker"] * 1000 / requests[1]
        return figures


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = sorted(x * 1000 for x in seconds)
    return {"p50": statistics.median(ms), "p95": ms[int(0.95 * len(ms)) - 1],
            "p99": ms[int(0.99 * len(ms)) - 1], "max": ms[-1]}


def _serve(kind: str, dsn: ServiceDatabase, kafka: str, source: str, ready: Any, stop: Any,
           held: Any, index: int, seed: bool, offset: timedelta) -> None:
    """The service under test, in its own process (spawned): the load generator and the
    measuring consumer must not share its event loop, as outreach would not. `offset` is the
    load generator's CLOCK offset, so both sides share one now."""
    # On uvloop, as every service runs under uvicorn (loop="auto" picks the uvloop that
    # uvicorn[standard] installs); until 2026-12-07 this process ran asyncio's own loop.
    uvloop.run(_serving(kind, dsn, kafka, source, ready, stop, held, index, seed, offset))


async def _serving(kind: str, dsn: ServiceDatabase, kafka: str, source: str, ready: Any, stop: Any,
                   held: Any, index: int, seed: bool, offset: timedelta) -> None:
    if kind == "gate":
        settings = ComplianceSettings(**dsn.settings(), kafka_bootstrap=kafka,
                                      environment="test", kafka_partitions=PARTITIONS,
                                      log_level="WARNING")
        compliance = bootstrap(settings, clock=ShiftedClock(offset))
        await compliance.start()
        runtime = compliance.runtime
        async with runtime.pool.acquire() as conn:
            for i in range(PERSONS if seed else 0):
                async with conn.transaction():
                    await compliance.service.record_profile(conn, "bench",
                                                            _profile(f"p-{i:05d}"))
    else:
        runtime = _echo_runtime(dsn, kafka)
        await runtime.start()

    async def report_partitions() -> None:
        while True:
            held[index] = runtime.assigned_partitions(source)
            await asyncio.sleep(0.1)

    reporter = asyncio.create_task(report_partitions())
    try:
        await _ready(runtime.kafka_ready)
        ready.set()
        await asyncio.to_thread(stop.wait)
    finally:
        reporter.cancel()
        await runtime.stop()


async def _in_child(
    kind: str, infra: Infra, database: str, source: str, sink: str,
    jobs: list[tuple[str, str, EventMessage]], processes: int = 1, rate: int = RATE,
) -> dict[str, float]:
    """Serve `kind` from `processes` processes of its own (one consumer group, as replicas
    would: the partitions are shared out, one relay is elected), then drive it."""
    dsn = await infra.create_service_database(database, recreate=True)
    _fresh_broker(infra)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    held = context.Array("i", processes)  # partitions each process holds, as it reports
    children: list[Any] = []
    try:
        for index in range(processes):
            ready = context.Event()
            child = context.Process(
                target=_serve, daemon=True,
                args=(kind, dsn, infra.kafka_bootstrap, source, ready, stop, held, index,
                      index == 0, CLOCK.offset))
            child.start()
            children.append(child)
            while not ready.is_set():  # one after the other: the first seeds the persons
                if not child.is_alive():
                    raise RuntimeError(f"the {kind} process ended before it was ready")
                await asyncio.sleep(0.1)
        await _settled(held, children)
        return await _drive(infra, source, sink, jobs, rate, [c.pid for c in children])
    finally:
        stop.set()
        for child in children:
            await asyncio.to_thread(child.join, 60)


def _fresh_broker(infra: Infra) -> None:
    """Restart the embedded broker (memory storage: topics, offsets and groups start empty), so
    a run never inherits the one before: runs share the topics and the consumer group, and a
    run whose replicas stopped mid-rebalance leaves offsets behind, which the next run's fresh
    database would decide again on top of its own load (one such run spent 2.4 ms of gate CPU
    per request at half the rate), or a member the broker still waits for. Apache Kafka
    (GOODFAITH_INFRA=containers) is not restarted."""
    if infra.broker is not None:
        infra.broker.stop()
        infra.broker.start()


async def _settled(held: Any, children: list[Any]) -> None:
    """Wait until the group has given out every partition and kept them so for a second.
    A group that still waits on a member gone from the run before (the broker holds it until
    its session times out) or moves partitions between replicas answers nothing meanwhile:
    that is the group's start-up, not the gate's latency, so it is kept out of the figures."""
    loop = asyncio.get_running_loop()
    deadline, steady_since = loop.time() + 90.0, None
    while loop.time() < deadline:
        if not all(child.is_alive() for child in children):
            raise RuntimeError("a service process ended before its group settled")
        if sum(held[:]) == PARTITIONS:
            steady_since = steady_since or loop.time()
            if loop.time() - steady_since >= 1.0:
                return
        else:
            steady_since = None
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the consumer group never settled on {PARTITIONS} partitions")


async def _gate(infra: Infra, processes: int = 1, rate: int = RATE) -> dict[str, float]:
    persons = [f"p-{i:05d}" for i in range(PERSONS)]
    messages = [_request("bench", persons[i % PERSONS])
                for i in range(rate * (WARMUP_SECONDS + SECONDS))]
    jobs = [(key, msg.payload["person_id"], msg) for key, msg in messages]
    return await _in_child("gate", infra, f"bench_compliance_{processes}_{rate}",
                           Topics.CONTACT_REQUESTED, Topics.CONTACT_DECIDED, jobs, processes,
                           rate)


class _NoDeadLetters:
    async def send(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the in-process bench dead-lettered a message")


def _records(tenant: str, persons: list[str], n: int) -> list[list[ConsumerRecord[Any, Any]]]:
    """n encoded requests over `persons`, split into partitions by person like the topic."""
    parts: list[list[ConsumerRecord[Any, Any]]] = [[] for _ in range(PARTITIONS)]
    for i in range(n):
        person = persons[i % len(persons)]
        _, message = _request(tenant, person)
        record = encode(message, partition_key=person)
        p = int(person.rsplit("-", 1)[1]) % PARTITIONS
        parts[p].append(ConsumerRecord(Topics.CONTACT_REQUESTED, p, len(parts[p]), 0, 0,
                                       record.key, record.value, None, 0, 0, record.headers))
    return parts


async def _apply(consumer: IdempotentConsumer, parts: list[list[Any]], side_by_side: bool,
                 ) -> float:
    start = time.perf_counter()
    for i in range(0, max(len(p) for p in parts), BATCH):
        batches = [p[i:i + BATCH] for p in parts if p[i:i + BATCH]]
        if side_by_side:
            await asyncio.gather(*(consumer.process(b) for b in batches))
        else:
            for b in batches:
                await consumer.process(b)
    return time.perf_counter() - start


async def _inprocess(infra: Infra) -> dict[str, float]:
    """Decisions/s through IdempotentConsumer + the gate handler + PostgreSQL, and the same
    consumer appending the same two events without deciding."""
    dsn = await infra.create_service_database("bench_compliance_inproc", recreate=True)
    settings = ComplianceSettings(**dsn.settings(), kafka_bootstrap=infra.kafka_bootstrap,
                                  environment="test", run_background=False,
                                  log_level="WARNING")
    compliance = bootstrap(settings, clock=CLOCK)
    await compliance.start()
    tenant, persons = "bench", [f"p-{i:05d}" for i in range(PERSONS)]
    figures: dict[str, float] = {}
    try:
        pool = compliance.runtime.pool
        async with pool.acquire() as conn:
            for person in persons:
                async with conn.transaction():
                    await compliance.service.record_profile(conn, tenant, _profile(person))

        def consumer(name: str, handlers: dict[str, Handler]) -> IdempotentConsumer:
            return IdempotentConsumer(name=name, pool=pool, handlers=handlers,
                                      dlq_producer=_NoDeadLetters())

        gate = consumer("bench-gate", consumers.gate_handlers(lambda: compliance.service))
        await _apply(gate, _records(tenant, persons, PERSONS), True)  # warm: one each
        cpu = time.process_time()
        figures["gate_side_by_side_s"] = await _apply(
            gate, _records(tenant, persons, INPROC_DECISIONS), True)
        figures["gate_cpu_ms"] = (time.process_time() - cpu) * 1000 / INPROC_DECISIONS
        figures["gate_in_turn_s"] = await _apply(
            gate, _records(tenant, persons, INPROC_DECISIONS), False)
        row = await pool.fetchrow(
            "SELECT (SELECT payload::text FROM events WHERE type = $1 ORDER BY global_position "
            "DESC LIMIT 1) AS recorded, (SELECT payload::text FROM events WHERE type = $2 "
            "ORDER BY global_position DESC LIMIT 1) AS public",
            "compliance.DecisionRecorded", "compliance.ContactApproved")
        if row["public"] is None:
            raise RuntimeError("the in-process gate approved nothing: the baseline copies an "
                               "approval, so the decisions must be the same workload")
        recorded, public = orjson.loads(row["recorded"]), orjson.loads(row["public"])
        figures["record_bytes"] = len(row["recorded"])

        async def append_only(delivery: Delivery) -> None:
            p = delivery.message.payload
            events = [NewEvent("compliance.DecisionRecorded", {**recorded,
                                                                "request_id": p["request_id"]}),
                      NewEvent("compliance.ContactApproved", {**public,
                                                              "request_id": p["request_id"]},
                               publish_to=(Topics.CONTACT_DECIDED, p["person_id"]))]
            await compliance.runtime.store.append(
                f"bench-append/{p['request_id']}", 0, events,
                Metadata(tenant=tenant, producer="compliance"), conn=delivery.conn)

        bare = consumer("bench-append", {"outreach.ContactRequested": append_only})
        await _apply(bare, _records(tenant, persons, PERSONS), True)
        figures["append_side_by_side_s"] = await _apply(
            bare, _records(tenant, persons, INPROC_DECISIONS), True)
        figures["append_in_turn_s"] = await _apply(
            bare, _records(tenant, persons, INPROC_DECISIONS), False)
    finally:
        await compliance.stop()
    return figures


async def _raw_echo(infra: Infra) -> dict[str, float]:
    source, sink = f"bench.echo-in.{new_id().hex[:8]}", f"bench.echo-out.{new_id().hex[:8]}"
    await ensure_topics(infra.kafka_bootstrap, [source, sink], partitions=PARTITIONS)
    consumer = AIOKafkaConsumer(source, bootstrap_servers=infra.kafka_bootstrap,
                                group_id="bench-echo", auto_offset_reset="earliest",
                                fetch_max_wait_ms=FETCH_WAIT_MS)
    producer: AIOKafkaProducer = make_producer(infra.kafka_bootstrap, idempotence=False,
                                               client_id="echo")
    await consumer.start()
    await producer.start()
    stop = asyncio.Event()

    async def echo() -> None:
        while not stop.is_set():
            for records in (await consumer.getmany(timeout_ms=100)).values():
                for r in records:
                    await producer.send(sink, value=r.value, key=r.key, headers=list(r.headers))

    task = asyncio.create_task(echo())
    try:
        jobs = [(key, key, msg) for key, msg in (_request("bench", "p") for _ in
                                                 range(MESSAGES))]
        return await _drive(infra, source, sink, jobs)
    finally:
        stop.set()
        await task
        await consumer.stop()
        await producer.stop()


def _echo_runtime(dsn: ServiceDatabase, kafka: str) -> ServiceRuntime:
    """The runtime's consumer + outbox with a handler that appends one published event."""
    settings = ServiceSettings(**dsn.settings(), kafka_bootstrap=kafka, environment="test",
                               kafka_partitions=PARTITIONS, log_level="WARNING")
    holder: dict[str, ServiceRuntime] = {}

    async def handle(delivery: Delivery) -> None:
        p = delivery.message.payload
        event = NewEvent("compliance.ContactBlocked", {
            "request_id": p["request_id"], "decision_id": str(new_id()),
            "person_id": p["person_id"], "outcome": "BLOCK", "pack_version": "echo",
            "failing_rules": [{"rule_id": "ECHO", "citation": "-", "explanation": "-"}]},
            publish_to=("bench.echo-decided", p["person_id"]))
        await holder["rt"].store.append(f"echo/{p['request_id']}", 0, [event],
                                        Metadata(tenant="bench", producer="echo"),
                                        conn=delivery.conn)

    runtime = ServiceRuntime(
        service="echo", settings=settings, consumers=[ConsumerSpec(
            name="bench-echo-runtime", topics=["bench.echo-requested"],
            handlers={"outreach.ContactRequested": handle})],
        topics=["bench.echo-decided"])
    holder["rt"] = runtime
    return runtime


async def _runtime_echo(infra: Infra) -> dict[str, float]:
    jobs = [(key, msg.payload["person_id"], msg) for key, msg in
            (_request("bench", f"p-{i % PERSONS}") for i in range(MESSAGES))]
    return await _in_child("echo", infra, "bench_compliance_echo", "bench.echo-requested",
                           "bench.echo-decided", jobs)


async def _ready(check: Any) -> None:
    for _ in range(600):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("Kafka never became ready")


def _report(suite: Suite, label: str, figures: dict[str, float], target: bool = False) -> None:
    suite.add(f"kafka {label}", "decisions", int(figures["n"]), figures["answered_s"],
              unit="answers/s")
    for q in ("p50", "p95", "p99"):
        suite.measure(f"{label} latency {q}", figures[q], "ms")
    for q in ("p50", "p99"):
        suite.measure(f"{label} cold start (first {WARMUP_SECONDS} s) latency {q}",
                      figures[f"cold_{q}"], "ms")
    for role in ("service process", "PostgreSQL", "Tansu broker", "load generator", "other"):
        if f"cpu_{role}" in figures:
            suite.measure(f"{label} CPU per request: {role}", figures[f"cpu_{role}"], "ms")
    if "cpu_machine_pct" in figures:
        suite.measure(f"{label} whole machine busy", figures["cpu_machine_pct"], "%")
    for half in ("first", "second"):
        suite.measure(f"{label} {half} half of the steady window: latency p99",
                      figures[f"{half}_half_p99"], "ms")
        if f"{half}_half_broker_ms" in figures:
            suite.measure(f"{label} {half} half of the steady window: CPU per request: "
                          "Tansu broker", figures[f"{half}_half_broker_ms"], "ms")
    if target:
        suite.targets[f"{label} latency p99"] = "< 50 ms at 500 req/s"
    approvals = f" ({figures['approved']} approvals)" if label.startswith("gate") else ""
    suite.notes.append(f"{label}: {figures['n']} answers{approvals}, produced over "
                       f"{figures['produce_s']:.1f}s, max {figures['max']:.0f} ms")


async def _target_runs(suite: Suite, infra: Infra) -> None:
    """The gate at the target's rate GATE_RUNS times: the median run (by p99) is reported in
    full as "gate", and every run's p99 is listed, so the spread is in the results too."""
    runs = [await _gate(infra) for _ in range(GATE_RUNS)]
    for number, figures in enumerate(runs, start=1):
        suite.measure(f"gate run {number} of {GATE_RUNS} latency p99", figures["p99"], "ms")
    suite.measure(f"gate runs of {GATE_RUNS} with p99 under 50 ms",
                  sum(figures["p99"] < 50 for figures in runs), "runs")
    _report(suite, "gate", sorted(runs, key=lambda figures: figures["p99"])[GATE_RUNS // 2],
            target=True)


async def run(infra: Infra) -> Suite:
    suite = Suite("compliance")
    gate = await _inprocess(infra)
    for label, key in (("partitions side by side", "side_by_side"),
                       ("partitions in turn", "in_turn")):
        suite.add("in-process gate", f"decide+store, {label}", INPROC_DECISIONS,
                  gate[f"gate_{key}_s"], unit="decisions/s")
        suite.add("in-process gate", f"baseline append, {label}", INPROC_DECISIONS,
                  gate[f"append_{key}_s"], unit="decisions/s")
        suite.ratio(f"gate / append baseline, {label}",
                    ("in-process gate", f"decide+store, {label}"),
                    ("in-process gate", f"baseline append, {label}"))
    suite.targets["in-process gate decide+store, partitions side by side"] = (
        ">= 1000 decisions/s (500 req/s with room)")
    suite.notes.append(
        f"in-process gate: {INPROC_DECISIONS} requests over {PERSONS} persons (each with a "
        f"decision already), {PARTITIONS} partitions, batches of {BATCH}; gate process CPU "
        f"{gate['gate_cpu_ms']:.2f} ms per decision side by side; stored decision record "
        f"{int(gate['record_bytes'])} bytes")
    inproc = _bench_eval().run(4.0)
    suite.add("in-process evaluate", "full packs", inproc["decisions_per_s"], 1.0,
              unit="decisions/s")
    suite.add("in-process evaluate", "baseline (1 rule)", inproc["baseline_per_s"], 1.0,
              unit="decisions/s")
    suite.ratio("evaluate full / one-rule baseline", ("in-process evaluate", "full packs"),
                ("in-process evaluate", "baseline (1 rule)"))
    await _target_runs(suite, infra)
    # Two gate processes, as two replicas would share the partitions: on two cores already
    # busy with PostgreSQL, Tansu and the load generator, more processes mostly add contention.
    _report(suite, "gate, two processes", await _gate(infra, processes=2))
    _report(suite, f"gate at {LOWER_RATE} req/s", await _gate(infra, rate=LOWER_RATE))
    _report(suite, "echo raw aiokafka", await _raw_echo(infra))
    _report(suite, "echo runtime+outbox", await _runtime_echo(infra))
    suite.notes.append(f"{RATE} requests/s for {WARMUP_SECONDS}s (the cold start, reported apart) "
                       f"then {SECONDS}s (the figures) over {PERSONS} persons, {PARTITIONS} "
                       "partitions; latency = produced -> decision consumed; service in its own "
                       f"process; \"gate\" is the median of {GATE_RUNS} runs by p99")
    return suite
