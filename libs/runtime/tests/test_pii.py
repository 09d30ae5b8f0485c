"""Crypto-shredding on the real PostgreSQL: erased data reads back masked, chains still verify."""

import base64
import os

import pytest

from goodfaith_runtime.eventstore import Metadata, NewEvent, PostgresEventStore
from goodfaith_runtime.http import idempotent_replay, remember_response, request_fingerprint
from goodfaith_runtime.pii import (
    ERASED,
    KeyringError,
    KeyUnwrapError,
    PersonKey,
    PersonKeyring,
    parse_kek,
    unseal_with,
)

pytestmark = pytest.mark.integration
META = Metadata(tenant="acme", producer="test")


def keyring() -> PersonKeyring:
    return PersonKeyring(parse_kek(base64.b64encode(os.urandom(32)).decode()))


class Acked:
    """A producer that acks every send at once and remembers what it was given."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def send(self, topic, value, key, headers):  # type: ignore[no-untyped-def]
        import asyncio

        self.sent.append(value)
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


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


async def test_erasing_a_person_purges_the_stored_answers_about_them(pool) -> None:
    """Their Idempotency-Key answers become JSON null, the rows kept (status, request hash): the
    key still means "done". Answers about another person or about no one stay."""
    ring, answer = keyring(), {"name": "Jane Roe", "phones": ["+14155550100"]}
    fingerprint = request_fingerprint("POST", "/v1/people", answer)
    async with pool.acquire() as conn:
        await ring.key_for(conn, person_id="acme/p1", tenant="acme")
        for key, subject in (("k1", "acme/p1"), ("k2", "acme/p2"), ("k3", None)):
            await remember_response(conn, tenant="acme", key=key, fingerprint=fingerprint,
                                    status=201, response=answer, subject=subject)
        assert await ring.erase(conn, person_id="acme/p1", tenant="acme")
        assert not await ring.erase(conn, person_id="acme/p1", tenant="acme")  # again: no-op
        assert await idempotent_replay(conn, tenant="acme", key="k1",
                                       fingerprint=fingerprint) == (201, None, "acme/p1")
        rows = await conn.fetch("SELECT key, response, request_hash FROM idempotency_keys "
                                "ORDER BY key")
    assert [(r["key"], r["response"]) for r in rows] == [
        ("k1", None), ("k2", answer), ("k3", answer)]
    assert {bytes(r["request_hash"]) for r in rows} == {fingerprint}


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


@pytest.mark.parametrize("lookalike", [
    "enc:v1:", "enc:v1:abc", "enc:v1:%%%%", "enc:v1:ünï", "enc:v1:" + base64.b64encode(
        b"too short").decode(),
])
def test_a_string_that_only_looks_sealed_is_left_as_it_is(lookalike) -> None:
    # A caller's own id, say: it was never sealed by us, so it is no one's personal field.
    key = PersonKey("p1", os.urandom(32))
    payload = {"id": lookalike, "nested": [{"ref": lookalike}], "n": 1}
    assert unseal_with(key, payload) == payload
    assert unseal_with(None, payload) == payload
    assert key.open(lookalike) is None


def test_a_well_formed_sealed_value_under_another_key_still_reads_as_erased() -> None:
    sealed = PersonKey("p1", os.urandom(32)).seal("Jane Roe")
    assert unseal_with(PersonKey("p1", os.urandom(32)), {"name": sealed}) == {"name": ERASED}
    assert unseal_with(None, {"name": sealed}) == {"name": ERASED}


def test_a_key_the_kek_cannot_unwrap_raises_rather_than_reading_as_erased() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    kek, rotated = AESGCM(os.urandom(32)), AESGCM(os.urandom(32))
    nonce = os.urandom(12)
    wrapped = nonce + kek.encrypt(nonce, os.urandom(32), b"p1")
    assert PersonKey.unwrap(kek, "p1", wrapped).owner == "p1"
    for bad_kek, owner, row in ((rotated, "p1", wrapped), (kek, "p2", wrapped),
                                (kek, "p1", wrapped[:5])):
        with pytest.raises(KeyUnwrapError):
            PersonKey.unwrap(bad_kek, owner, row)
    assert not issubclass(KeyUnwrapError, KeyringError)  # services answer those "erased"


async def test_reads_with_a_wrong_kek_fail_loudly_instead_of_masking(pool) -> None:
    ring = keyring()
    async with pool.acquire() as conn:
        sealed = await ring.seal(conn, person_id="p1", tenant="acme", payload={"name": "Jane"},
                                 fields=["name"])
        with pytest.raises(KeyUnwrapError):
            await keyring().unseal(conn, person_id="p1", payload=sealed)


async def test_a_relay_with_a_wrong_kek_keeps_the_rows_and_publishes_nothing(pool) -> None:
    import asyncio

    from prometheus_client import REGISTRY

    from goodfaith_runtime.outbox import OutboxRelay

    store, ring = PostgresEventStore(pool, producer="test"), keyring()
    async with pool.acquire() as conn:
        sealed = await ring.seal(conn, person_id="p1", tenant="acme",
                                 payload={"stream": "+14155550100", "n": 1}, fields=["stream"])
    await store.append("s", 0, [NewEvent(type="test.Happened", payload=sealed,
                                         publish_to=("t", "p1"), sealed_for="p1")], META)

    async def outbox() -> int:
        async with pool.acquire() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM outbox"))

    producer = Acked()
    wrong = OutboxRelay(pool, producer, service="wrong-kek", keyring=keyring(), idle_sleep=0.01,
                        max_backoff=0.05)
    with pytest.raises(KeyUnwrapError):
        await wrong.publish_pending()

    def failures() -> float:
        return REGISTRY.get_sample_value("goodfaith_outbox_failures_total",
                                         {"service": "wrong-kek"}) or 0.0

    before, stop = failures(), asyncio.Event()
    runner = asyncio.create_task(wrong.run(stop))
    for _ in range(100):
        if failures() >= before + 2:  # failed, and retried
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(runner, 10)
    assert failures() >= before + 2
    assert producer.sent == [] and await outbox() == 1  # nothing "[erased]", nothing lost
    # With the right KEK the same row goes out in clear.
    assert await OutboxRelay(pool, producer, service="test", keyring=ring).publish_pending() == 1
    assert b"+14155550100" in producer.sent[0] and await outbox() == 0
