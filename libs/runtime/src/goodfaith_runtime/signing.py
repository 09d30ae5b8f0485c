"""Ed25519 signatures over gate approvals (architecture, gate protocol step 3).

Compliance signs `approval_signing_bytes(...)` with its private key; the dispatcher verifies with
the public half before anything is sent. Keys travel as base64 of their raw 32 bytes.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from goodfaith_events.contracts import ContactApproved, approval_signing_bytes

# A fixed key for development and tests only; ServiceSettings-based settings refuse it in
# production.
DEV_SIGNING_KEY = base64.b64encode(hashlib.sha256(b"goodfaith-dev-gate-key").digest()).decode()


class SignatureError(ValueError):
    pass


def load_private_key(encoded: str) -> Ed25519PrivateKey:
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(encoded, validate=True))
    except ValueError as exc:
        raise SignatureError("the signing key must be base64 of 32 raw bytes") from exc


def load_public_key(encoded: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(encoded, validate=True))
    except ValueError as exc:
        raise SignatureError("the public key must be base64 of 32 raw bytes") from exc


def public_key_text(private: Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(public: str) -> str:
    """A short, stable name for a public key, so keys can rotate."""
    return hashlib.sha256(public.encode()).hexdigest()[:16]


def sign_approval(
    private: Ed25519PrivateKey, *, request_id: str, person_id: str, channel: str, endpoint: str,
    content_hash: str, expires_at: datetime,
) -> str:
    data = approval_signing_bytes(
        request_id=request_id, person_id=person_id, channel=channel, endpoint=endpoint,
        content_hash=content_hash, expires_at=expires_at.isoformat())
    return base64.b64encode(private.sign(data)).decode()


def verify_approval(
    approval: ContactApproved, public: Ed25519PublicKey, *, now: datetime,
    endpoint: str | None = None, content_hash: str | None = None,
) -> None:
    """Raise SignatureError unless the approval is authentic, unexpired, and (when given) for
    exactly this endpoint and content."""
    data = approval_signing_bytes(
        request_id=approval.request_id, person_id=approval.person_id,
        channel=str(approval.channel), endpoint=approval.endpoint,
        content_hash=approval.content_hash, expires_at=approval.expires_at.isoformat())
    try:
        public.verify(base64.b64decode(approval.signature), data)
    except (InvalidSignature, ValueError) as exc:
        raise SignatureError("the approval's signature is not valid") from exc
    if now >= approval.expires_at:
        raise SignatureError("the approval expired: request a new one")
    if endpoint is not None and endpoint != approval.endpoint:
        raise SignatureError("the approval is for another endpoint")
    if content_hash is not None and content_hash != approval.content_hash:
        raise SignatureError("the approval is for other content")
