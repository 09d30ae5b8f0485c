"""The load generator's Kafka clients: librdkafka (confluent-kafka), not the services' aiokafka.

The load generator stands for outreach sending requests and the dispatcher reading answers,
which in production run on machines of their own. Here it shares two cores with the service it
measures, so every millisecond it spends is taken from the subject. librdkafka does its
protocol work in C threads: on Tansu at 500 messages/s it costs ~0.09 ms of CPU per message
produced and consumed against aiokafka's ~0.23 ms, with the same latency (docs/benchmarks.md,
2026-12-07, fourth session). The services under test keep aiokafka; only the measuring side
changed.

Answers are read with assign() at the partitions' high watermarks, not through a consumer
group: the measuring side owns no offsets, and a group join costs seconds on Tansu.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from confluent_kafka import (
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)

from goodfaith_events.codec import KafkaRecord

_COMMON = {"socket.nagle.disable": True}


class Requests:
    """Produces records as the load generator's schedule says; delivery is checked at close."""

    def __init__(self, bootstrap: str, *, linger_ms: int = 2) -> None:
        # acks=all and a 2 ms linger, as the aiokafka load generator had (kafka.make_producer).
        self._producer = Producer({
            **_COMMON, "bootstrap.servers": bootstrap, "acks": "all",
            "enable.idempotence": False, "linger.ms": linger_ms, "client.id": "bench"})
        self._failed: list[str] = []

    def send(self, topic: str, record: KafkaRecord) -> None:
        self._producer.produce(topic, value=record.value, key=record.key,
                               headers=list(record.headers), on_delivery=self._delivered)
        self._producer.poll(0)  # serve the delivery reports that are in, without waiting

    def _delivered(self, error: KafkaError | None, _: Message) -> None:
        if error is not None:
            self._failed.append(str(error))

    def close(self) -> None:
        left = self._producer.flush(30)
        if left or self._failed:
            raise RuntimeError(f"{left} requests undelivered, failures: {self._failed[:3]}")


class Answers:
    """Reads `topic` from its current end in a thread of its own and calls
    `on_answer(value, perf_counter())` for each message as it arrives."""

    def __init__(self, bootstrap: str, topic: str, on_answer: Callable[[bytes, float], None],
                 *, fetch_wait_ms: int) -> None:
        self._consumer = Consumer({**_COMMON, "bootstrap.servers": bootstrap,
                                    "group.id": "bench-answers", "enable.auto.commit": False,
                                    "fetch.wait.max.ms": fetch_wait_ms})
        partitions = self._consumer.list_topics(topic, timeout=10).topics[topic].partitions
        ends = [TopicPartition(topic, p, self._consumer.get_watermark_offsets(
            TopicPartition(topic, p), timeout=10)[1]) for p in sorted(partitions)]
        self._consumer.assign(ends)
        self._on_answer = on_answer
        self._stop = threading.Event()
        self._error: KafkaError | None = None
        self._thread = threading.Thread(target=self._read, name="bench-answers", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            message = self._consumer.poll(0.1)
            if message is None:
                continue
            error = message.error()
            if error is not None:
                self._error = self._error or error
                continue
            self._on_answer(message.value() or b"", time.perf_counter())

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self._consumer.close()
        if self._error is not None:
            raise KafkaException(self._error)
