"""Compliance settings: the shared service settings plus the gate's signing key and the
approval lifetime."""

from __future__ import annotations

from pydantic import Field, model_validator

from goodfaith_runtime.settings import ServiceSettings
from goodfaith_runtime.signing import DEV_SIGNING_KEY


class ComplianceSettings(ServiceSettings):
    # Base64 of the raw 32-byte Ed25519 private key; the dispatcher verifies with its public half
    # (GET /v1/public-key). The development key is refused in production.
    compliance_signing_key: str = DEV_SIGNING_KEY
    # How long an approval may be used after its intended send instant. Never past the end of
    # the person's local day (decisions.md D-23), and shortened when the contact would no longer
    # pass at the end of the validity (see service_layer/approvals.py).
    approval_ttl_seconds: int = Field(600, ge=1, le=86_400)
    # Optimistic-concurrency retries of one decision (another decision for the same person won).
    gate_max_attempts: int = Field(20, ge=1, le=200)

    @model_validator(mode="after")
    def _no_dev_signing_key_in_production(self) -> ComplianceSettings:
        if self.environment == "production" and self.compliance_signing_key == DEV_SIGNING_KEY:
            raise ValueError("production needs GOODFAITH_COMPLIANCE_SIGNING_KEY")
        return self
