"""Dead letters: their bodies sealed at rest, purged when their subject is erased, and their
resolution by an operator.

A consumer that gives up on a message stores it in the `dead_letters` table, where it can wait
for an operator for days. Its body can hold personal data (the relay publishes personal fields
opened), so a service stores it sealed (`BodySealer`): AES-GCM under a key derived from the
service's key-encryption key (HKDF-SHA256, info "goodfaith dead-letter body v1", so the KEK
itself only ever wraps person keys), a random nonce, and the row's consumer, topic, partition
and offset as associated data, so a body copied to another row does not open there.
`body_sealed` says which rows are sealed; rows stored before (or by a consumer built without a
sealer) hold their body in clear and are read as they are. `body_sha256` is always the hash of
the plain body, the record of what the message was.

Erasure reaches a dead letter through its subject. The relay names the person whose key sealed
a public event's personal fields (the outbox row's `sealed_for`, a pseudonymous keyring id) in
the `goodfaith_data_subject` header of the message it publishes with those fields opened; a
consumer that dead-letters the message stores that id in the row's `subject`. Erasing the
person (`PersonKeyring.erase`) purges, in the same transaction as the key's deletion, the body
of every open dead letter in that database whose subject they are: resolved "erased" by
"erasure", its headers, `body_sha256` and the reason's exception type kept (not its detail,
which may quote the message). A message about a person already erased
is stored that way at once. A purged dead letter can be neither requeued nor discarded.

What this does not cover: the consumer's dead-letter topic (`goodfaith.dlq.<consumer>`) carries
the body as received, like the topic it came from; rows stored before migration 008 have no
subject, nor does a message the relay did not publish with one (a public event without
`sealed_for`, a message from outside): erasure does not find those, and they hold their data
until an operator resolves them. The purge is per database: it reaches the dead letters of the
service whose keyring erases, under the very id the producer's relay sealed for (compliance's
key owner, `<escaped tenant>/<person>`), so a consuming service must erase that id in its own
keyring.
Nor a dead letter committed by a transaction that overlaps the erasure's (neither sees the
other's rows), nor the `dlq_reason` header the dead-letter topic carries (the reason's full
text, like the stored one before the purge).

An operator requeues a dead letter to its topic once its cause is fixed, or discards it, saying
who and why. Either way its body is purged from the table; the row keeps the reason, the
resolution and the body's SHA-256 as the record of what happened to it. Requeuing a sealed body
needs the service's KEK (`goodfaith dead-letters requeue` reads GOODFAITH_PII_KEK, as the
service does); without it, or with another, the requeue is refused and the dead letter stays
open. Listing and discarding need no key.

A requeue sends the message again, unchanged: the same body bytes (opened), same key (so the
same partition and order key), same headers (the subject's included), same event id. The
consumer's inbox recorded a dead-lettered event id as `dead_lettered` so a redelivery would not
be retried forever; the requeue removes that entry first, in its own committed transaction, so
the consumer cannot meet the message while the entry still says "done". Should the requeued
message fail again it is dead-lettered again, as a new row.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from prometheus_client import Gauge

from goodfaith_runtime.clock import Clock, SystemClock
from goodfaith_runtime.pii import parse_kek

# What waits for an operator, which alerting watches: a dead letter is a message the service
# could not apply, so its effect is missing until someone requeues or discards it.
OPEN = Gauge("goodfaith_dead_letters_open",
             "Dead letters no operator has resolved yet (goodfaith dead-letters list)",
             ["service"])
OLDEST_OPEN_AGE = Gauge("goodfaith_dead_letters_oldest_open_seconds",
                        "Age of the oldest dead letter no operator has resolved", ["service"])

# The Kafka header naming a message's data subject: the keyring id of the person whose personal
# fields the relay opened into it. Not `ce_subject`, which CloudEvents gives the stream id.
SUBJECT_HEADER = "goodfaith_data_subject"
# How a dead letter whose subject was erased is resolved, and by whom: no operator.
ERASED, ERASED_BY = "erased", "erasure"


class Sender(Protocol):
    """What a requeue needs of a Kafka producer (aiokafka's AIOKafkaProducer)."""

    async def send(
        self, topic: str, value: bytes, key: bytes | None = None,
        headers: list[tuple[str, bytes | None]] | None = None,
    ) -> Any: ...


class DeadLetterError(Exception):
    """The dead letter is unknown, already resolved, or cannot be requeued as received."""


class SealedBodyError(DeadLetterError):
    """A sealed body that does not open: another (a wrong or rotated) key-encryption key, a
    body moved from another row, or a damaged one. Never answered with a guess at the body."""


# The info string of the body key's derivation: the KEK wraps person keys, and a key derived
# for this one purpose seals dead-letter bodies, so neither use weakens the other.
BODY_KEY_INFO = b"goodfaith dead-letter body v1"
_NONCE = 12


class BodySealer:
    """Seals dead-letter bodies at rest under a key derived from the service's KEK, each bound
    to its row (consumer, topic, partition and offset); stored as nonce | ciphertext | tag."""

    __slots__ = ("_aead",)

    def __init__(self, kek: bytes) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=BODY_KEY_INFO).derive(kek)
        self._aead = AESGCM(key)

    @classmethod
    def from_kek(cls, encoded: str) -> BodySealer:
        """From the base64 KEK as services are configured with it (GOODFAITH_PII_KEK); a
        KeyringError if it is not one."""
        return cls(parse_kek(encoded))

    def seal(self, body: bytes, *, consumer: str, topic: str, partition: int,
             offset: int) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(
            nonce, body, _associated_data(consumer, topic, partition, offset))

    def open(self, sealed: bytes, *, consumer: str, topic: str, partition: int,
             offset: int) -> bytes:
        """The body exactly as received; SealedBodyError unless it was sealed under this key
        for this very row."""
        try:
            return self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:],
                                      _associated_data(consumer, topic, partition, offset))
        except (InvalidTag, ValueError) as exc:  # ValueError: too short to hold a nonce
            raise SealedBodyError(
                "the sealed body does not open with this key-encryption key for this row (a "
                "wrong or rotated KEK, a body moved from another row, or a damaged one)") from exc


def _associated_data(consumer: str, topic: str, partition: int, offset: int) -> bytes:
    """The row a body belongs to, unambiguously (JSON: no name can pass for two)."""
    return json.dumps(["goodfaith dead letter", consumer, topic, partition, offset],
                      separators=(",", ":")).encode()


@dataclass(frozen=True)
class DeadLetter:
    id: int
    consumer: str
    topic: str
    partition: int
    offset: int
    event_id: str | None
    event_type: str | None
    reason: str
    attempts: int
    dead_at: datetime
    resolution: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    note: str | None


_COLUMNS = ("id, consumer, topic, partition, \"offset\", event_id, event_type, reason, attempts, "
            "dead_at, resolution, resolved_by, resolved_at, note")


def _row(row: asyncpg.Record) -> DeadLetter:
    return DeadLetter(*(row[i] for i in range(len(row))))


async def measure_open(conn: asyncpg.Connection, service: str) -> tuple[int, float]:
    """Set the open dead-letter gauges of `service` and return them: how many wait for an
    operator and how long the oldest has waited (0 when none do). A requeue that did not
    finish counts as open, as `open_dead_letters` lists it."""
    row = await conn.fetchrow(
        "SELECT count(*) AS n, coalesce(greatest(0, extract(epoch FROM "
        "clock_timestamp() - min(dead_at))), 0) AS age "
        "FROM dead_letters WHERE resolved_at IS NULL")
    assert row is not None
    count, age = int(row["n"]), float(row["age"])
    OPEN.labels(service).set(count)
    OLDEST_OPEN_AGE.labels(service).set(age)
    return count, age


async def open_dead_letters(
    conn: asyncpg.Connection, *, consumer: str | None = None, limit: int = 100,
) -> list[DeadLetter]:
    """Unresolved dead letters, oldest first (a requeue that did not finish included), without
    their bodies."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM dead_letters WHERE resolved_at IS NULL "
        "AND ($1::text IS NULL OR consumer = $1) ORDER BY id LIMIT $2", consumer, limit)
    return [_row(r) for r in rows]


_REASON_ERASED = ": [detail erased with the data subject]"


async def purge_subject(conn: asyncpg.Connection, subject: str, now: datetime) -> int:
    """Purge the body of every open dead letter about `subject`, who is being erased (called by
    `PersonKeyring.erase` in its transaction); how many. Resolved ones are left as they are:
    their body is already gone, and their record says who resolved them and how.

    By subject alone, not by tenant: a dead letter's tenant is only what its message's
    `ce_tenant` header claims, and a dead letter is a message that could not be trusted to
    apply, so a row missed for a missing or odd header would keep an erased person's data. The
    subject is a keyring id, unique in the database whatever the tenant (person_keys and
    erased_persons are keyed by it alone) and tenant-qualified by the services that mint it."""
    # The reason keeps its exception type only: its detail is the handler's exception text,
    # which may quote the message (validation errors never do, consumer._reason).
    purged = await conn.fetchval(
        "WITH purged AS (UPDATE dead_letters SET body = NULL, resolution = $2, "
        "resolved_by = $3, resolved_at = $4, reason = split_part(reason, ':', 1) || $5 "
        "WHERE subject = $1 AND resolved_at IS NULL RETURNING 1) SELECT count(*) FROM purged",
        subject, ERASED, ERASED_BY, now, _REASON_ERASED)
    return int(purged)


async def _locked(conn: asyncpg.Connection, dead_letter_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(
        "SELECT consumer, topic, partition, \"offset\", key, raw_headers, body, body_sealed, "
        "event_id, resolution, resolved_at FROM dead_letters WHERE id = $1 FOR UPDATE",
        dead_letter_id)
    if row is None:
        raise DeadLetterError(f"no dead letter {dead_letter_id}")
    if row["resolution"] == ERASED:
        raise DeadLetterError(
            f"dead letter {dead_letter_id} was erased with its data subject: its body is gone "
            "for good, so it can be neither requeued nor discarded")
    if row["resolved_at"] is not None:
        raise DeadLetterError(f"dead letter {dead_letter_id} was already {row['resolution']}")
    return row


async def _resolve(
    conn: asyncpg.Connection, dead_letter_id: int, resolution: str, by: str, note: str | None,
    now: datetime,
) -> DeadLetter:
    """Resolve an open dead letter; one resolved meanwhile (an erasure that met a requeue in
    flight) keeps its resolution, and is returned as it is."""
    row = await conn.fetchrow(
        "UPDATE dead_letters SET resolution = $2, resolved_by = $3, resolved_at = $4, "
        f"note = $5, body = NULL WHERE id = $1 AND resolved_at IS NULL RETURNING {_COLUMNS}",
        dead_letter_id, resolution, by, now, note)
    if row is None:
        row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM dead_letters WHERE id = $1",
                                  dead_letter_id)
    return _row(row)


def _who(by: str) -> str:
    if not by.strip():
        raise DeadLetterError("say who resolves the dead letter")
    return by.strip()


async def discard(
    pool: asyncpg.Pool, dead_letter_id: int, *, by: str, note: str,
    clock: Clock | None = None,
) -> DeadLetter:
    """Give the message up for good: it will not be applied (a redelivery stays skipped)."""
    if not note.strip():
        raise DeadLetterError("say why the dead letter is discarded")
    async with pool.acquire() as conn, conn.transaction():
        await _locked(conn, dead_letter_id)
        return await _resolve(conn, dead_letter_id, "discarded", _who(by), note.strip(),
                              (clock or SystemClock()).now())


def _requeueable(row: asyncpg.Record, dead_letter_id: int, sealer: BodySealer | None) -> bytes:
    """The body to send again, as received; DeadLetterError if there is none to send."""
    if row["body"] is None or row["raw_headers"] is None:
        raise DeadLetterError(
            f"dead letter {dead_letter_id} was stored without its body or its headers "
            "as received: requeue it from the consumer's dead-letter topic")
    return _opened(row, dead_letter_id, sealer)


def _opened(row: asyncpg.Record, dead_letter_id: int, sealer: BodySealer | None) -> bytes:
    """The stored body as received: opened if it was sealed."""
    body = bytes(row["body"])
    if not row["body_sealed"]:
        return body
    if sealer is None:
        raise DeadLetterError(
            f"dead letter {dead_letter_id}'s body is sealed under the service's key-encryption "
            "key: requeue it with that key (GOODFAITH_PII_KEK)")
    try:
        return sealer.open(body, consumer=row["consumer"], topic=row["topic"],
                           partition=row["partition"], offset=row["offset"])
    except SealedBodyError as exc:
        raise SealedBodyError(f"dead letter {dead_letter_id}: {exc}") from exc


async def check_requeue(
    pool: asyncpg.Pool, dead_letter_id: int, *, sealer: BodySealer | None = None,
) -> None:
    """Refuse now what `requeue` would refuse before sending (unknown, resolved, erased, stored
    without its body, sealed and no key or another), so a caller can ask before it connects to
    the broker. Changes nothing; `requeue` checks again under the row's lock."""
    async with pool.acquire() as conn, conn.transaction():
        _requeueable(await _locked(conn, dead_letter_id), dead_letter_id, sealer)


async def requeue(
    pool: asyncpg.Pool, producer: Sender, dead_letter_id: int, *, by: str,
    note: str | None = None, clock: Clock | None = None, sealer: BodySealer | None = None,
) -> DeadLetter:
    """Send the message to its topic again, as received, and purge the stored body once the
    broker has it. A failed send leaves the dead letter open, its body kept. A sealed body is
    opened with `sealer` (the service's KEK); without it, or when it does not open, the requeue
    is refused before anything changes. Should the subject be erased while the message is on its
    way, the row keeps its erasure (the send could not be taken back)."""
    who, clock = _who(by), clock or SystemClock()
    async with pool.acquire() as conn:
        async with conn.transaction():
            row = await _locked(conn, dead_letter_id)
            body = _requeueable(row, dead_letter_id, sealer)
            await conn.execute("UPDATE dead_letters SET resolution = 'requeuing' WHERE id = $1",
                               dead_letter_id)
            await _forget_dead_lettered(conn, row["consumer"], row["event_id"])
        try:
            future = await producer.send(
                row["topic"], value=body,
                key=None if row["key"] is None else bytes(row["key"]),
                headers=_headers(row["raw_headers"]))
            await future
        except BaseException:
            await conn.execute(
                "UPDATE dead_letters SET resolution = NULL WHERE id = $1 AND resolved_at IS NULL",
                dead_letter_id)
            raise
        async with conn.transaction():
            return await _resolve(conn, dead_letter_id, "requeued", who, note, clock.now())


async def _forget_dead_lettered(
    conn: asyncpg.Connection, consumer: str, event_id: str | None,
) -> None:
    """The inbox's `dead_lettered` entry, so the requeued message is applied, not skipped.
    An entry the message reached later (applied) stays: a requeue never applies twice."""
    if event_id is None:
        return
    try:
        parsed = uuid.UUID(event_id)
    except ValueError:
        return  # not a UUID: the inbox never recorded it
    await conn.execute(
        "DELETE FROM processed_messages WHERE consumer = $1 AND event_id = $2 "
        "AND outcome = 'dead_lettered'", consumer, parsed)


def _headers(stored: Any) -> list[tuple[str, bytes | None]]:
    return [(name, None if value is None else base64.b64decode(value)) for name, value in stored]
