import json
import re
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from goodfaith_events import Envelope, EventMessage
from goodfaith_events.codec import CodecError, decode, encode
from goodfaith_events.contracts import REGISTRY, InvoiceOverdue, Money
from goodfaith_events.registry import ContractError, Registry
from goodfaith_events.schemas import SCHEMA_DIR, generate, incompatibilities


def _message(payload: dict) -> EventMessage:
    env = Envelope(
        type="ledger.InvoiceOverdue", schema_version=1, stream_id="debt-1", stream_version=3,
        occurred_at=datetime(2026, 11, 26, 12, tzinfo=UTC), tenant="acme", producer="ledger",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )
    return EventMessage(envelope=env, payload=payload)


def test_codec_round_trips_envelope_and_payload() -> None:
    message = _message({"debt_id": "d1", "outstanding": {"amount_minor": 1250, "currency": "USD"}})
    record = encode(message, partition_key="debt-1")
    headers = dict(record.headers)
    assert headers["ce_specversion"] == b"1.0"
    assert headers["traceparent"].startswith(b"00-0af7")
    assert record.key == b"debt-1"
    assert decode(record.value, record.headers) == message


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda h, v: ([x for x in h if x[0] != "ce_type"], v), "missing CloudEvents headers"),
        (lambda h, v: (h, b"{not json"), "not JSON"),
        (lambda h, v: (h, b"[1,2]"), "JSON object"),
        (lambda h, v: ([(k, b"0.3" if k == "ce_specversion" else x) for k, x in h], v), "1.0"),
        (lambda h, v: ([(k, b"yesterday" if k == "ce_time" else x) for k, x in h], v), "envelope"),
        (lambda h, v: ([(k, b"abc" if k == "ce_id" else x) for k, x in h], v), "envelope"),
    ],
)
def test_decode_refuses_malformed_records_with_a_reason(mutate, reason) -> None:
    record = encode(_message({"a": 1}), partition_key="k")
    headers, value = mutate(record.headers, record.value)
    with pytest.raises(CodecError, match=reason):
        decode(value, headers)


def test_encode_refuses_float_money() -> None:
    with pytest.raises(CodecError, match="float"):
        encode(_message({"amount": 12.5}), partition_key="k")


def test_envelope_refuses_naive_and_non_utc_times() -> None:
    from datetime import timedelta, timezone

    for when in (datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2)))):
        with pytest.raises(ValidationError):
            Envelope(type="x", schema_version=1, stream_id="s", stream_version=1,
                     occurred_at=when, tenant="t", producer="p")


def test_money_refuses_floats() -> None:
    with pytest.raises(ValidationError):
        Money(amount_minor=12.5, currency="USD")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Money(amount_minor=1250, currency="usd")


def test_old_schema_versions_are_upcast_on_read() -> None:
    class V2(BaseModel):
        name: str
        amount_minor: int

    registry = Registry()
    registry.register(V2, name="test.Thing", version=2, topic="t")

    @registry.upcaster("test.Thing", from_version=1)
    def _add_amount(payload: dict) -> dict:
        return {**payload, "amount_minor": 0}

    assert registry.parse("test.Thing", 1, {"name": "x"}) == V2(name="x", amount_minor=0)
    with pytest.raises(ContractError, match="no schema version 3"):
        registry.parse("test.Thing", 3, {"name": "x"})
    with pytest.raises(ContractError, match="unknown contract"):
        registry.parse("test.Other", 1, {})


def test_registry_parses_a_registered_contract() -> None:
    payload = {"debtor_id": "p1", "debt_id": "d1", "invoice_id": "i1", "due_date": "2026-10-01",
               "milestone_days": 30, "days_past_due": 31,
               "outstanding": {"amount_minor": 5000, "currency": "USD"}}
    parsed = REGISTRY.parse("ledger.InvoiceOverdue", 1, payload)
    assert isinstance(parsed, InvoiceOverdue)
    with pytest.raises(ContractError, match="invalid"):
        REGISTRY.parse("ledger.InvoiceOverdue", 1, {**payload, "milestone_days": 0})


@pytest.mark.parametrize("filename", sorted(generate()))
def test_published_schemas_change_only_compatibly(filename: str) -> None:
    published_file = SCHEMA_DIR / filename
    assert published_file.exists(), f"{filename} is not checked in: run make schemas"
    published = json.loads(published_file.read_text())
    current = generate()[filename]
    assert incompatibilities(published, current) == [], (
        "a published contract changed incompatibly: bump its version and add an upcaster")
    assert published == json.loads(json.dumps(current, sort_keys=True)), (
        "compatible change not yet written: run make schemas")


def test_compatibility_check_names_breaking_changes() -> None:
    published = {"properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
                 "required": ["a"], "additionalProperties": False}
    current = {"properties": {"a": {"type": "integer"}, "c": {"type": "string"}},
               "required": ["a", "c"], "additionalProperties": False}
    assert incompatibilities(published, current) == [
        "c: became required",
        "a: type 'string' no longer allowed",
        "b: removed, and additionalProperties is false: a message carrying it is refused"]


@pytest.mark.parametrize("value, where", [
    ({"a": [1, {"b": 2.5}]}, "$.a[1].b"),
    ([{"x": "1.5"}, (3, 0.0)], "$[1][1]"),
    ({"deep": {"er": {"still": [[-1e20]]}}}, "$.deep.er.still[0][0]"),
])
def test_canonical_json_refuses_a_float_anywhere_and_names_where(value, where) -> None:
    from goodfaith_events.canonical import NotCanonical, canonical_json

    with pytest.raises(NotCanonical, match=re.escape(where)):
        canonical_json(value)


def test_canonical_json_refuses_non_string_keys_and_keeps_float_like_strings() -> None:
    from goodfaith_events.canonical import NotCanonical, canonical_json

    with pytest.raises(NotCanonical, match="non-string key"):
        canonical_json({"a": {1: "x"}})
    assert canonical_json({"b": "1.5", "a": [True, None, 7]}) == b'{"a":[true,null,7],"b":"1.5"}'


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_an_instant_utc_cannot_hold_is_a_validation_error(at: str) -> None:
    from pydantic import TypeAdapter, ValidationError

    from goodfaith_events.contracts.common import Instant

    adapter = TypeAdapter(Instant)
    with pytest.raises(ValidationError, match="outside the years 1-9999"):
        adapter.validate_python(at)
    kept = adapter.validate_python("2026-12-07T09:30:00-05:00")
    assert kept.utcoffset() is not None and kept.hour == 9  # the offset given is kept
