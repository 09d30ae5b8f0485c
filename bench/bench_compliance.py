"""The compliance gate: (1) in-process `evaluate` decisions/s next to a one-rule baseline;
(2) end-to-end decision latency through Kafka at a fixed request rate, next to two echo
baselines at the same rate on the same broker: a bare aiokafka consume-and-produce loop, and
the runtime's idempotent consumer plus outbox relay with a handler that only appends one event.

Latency is request produced -> decision consumed from goodfaith.contact-decided, measured in one
process with one monotonic clock.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import statistics
import time
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.common import Suite
from compliance.bootstrap import bootstrap
from compliance.config import ComplianceSettings
from compliance.service_layer.facts import Profile
from goodfaith_events.codec import decode, encode
from goodfaith_events.contracts import Topics
from goodfaith_events.envelope import Envelope, EventMessage
from goodfaith_events.ids import new_id
from goodfaith_runtime.clock import SystemClock
from goodfaith_runtime.consumer import Delivery
from goodfaith_runtime.eventstore import Metadata, NewEvent
from goodfaith_runtime.infra import Infra
from goodfaith_runtime.kafka import ensure_topics, make_producer
from goodfaith_runtime.service import ConsumerSpec, ServiceRuntime
from goodfaith_runtime.settings import ServiceSettings

RATE, SECONDS, PERSONS = 500, 10, 1000
SCRIPT = "Hi, this is Sam with Fairway Recovery LLC. This communication is from a debt collector."
EVAL_PY = Path(__file__).resolve().parents[1] / "services" / "compliance" / "bench_eval.py"


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
               "content_text": SCRIPT, "intended_send_at": SystemClock().now().isoformat()}
    envelope = Envelope(type="outreach.ContactRequested", schema_version=1,
                        stream_id=f"outreach/{request_id}", stream_version=1,
                        occurred_at=SystemClock().now(), tenant=tenant, producer="outreach")
    return request_id, EventMessage(envelope=envelope, payload=payload)


async def _drive(
    infra: Infra, source: str, sink: str, messages: list[tuple[str, str, EventMessage]],
) -> dict[str, float]:
    """Produce `messages` to `source` at RATE/s; latency of each id's answer on `sink`."""
    sent: dict[str, float] = {}
    latencies: list[float] = []
    consumer = AIOKafkaConsumer(sink, bootstrap_servers=infra.kafka_bootstrap,
                                group_id=f"bench-{new_id().hex}", auto_offset_reset="latest")
    await consumer.start()
    await asyncio.sleep(1.0)  # let the group settle so "latest" is before our first answer
    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="bench")
    await producer.start()
    done = asyncio.Event()

    async def receive() -> None:
        while not done.is_set() or len(latencies) < len(messages):
            batches = await consumer.getmany(timeout_ms=100)
            now = time.perf_counter()
            for records in batches.values():
                for record in records:
                    key = decode(record.value, record.headers).payload.get("request_id")
                    if key in sent:
                        latencies.append(now - sent.pop(key))
            if done.is_set() and not sent:
                return

    receiver = asyncio.create_task(receive())
    start = time.perf_counter()
    for i, (key, partition_key, message) in enumerate(messages):
        await asyncio.sleep(max(0.0, start + i / RATE - time.perf_counter()))
        record = encode(message, partition_key=partition_key)
        sent[key] = time.perf_counter()
        await producer.send(source, value=record.value, key=record.key, headers=record.headers)
    elapsed = time.perf_counter() - start
    done.set()
    await asyncio.wait_for(receiver, 120)
    answered = time.perf_counter() - start
    await producer.stop()
    await consumer.stop()
    ms = sorted(x * 1000 for x in latencies)
    return {"n": len(ms), "produce_s": elapsed, "answered_s": answered,
            "p50": statistics.median(ms), "p95": ms[int(0.95 * len(ms)) - 1],
            "p99": ms[int(0.99 * len(ms)) - 1], "max": ms[-1]}


async def _gate(infra: Infra) -> dict[str, float]:
    dsn = await infra.create_database("bench_compliance", recreate=True)
    settings = ComplianceSettings(database_url=dsn, kafka_bootstrap=infra.kafka_bootstrap,
                                  environment="test", kafka_partitions=6)
    compliance = bootstrap(settings)
    await compliance.start()
    tenant, persons = "bench", [f"p-{i:05d}" for i in range(PERSONS)]
    try:
        async with compliance.runtime.pool.acquire() as conn:
            for person in persons:
                async with conn.transaction():
                    await compliance.service.record_profile(conn, tenant, _profile(person))
        await _ready(compliance.runtime.kafka_ready)
        await asyncio.sleep(3.0)  # consumer group joins
        messages = [_request(tenant, persons[i % PERSONS]) for i in range(RATE * SECONDS)]
        jobs = [(key, msg.payload["person_id"], msg) for key, msg in messages]
        return await _drive(infra, Topics.CONTACT_REQUESTED, Topics.CONTACT_DECIDED, jobs)
    finally:
        await compliance.stop()


async def _raw_echo(infra: Infra) -> dict[str, float]:
    source, sink = f"bench.echo-in.{new_id().hex[:8]}", f"bench.echo-out.{new_id().hex[:8]}"
    await ensure_topics(infra.kafka_bootstrap, [source, sink], partitions=6)
    consumer = AIOKafkaConsumer(source, bootstrap_servers=infra.kafka_bootstrap,
                                group_id="bench-echo", auto_offset_reset="earliest")
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
                                                 range(RATE * SECONDS))]
        return await _drive(infra, source, sink, jobs)
    finally:
        stop.set()
        await task
        await consumer.stop()
        await producer.stop()


async def _runtime_echo(infra: Infra) -> dict[str, float]:
    """The runtime's consumer + outbox with a handler that appends one published event."""
    dsn = await infra.create_database("bench_compliance_echo", recreate=True)
    settings = ServiceSettings(database_url=dsn, kafka_bootstrap=infra.kafka_bootstrap,
                               environment="test", kafka_partitions=6)
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
    await runtime.start()
    try:
        await _ready(runtime.kafka_ready)
        await asyncio.sleep(3.0)
        jobs = [(key, msg.payload["person_id"], msg) for key, msg in
                (_request("bench", f"p-{i % PERSONS}") for i in range(RATE * SECONDS))]
        return await _drive(infra, "bench.echo-requested", "bench.echo-decided", jobs)
    finally:
        await runtime.stop()


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
        suite.ratios[f"{label} {q} ms"] = round(figures[q], 1)
    if target:
        suite.targets[f"{label} p99 ms"] = "< 50 ms at 500 req/s"
    suite.notes.append(f"{label}: {figures['n']} answers, produced over "
                       f"{figures['produce_s']:.1f}s, max {figures['max']:.0f} ms")


async def run(infra: Infra) -> Suite:
    suite = Suite("compliance")
    inproc = _bench_eval().run(4.0)
    suite.add("in-process evaluate", "full packs", inproc["decisions_per_s"], 1.0,
              unit="decisions/s")
    suite.add("in-process evaluate", "baseline (1 rule)", inproc["baseline_per_s"], 1.0,
              unit="decisions/s")
    suite.ratio("evaluate full / one-rule baseline", ("in-process evaluate", "full packs"),
                ("in-process evaluate", "baseline (1 rule)"))
    _report(suite, "gate", await _gate(infra), target=True)
    _report(suite, "echo raw aiokafka", await _raw_echo(infra))
    _report(suite, "echo runtime+outbox", await _runtime_echo(infra))
    suite.notes.append(f"{RATE} requests/s for {SECONDS}s over {PERSONS} persons, 6 partitions; "
                       "latency = produced -> decision consumed, one process")
    return suite
