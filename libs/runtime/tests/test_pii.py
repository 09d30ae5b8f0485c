"""Crypto-shredding on the real PostgreSQL: erased data reads back masked, chains still verify."""

import base64
import os

import pytest

from goodfaith_runtime.eventstore import Metadata, NewEvent, PostgresEventStore
from goodfaith_runtime.pii import ERASED, KeyringError, PersonKeyring, parse_kek

pytestmark = pytest.mark.integration
META = Metadata(tenant="acme", producer="test")


def keyring() -> PersonKeyring:
    return PersonKeyring(parse_kek(base64.b64encode(os.urandom(32)).decode()))


async def test_erasing_a_person_masks_their_data_and_keeps_every_chain_valid(pool) -> None:
    store, ring = PostgresEventStore(pool, producer="test"), keyring()
    payload = {"name": "Jane Roe", "phones": ["+14155550100"], "state": "CA"}
    async with pool.acquire() as conn:
        sealed = await ring.seal(conn, person_id="p1", tenant="acme", payload=payload,
                                 fields=["name", "phones"])
        other = await ring.seal(conn, person_id="p2", tenant="acme", payload=payload,
                                fields=["name"])
    assert "Jane" not in str(sealed) and sealed["state"] == "CA"
    await store.append("person-p1", 0, [NewEvent(type="t.Registered", payload=sealed)], META)
    await store.append("person-p2", 0, [NewEvent(type="t.Registered", payload=other)], META)
    async with pool.acquire() as conn:
        stored = (await store.read_stream("person-p1", conn=conn)).events[0].payload
        assert await ring.unseal(conn, person_id="p1", payload=stored) == payload
        assert await ring.erase(conn, person_id="p1", tenant="acme")
        masked = await ring.unseal(conn, person_id="p1", payload=stored)
        assert masked == {"name": ERASED, "phones": [ERASED], "state": "CA"}
        still = (await store.read_stream("person-p2", conn=conn)).events[0].payload
        assert (await ring.unseal(conn, person_id="p2", payload=still))["name"] == "Jane Roe"
        with pytest.raises(KeyringError, match="erased"):
            await ring.seal(conn, person_id="p1", tenant="acme", payload=payload, fields=["name"])
    report = await store.verify()
    assert report.ok and report.events == 2


async def test_a_sealed_value_cannot_be_moved_to_another_person(pool) -> None:
    ring = keyring()
    async with pool.acquire() as conn:
        sealed = await ring.seal(conn, person_id="p1", tenant="acme", payload={"name": "Jane"},
                                 fields=["name"])
        await ring.seal(conn, person_id="p2", tenant="acme", payload={"x": "y"}, fields=["x"])
        assert (await ring.unseal(conn, person_id="p2", payload=sealed))["name"] == ERASED


async def test_dotted_paths_seal_nested_fields(pool) -> None:
    ring = keyring()
    payload = {"address": {"lines": ["1 Main St"], "city": "Boston",
                           "time_zone": "America/New_York"}}
    async with pool.acquire() as conn:
        sealed = await ring.seal(conn, person_id="p1", tenant="acme", payload=payload,
                                 fields=["address.lines", "address.city", "absent.path"])
        assert sealed["address"]["time_zone"] == "America/New_York"
        assert "Main" not in str(sealed) and "Boston" not in str(sealed)
        assert payload["address"]["city"] == "Boston"  # the input is not modified
        assert await ring.unseal(conn, person_id="p1", payload=sealed) == payload


def test_the_key_encryption_key_must_be_256_bits() -> None:
    with pytest.raises(KeyringError):
        parse_kek(base64.b64encode(b"short").decode())
    with pytest.raises(KeyringError):
        parse_kek("not base64!")


async def test_a_sealed_public_event_is_published_clear_and_masked_after_erasure(
    pool, infra, topic,
) -> None:
    from aiokafka import AIOKafkaConsumer

    from goodfaith_events.codec import decode
    from goodfaith_runtime.kafka import make_producer
    from goodfaith_runtime.outbox import OutboxRelay

    store, ring = PostgresEventStore(pool, producer="test"), keyring()

    async def append(stream: str, n: int) -> None:
        async with pool.acquire() as conn:
            sealed = await ring.seal(conn, person_id="p1", tenant="acme",
                                     payload={"stream": "+14155550100", "n": n}, fields=["stream"])
        await store.append(stream, 0, [NewEvent(type="test.Happened", payload=sealed,
                                                publish_to=(topic, "p1"), sealed_for="p1")], META)

    producer = make_producer(infra.kafka_bootstrap, idempotence=False, client_id="sealed")
    await producer.start()
    try:
        relay = OutboxRelay(pool, producer, service="test", keyring=ring)
        await append("before", 1)
        await relay.publish_pending()
        await append("after", 2)
        async with pool.acquire() as conn:
            await ring.erase(conn, person_id="p1", tenant="acme")
        await relay.publish_pending()
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=infra.kafka_bootstrap,
                                auto_offset_reset="earliest", fetch_max_wait_ms=10)
    await consumer.start()
    published: dict[int, str] = {}
    try:
        for _ in range(50):
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    payload = decode(record.value, record.headers).payload
                    published[payload["n"]] = payload["stream"]
            if len(published) == 2:
                break
    finally:
        await consumer.stop()
    assert published == {1: "+14155550100", 2: ERASED}
    stored = (await store.read_stream("before")).events[0].payload["stream"]
    assert stored.startswith("enc:v1:")  # the log never held the number in clear
    assert (await store.verify()).ok
