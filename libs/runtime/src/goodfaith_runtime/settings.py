"""Service settings from the environment (pydantic-settings). OTEL_* variables are read by
OpenTelemetry itself."""

from __future__ import annotations

import base64
import hashlib
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from goodfaith_runtime.kafka import ONE_MACHINE_PARTITIONS
from goodfaith_runtime.signing import load_private_key

DEV_JWT_SECRET = "goodfaith-development-secret-change-me-0123456789"
# 32 zero bytes: fine for a laptop, refused anywhere else.
DEV_PII_KEK = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
# An Ed25519 key anyone can read (SHA-256 of a fixed text): case files signed with it prove
# nothing, so production refuses it.
DEV_CASE_FILE_SIGNING_KEY = base64.b64encode(
    hashlib.sha256(b"goodfaith-dev-case-file-key").digest()).decode()


class ServiceSettings(BaseSettings):
    # hide_input_in_errors: a refused configuration's error (logged by a failed start) would
    # otherwise quote the input, secrets included.
    model_config = SettingsConfigDict(env_prefix="GOODFAITH_", extra="ignore",
                                      hide_input_in_errors=True)

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(description="PostgreSQL DSN of this service's own database, as "
                              "the role the running service uses")
    # The owner of the schema, for migrations only; the service's pool then runs as the role
    # of database_url, granted only what it needs (db.grant_runtime_role). Unset, migrations
    # run as database_url's role, which then owns the tables: the weaker setup, kept so that
    # existing deployments go on working (that role can switch the event log's triggers off).
    migration_database_url: str | None = Field(
        None, description="PostgreSQL DSN of the schema's owner, for migrations")
    kafka_bootstrap: str = "127.0.0.1:9092"
    # Tansu cannot do InitProducerId; Apache Kafka should run with idempotence on.
    kafka_idempotence: bool = False
    # For the topics a service creates if they are missing (see kafka.ONE_MACHINE_PARTITIONS).
    kafka_partitions: int = Field(ONE_MACHINE_PARTITIONS, ge=1, le=1000)
    kafka_fetch_max_wait_ms: int = Field(10, ge=1, le=1000)
    # Consumers whose messages nobody waits on (ConsumerSpec.background) fetch less often: an
    # idle consumer fetching every 10 ms cost the embedded broker ~5% of a core, ~1.4% at 100 ms.
    kafka_background_fetch_max_wait_ms: int = Field(100, ge=1, le=1000)
    # For background consumers: a fetch of at most this many records is applied in one
    # transaction, whatever partitions it spans; a larger one partition by partition, side by
    # side (consumer.fetch_groups). Consumers someone waits on never combine: it cost the gate
    # latency (docs/benchmarks.md, 2026-12-07).
    kafka_combine_records: int = Field(16, ge=0, le=10_000)
    jwt_key: str = DEV_JWT_SECRET
    jwt_algorithms: list[str] = ["HS256"]
    jwt_audience: str = "goodfaith"
    jwt_issuer: str = "goodfaith-dev"
    pii_kek: str = DEV_PII_KEK
    # Base64 of the raw 32-byte Ed25519 private key that signs the case files this service
    # exports (POST /v1/case-files); one key for the deployment, so a recipient trusts one
    # public key (GET /v1/case-files/signing-key, or the operator's published copy).
    case_file_signing_key: str = DEV_CASE_FILE_SIGNING_KEY
    log_level: str = "INFO"
    run_background: bool = Field(True, description="Run the outbox relay and consumers")
    freeze_heap: bool = Field(
        True, description="Freeze start-up objects out of full GC passes (see heap.py)")

    @field_validator("case_file_signing_key")
    @classmethod
    def _an_ed25519_key(cls, value: str) -> str:
        load_private_key(value)  # a SignatureError (a ValueError) names what is wrong
        return value

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> ServiceSettings:
        if self.environment == "production":
            defaults = [name for name, value, dev in (
                ("GOODFAITH_JWT_KEY", self.jwt_key, DEV_JWT_SECRET),
                ("GOODFAITH_PII_KEK", self.pii_kek, DEV_PII_KEK),
                ("GOODFAITH_CASE_FILE_SIGNING_KEY", self.case_file_signing_key,
                 DEV_CASE_FILE_SIGNING_KEY)) if value == dev]
            if defaults:
                raise ValueError(f"production refuses the development secrets: set "
                                 f"{' and '.join(defaults)}")
            if not self.kafka_idempotence:
                raise ValueError("production runs Apache Kafka with GOODFAITH_KAFKA_IDEMPOTENCE")
        return self
