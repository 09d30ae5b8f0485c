"""Kafka clients with the settings goodfaith needs, whatever aiokafka's defaults are."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

# Partitions per topic when everything runs on one machine (`make up`, the tests' embedded
# system, `make bench`). Partitions cap how many replicas can share a topic's work, which only
# matters across machines: docker-compose and Kubernetes set GOODFAITH_KAFKA_PARTITIONS=6. On one
# machine each partition of a fetch costs its own transaction and the embedded broker its own
# stored batch: in interleaved pairs of runs of the gate at 500 requests/s, 2 partitions against
# 6 gave the lower p99 in 5 of 7 and a less busy machine in 6 of 7 (docs/benchmarks.md,
# 2026-12-07).
ONE_MACHINE_PARTITIONS = 2


def make_producer(
    bootstrap: str, *, idempotence: bool, client_id: str, linger_ms: int = 2,
    request_timeout_ms: int = 10_000,
) -> AIOKafkaProducer:
    # acks="all": a message counts as published only once every in-sync replica has it.
    # Idempotence is a setting because Tansu lacks InitProducerId; Apache Kafka turns it on.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=idempotence,
        client_id=client_id, linger_ms=linger_ms, request_timeout_ms=request_timeout_ms,
    )


async def ensure_topics(
    bootstrap: str, topics: Iterable[str], *, partitions: int = ONE_MACHINE_PARTITIONS,
    replication: int = 1,
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="goodfaith-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [NewTopic(t, partitions, replication) for t in topics if t not in existing]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(wanted)
    finally:
        await admin.close()
