"""The gate's Ed25519 approval signer (goodfaith_runtime.signing)."""

from __future__ import annotations

from compliance.service_layer.records import Signature
from compliance.service_layer.state import Approval
from goodfaith_runtime.signing import key_id, load_private_key, public_key_text, sign_approval


class ApprovalSigner:
    def __init__(self, private_key: str) -> None:
        self._private = load_private_key(private_key)
        self.public_key = public_key_text(self._private)
        self.key_id = key_id(self.public_key)

    def sign(self, approval: Approval, *, person_id: str, endpoint: str) -> Signature:
        signature = sign_approval(
            self._private, request_id=approval.request_id, person_id=person_id,
            channel=approval.channel, endpoint=endpoint, content_hash=approval.content_hash,
            expires_at=approval.expires_at)
        return Signature(self.key_id, signature)
