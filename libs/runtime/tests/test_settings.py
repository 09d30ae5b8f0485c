"""Settings refuse the development secrets (and Kafka without idempotence) in production."""

import base64
import os

import pytest
from pydantic import ValidationError

from goodfaith_runtime.settings import (
    DEV_CASE_FILE_SIGNING_KEY,
    DEV_JWT_SECRET,
    DEV_PII_KEK,
    ServiceSettings,
)

JWT_KEY = "a-production-signing-key-of-enough-length-0123"
KEK = base64.b64encode(os.urandom(32)).decode()
CASE_FILE_KEY = base64.b64encode(os.urandom(32)).decode()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch) -> None:
    for name in list(os.environ):
        if name.startswith("GOODFAITH_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GOODFAITH_DATABASE_URL", "postgresql://db/service")


def production(**overrides: object) -> ServiceSettings:
    # The KEK last: an error quoting its input would end with it (pydantic elides the middle).
    values: dict[str, object] = {"environment": "production", "kafka_idempotence": True,
                                 "jwt_key": JWT_KEY, "case_file_signing_key": CASE_FILE_KEY,
                                 "pii_kek": KEK, **overrides}
    return ServiceSettings(**values)  # type: ignore[arg-type]


def test_production_with_its_own_secrets_is_accepted() -> None:
    settings = production()
    assert (settings.jwt_key, settings.pii_kek) == (JWT_KEY, KEK)
    assert settings.case_file_signing_key == CASE_FILE_KEY


@pytest.mark.parametrize("overrides, refusal", [
    ({"jwt_key": DEV_JWT_SECRET}, r"set GOODFAITH_JWT_KEY \["),
    ({"pii_kek": DEV_PII_KEK}, r"set GOODFAITH_PII_KEK \["),
    ({"jwt_key": DEV_JWT_SECRET, "pii_kek": DEV_PII_KEK},
     r"set GOODFAITH_JWT_KEY and GOODFAITH_PII_KEK \["),
    ({"case_file_signing_key": DEV_CASE_FILE_SIGNING_KEY},
     r"set GOODFAITH_CASE_FILE_SIGNING_KEY \["),
    ({"kafka_idempotence": False}, "GOODFAITH_KAFKA_IDEMPOTENCE"),
])
def test_production_refuses_development_secrets_and_kafka_without_idempotence(
        overrides: dict[str, object], refusal: str) -> None:
    with pytest.raises(ValidationError, match=refusal) as refused:
        production(**overrides)
    # The error never quotes a secret.
    for secret in (JWT_KEY, KEK, CASE_FILE_KEY, JWT_KEY[-8:], KEK[-8:], CASE_FILE_KEY[-8:]):
        assert secret not in str(refused.value)


def test_production_from_the_environment_alone_refuses_the_defaults(monkeypatch) -> None:
    # A deployment that sets the environment but forgets the secrets gets the defaults.
    monkeypatch.setenv("GOODFAITH_ENVIRONMENT", "production")
    monkeypatch.setenv("GOODFAITH_KAFKA_IDEMPOTENCE", "true")
    with pytest.raises(ValidationError, match="GOODFAITH_JWT_KEY and GOODFAITH_PII_KEK and "
                                              "GOODFAITH_CASE_FILE_SIGNING_KEY"):
        ServiceSettings()
    monkeypatch.setenv("GOODFAITH_JWT_KEY", JWT_KEY)
    with pytest.raises(ValidationError, match="set GOODFAITH_PII_KEK"):
        ServiceSettings()  # the signing key alone is not enough
    monkeypatch.setenv("GOODFAITH_PII_KEK", KEK)
    with pytest.raises(ValidationError, match=r"set GOODFAITH_CASE_FILE_SIGNING_KEY \["):
        ServiceSettings()
    monkeypatch.setenv("GOODFAITH_CASE_FILE_SIGNING_KEY", CASE_FILE_KEY)
    assert ServiceSettings().environment == "production"


@pytest.mark.parametrize("environment", ["development", "test"])
def test_development_and_test_run_on_the_development_secrets(environment: str) -> None:
    settings = ServiceSettings(environment=environment)  # type: ignore[arg-type]
    assert (settings.jwt_key, settings.pii_kek) == (DEV_JWT_SECRET, DEV_PII_KEK)
    assert settings.case_file_signing_key == DEV_CASE_FILE_SIGNING_KEY


def test_a_case_file_signing_key_that_is_no_ed25519_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="base64 of 32 raw bytes") as refused:
        ServiceSettings(case_file_signing_key="c2hvcnQ=")
    assert "c2hvcnQ=" not in str(refused.value)
