"""Sealing with a person's data key already in hand.

The gate's hot path reads the person's wrapped key in the same query as the person's snapshot
(one round trip instead of one per seal or unseal), unwraps it with the service's
key-encryption key and seals with it here. The format is exactly goodfaith_runtime.pii's
(`enc:v1:` + base64(nonce | AES-GCM ciphertext), the key owner as associated data), so the
keyring opens what this seals and the other way round (tests/integration/test_snapshots.py
checks both directions). No key is cached: it lives for one decision, so an erasure takes effect
at the next decision exactly as with the keyring.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from goodfaith_runtime.pii import PREFIX


class PersonKey:
    """One person's unwrapped data key, for one decision."""

    __slots__ = ("_aad", "_aead", "owner")

    def __init__(self, owner: str, key: bytes) -> None:
        self.owner = owner
        self._aad = owner.encode()
        self._aead = AESGCM(key)

    @classmethod
    def unwrap(cls, kek: AESGCM, owner: str, wrapped: bytes) -> PersonKey | None:
        try:
            key = kek.decrypt(wrapped[:12], wrapped[12:], owner.encode())
        except InvalidTag:
            return None
        return cls(owner, key)

    def seal(self, value: str) -> str:
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, value.encode(), self._aad)
        return PREFIX + base64.b64encode(sealed).decode()

    def open(self, value: str) -> str | None:
        """The clear text, or None when it is not sealed under this key."""
        if not value.startswith(PREFIX):
            return None
        raw = base64.b64decode(value[len(PREFIX):])
        try:
            return self._aead.decrypt(raw[:12], raw[12:], self._aad).decode()
        except InvalidTag:
            return None

    def seal_fields(self, payload: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
        """Like PersonKeyring.seal: a copy with the named (dotted) fields' strings sealed."""
        sealed = dict(payload)
        for path in fields:
            _seal_path(sealed, path.split("."), self.seal)
        return sealed


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
