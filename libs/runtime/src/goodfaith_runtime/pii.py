"""Personal data: field-level encryption under a per-person key, and crypto-shredding.

Each person gets a random 256-bit data key, stored wrapped (AES-GCM) by the service's
key-encryption key. Personal fields are stored as `enc:v1:<base64(nonce|ciphertext)>`, with the
person id as associated data so a value cannot be moved to another person. Erasing a person
deletes the key: the ciphertext stays in the immutable log (so every hash chain still verifies)
but reads back masked as "[erased]". Erasing also purges the bodies of the dead letters about
the person (see deadletters.py) and the stored Idempotency-Key answers about them (http.py).
Erased means the key row is gone, never that the key-encryption key failed to unwrap it: that
raises KeyUnwrapError.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from typing import Any

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from goodfaith_runtime.clock import Clock, SystemClock

PREFIX = "enc:v1:"
ERASED = "[erased]"
# A nonce and an AES-GCM tag: the shortest sealed value (the empty string's).
_SHORTEST_SEALED = 12 + 16


class KeyringError(Exception):
    pass


class PersonErased(KeyringError):
    """The person was erased: their key is gone and new personal data is refused."""


class KeyUnwrapError(Exception):
    """A stored data key the key-encryption key cannot unwrap: a wrong or rotated KEK, or a
    damaged row. The person was not erased, so nothing may be masked or published as
    "[erased]": the read or the relay's round fails and is retried once the KEK is right.
    Deliberately not a KeyringError, which services answer as "person erased"."""


def _unwrap(kek: AESGCM, owner: str, wrapped: bytes) -> bytes:
    try:
        return kek.decrypt(wrapped[:12], wrapped[12:], owner.encode())
    except (InvalidTag, ValueError) as exc:  # ValueError: too short to hold a nonce
        # The owner is a person id: kept out of the message, which may be logged.
        raise KeyUnwrapError("a stored data key cannot be unwrapped with this key-encryption "
                             "key (a wrong or rotated KEK, or a damaged key row)") from exc


def parse_kek(encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except ValueError as exc:
        raise KeyringError("the key-encryption key must be base64") from exc
    if len(key) != 32:
        raise KeyringError("the key-encryption key must be 32 bytes (256 bits)")
    return key


class PersonKey:
    """One person's unwrapped data key, held for one unit of work. Services on a hot path that
    already fetched the wrapped key (in the same query as their other reads) unwrap it here
    instead of asking the keyring again. Never cache it across units of work: erasure must take
    effect at the next one."""

    __slots__ = ("_aad", "_aead", "owner")

    def __init__(self, owner: str, key: bytes) -> None:
        self.owner = owner
        self._aad = owner.encode()
        self._aead = AESGCM(key)

    @classmethod
    def unwrap(cls, kek: AESGCM, owner: str, wrapped: bytes) -> PersonKey:
        """The key of a key row; KeyUnwrapError if `kek` cannot unwrap it (no key row, and
        only that, means erased)."""
        return cls(owner, _unwrap(kek, owner, wrapped))

    def seal(self, value: str) -> str:
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, value.encode(), self._aad)
        return PREFIX + base64.b64encode(sealed).decode()

    def open(self, value: str) -> str | None:
        """The clear text, or None when it is not sealed under this key (or not sealed text)."""
        raw = _sealed_bytes(value)
        return self._decrypt(raw) if raw is not None else None

    def _decrypt(self, raw: bytes) -> str | None:
        try:
            return self._aead.decrypt(raw[:12], raw[12:], self._aad).decode()
        except InvalidTag:
            return None

    def seal_fields(self, payload: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
        """A copy with the named fields' strings sealed: a top-level key or a dotted path
        ("address.lines"), whose value may be a string or lists/dicts of strings."""
        sealed = dict(payload)
        for path in fields:
            _seal_path(sealed, path.split("."), self.seal)
        return sealed


def mask_fields(payload: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """A copy with the named fields' strings (paths as in `PersonKey.seal_fields`) replaced by
    "[erased]": what a record about an erased person keeps of its personal data."""
    masked = dict(payload)
    for path in fields:
        _seal_path(masked, path.split("."), lambda _: ERASED)
    return masked


def unseal_with(key: PersonKey | None, payload: dict[str, Any]) -> dict[str, Any]:
    """A copy of `payload` with every sealed string opened with `key`, or masked as "[erased]"
    when the key is gone (None) or is not the one it was sealed under."""
    if not _contains_sealed(payload):
        return payload
    return {k: _map_strings(v, lambda s: _open_or_mask(key, s)) for k, v in payload.items()}


def _open_or_mask(key: PersonKey | None, value: str) -> str:
    raw = _sealed_bytes(value)
    if raw is None:
        # Not sealed text, only alike (a caller's own id, say): never sealed by us, so it is
        # no one's personal field. Left as it is, rather than fail every read of it.
        return value
    opened = key._decrypt(raw) if key is not None else None
    return ERASED if opened is None else opened


def _sealed_bytes(value: str) -> bytes | None:
    """Nonce and ciphertext of a well-formed sealed value; None for any other string."""
    if not value.startswith(PREFIX):
        return None
    try:
        raw = base64.b64decode(value[len(PREFIX):], validate=True)
    except ValueError:  # binascii.Error, or text that is not ASCII
        return None
    return raw if len(raw) >= _SHORTEST_SEALED else None


class PersonKeyring:
    def __init__(self, kek: bytes, clock: Clock | None = None) -> None:
        self.kek = AESGCM(kek)
        self._clock = clock or SystemClock()

    async def _key(
        self, conn: asyncpg.Connection, person_id: str, tenant: str | None,
    ) -> bytes | None:
        row = await conn.fetchrow(
            "SELECT tenant, wrapped_key FROM person_keys WHERE person_id = $1", person_id)
        if row is not None:
            return _unwrap(self.kek, person_id, bytes(row["wrapped_key"]))
        if tenant is None:
            return None
        if await conn.fetchval("SELECT 1 FROM erased_persons WHERE person_id = $1", person_id):
            raise PersonErased("this person was erased; new personal data is refused")
        key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        wrapped = nonce + self.kek.encrypt(nonce, key, person_id.encode())
        await conn.execute(
            "INSERT INTO person_keys (person_id, tenant, wrapped_key, created_at) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT (person_id) DO NOTHING",
            person_id, tenant, wrapped, self._clock.now())
        return await self._key(conn, person_id, None)

    async def key_for(
        self, conn: asyncpg.Connection, *, person_id: str, tenant: str,
    ) -> PersonKey:
        """The person's key, created with their first personal datum; PersonErased once the
        person was erased."""
        key = await self._key(conn, person_id, tenant)
        assert key is not None
        return PersonKey(person_id, key)

    async def seal(
        self, conn: asyncpg.Connection, *, person_id: str, tenant: str,
        payload: dict[str, Any], fields: Iterable[str],
    ) -> dict[str, Any]:
        """A copy of `payload` with the named fields encrypted. A field is a top-level key or a
        dotted path ("address.lines"); its value may be a string or lists/dicts of strings."""
        key = await self.key_for(conn, person_id=person_id, tenant=tenant)
        return key.seal_fields(payload, fields)

    async def unseal(
        self, conn: asyncpg.Connection, *, person_id: str, payload: dict[str, Any],
    ) -> dict[str, Any]:
        """A copy of `payload` with every sealed string decrypted, or masked once erased."""
        if not _contains_sealed(payload):
            return payload
        raw = await self._key(conn, person_id, None)
        return unseal_with(PersonKey(person_id, raw) if raw is not None else None, payload)

    async def erase(self, conn: asyncpg.Connection, *, person_id: str, tenant: str) -> bool:
        """Crypto-shred: destroy the person's key, and purge the body of every open dead letter
        about them (`deadletters.purge_subject`) and every stored Idempotency-Key answer about
        them (`http.purge_answers_about`), all in one transaction. Returns False if the key was
        already gone (the purges run all the same: a retry purges what came since)."""
        # Here, not at the top: both modules import this one (parse_kek; problems, KeyUnwrapError).
        from goodfaith_runtime.deadletters import purge_subject
        from goodfaith_runtime.http import purge_answers_about

        now = self._clock.now()
        async with conn.transaction():
            deleted = await conn.fetchval(
                "DELETE FROM person_keys WHERE person_id = $1 AND tenant = $2 RETURNING 1",
                person_id, tenant)
            await conn.execute(
                "INSERT INTO erased_persons (person_id, tenant, erased_at) VALUES ($1, $2, $3) "
                "ON CONFLICT DO NOTHING", person_id, tenant, now)
            await purge_subject(conn, person_id, now)
            await purge_answers_about(conn, person_id)
        return bool(deleted)


def _seal_path(container: dict[str, Any], parts: list[str], fn: Any) -> None:
    head, rest = parts[0], parts[1:]
    if head not in container or container[head] is None:
        return
    if not rest:
        container[head] = _map_strings(container[head], fn)
    elif isinstance(container[head], dict):
        container[head] = dict(container[head])
        _seal_path(container[head], rest, fn)


def _map_strings(value: Any, fn: Any) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    return value


def _contains_sealed(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith(PREFIX)
    if isinstance(value, list):
        return any(_contains_sealed(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_sealed(v) for v in value.values())
    return False
