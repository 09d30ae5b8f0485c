"""Tolerant reader, strict writer: consumers ignore fields their version of a contract does not
know (an upgraded producer may send optional fields added to a published version), producers
and the contract models themselves still refuse them."""

import logging

import pytest
from pydantic import BaseModel, ValidationError

from goodfaith_events.contracts import REGISTRY, ContactBlocked, InvoiceOverdue, Money
from goodfaith_events.contracts.common import Contract
from goodfaith_events.registry import ContractError, Registry

OVERDUE = {"debtor_id": "p1", "debt_id": "d1", "invoice_id": "i1", "due_date": "2026-10-01",
           "milestone_days": 30, "days_past_due": 31,
           "outstanding": {"amount_minor": 5000, "currency": "USD"}}
UPGRADED = {**OVERDUE, "reminder_note": "Jane Roe, 12 Elm St",
            "outstanding": {**OVERDUE["outstanding"], "rounding": "half-even"}}
BLOCKED = {"request_id": "r1", "decision_id": "dec1", "person_id": "p1", "outcome": "BLOCK",
           "failing_rules": [{"rule_id": "FED.1", "citation": "12 CFR 1006.14",
                              "explanation": "too many calls"}],
           "pack_version": "2026.12.1"}


def test_unknown_top_level_and_nested_fields_are_ignored_and_the_known_ones_kept() -> None:
    parsed, unknown = REGISTRY.read("ledger.InvoiceOverdue", 1, UPGRADED)
    assert unknown == ("outstanding.rounding", "reminder_note")
    assert type(parsed) is InvoiceOverdue and type(parsed.outstanding) is Money
    assert parsed == InvoiceOverdue.model_validate(OVERDUE)  # the contract class itself
    assert parsed.outstanding == Money(amount_minor=5000, currency="USD")
    assert "reminder_note" not in parsed.model_dump() and parsed.__pydantic_extra__ is None
    assert REGISTRY.parse("ledger.InvoiceOverdue", 1, UPGRADED) == parsed


def test_unknown_fields_inside_a_list_of_nested_contracts_are_ignored() -> None:
    rules = [{**BLOCKED["failing_rules"][0], "severity": 3}, {**BLOCKED["failing_rules"][0]}]
    parsed, unknown = REGISTRY.read("compliance.ContactBlocked", 1,
                                    {**BLOCKED, "failing_rules": rules, "appeal_url": "x"})
    assert unknown == ("appeal_url", "failing_rules.severity")
    assert isinstance(parsed, ContactBlocked)
    assert [r.rule_id for r in parsed.failing_rules] == ["FED.1", "FED.1"]


def test_a_payload_without_unknown_fields_reports_none() -> None:
    assert REGISTRY.read("ledger.InvoiceOverdue", 1, OVERDUE)[1] == ()


def test_constructing_a_contract_with_an_unknown_field_still_fails() -> None:
    with pytest.raises(ValidationError, match="extra_forbidden"):
        InvoiceOverdue(**UPGRADED)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="extra_forbidden"):
        Money(amount_minor=1, currency="USD", rounding="up")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="extra_forbidden"):  # nested, through the model
        InvoiceOverdue.model_validate({**OVERDUE, "outstanding": UPGRADED["outstanding"]})


def test_producers_validate_strictly() -> None:
    with pytest.raises(ContractError, match="extra_forbidden"):
        REGISTRY.validate_outgoing("ledger.InvoiceOverdue", 1, UPGRADED)
    assert REGISTRY.validate_outgoing("ledger.InvoiceOverdue", 1, OVERDUE) == (
        InvoiceOverdue.model_validate(OVERDUE))


def test_an_invalid_payload_with_unknown_fields_names_only_what_is_invalid() -> None:
    with pytest.raises(ContractError) as caught:
        REGISTRY.parse("ledger.InvoiceOverdue", 1, {**UPGRADED, "milestone_days": 0})
    assert "milestone_days" in str(caught.value)
    assert "reminder_note" not in str(caught.value) and "extra_forbidden" not in str(caught.value)
    with pytest.raises(ContractError, match="missing"):
        REGISTRY.parse("ledger.InvoiceOverdue", 1,
                       {k: v for k, v in UPGRADED.items() if k != "debt_id"})


def test_the_ignored_fields_are_logged_by_name_never_by_value(caplog) -> None:
    with caplog.at_level(logging.DEBUG, logger="goodfaith.events.registry"):
        REGISTRY.parse("ledger.InvoiceOverdue", 1, UPGRADED)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "ledger.InvoiceOverdue" in logged and "reminder_note" in logged
    assert "outstanding.rounding" in logged
    assert "Jane" not in logged and "half-even" not in logged


def test_an_old_version_is_upcast_and_then_read_tolerantly() -> None:
    class Part(Contract):
        code: str

    class V2(Contract):
        name: str
        amount_minor: int
        part: Part

    registry = Registry()
    registry.register(V2, name="test.Thing", version=2, topic="t")

    @registry.upcaster("test.Thing", from_version=1)
    def _add_amount(payload: dict) -> dict:
        return {**payload, "amount_minor": 0}

    parsed, unknown = registry.read(
        "test.Thing", 1, {"name": "x", "added_to_v1": True, "part": {"code": "a", "more": 1}})
    assert parsed == V2(name="x", amount_minor=0, part=Part(code="a"))
    assert unknown == ("added_to_v1", "part.more")


def test_every_registered_contract_is_read_tolerantly_and_validated_strictly() -> None:
    for name in REGISTRY.names():
        spec = REGISTRY.spec(name)
        kinds = {e["type"] for e in _errors(spec.strict, {"zz_unknown": 1})}
        assert "extra_forbidden" in kinds, name
        with pytest.raises(ContractError) as caught:  # read: only the missing fields
            REGISTRY.read(name, spec.version, {"zz_unknown": 1})
        assert "extra_forbidden" not in str(caught.value), name


def _errors(validator, payload: dict) -> list:
    try:
        validator.validate_python(payload)
    except ValidationError as exc:
        return exc.errors()
    return []


def test_a_plain_model_registered_as_a_contract_is_read_as_before() -> None:
    class Plain(BaseModel):
        name: str

    registry = Registry()
    registry.register(Plain, name="test.Plain", version=1, topic="t")
    assert registry.read("test.Plain", 1, {"name": "x", "other": 1}) == (Plain(name="x"), ())
