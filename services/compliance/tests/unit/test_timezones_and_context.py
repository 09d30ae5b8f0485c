"""Time helpers, the context model, and the purity of the domain package."""

from __future__ import annotations

import ast
from datetime import date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

import compliance.domain
from compliance.domain import EvaluationContext
from compliance.domain.context import Channel, ContactEvent, Person
from compliance.domain.timezones import (
    candidate_tz,
    is_business_day,
    phone_zones,
    validation_period_end,
)

from .factories import address, fine, phone, utc


def test_validation_period_skips_weekends_and_federal_holidays():
    # Friday 2026-07-02... provided Thu 2026-07-02: Fri 3 is the observed Independence Day.
    # Business days: Mon 6, Tue 7, Wed 8, Thu 9, Fri 10 -> 2026-07-10 + 30 = 2026-08-09.
    assert validation_period_end(date(2026, 7, 2)) == date(2026, 8, 9)


def test_validation_period_end_is_not_rolled_forward_from_a_weekend():
    end = validation_period_end(date(2026, 7, 2))
    assert end.weekday() == 6  # a Sunday, kept as is


def test_juneteenth_is_a_federal_holiday_and_sunday_is_not_a_business_day():
    assert not is_business_day(date(2026, 6, 19))
    assert not is_business_day(date(2026, 6, 21))
    assert is_business_day(date(2026, 6, 22))


def test_area_code_gives_the_zone_and_toll_free_gives_none():
    assert phone_zones("+12125550100") == ("America/New_York",)
    assert phone_zones("+18005550100") == ()


def test_candidate_zones_union_addresses_and_phones():
    person = Person(
        person_id="p", role="consumer", addresses=[address("CA", "America/Los_Angeles")]
    )
    zones = candidate_tz(person, [phone("+12125550100")])
    assert zones.names == ("America/Los_Angeles", "America/New_York")
    assert zones.invalid == ()


def test_an_unknown_zone_is_reported_not_raised():
    person = Person(person_id="p", role="consumer", addresses=[address("CA", "Not/AZone")])
    assert candidate_tz(person, []).invalid == ("person.addresses[0].tz",)


def test_naive_datetimes_are_rejected():
    with pytest.raises(ValidationError, match="naive datetime"):
        ContactEvent(
            event_id="e",
            at=datetime(2026, 1, 1),
            channel="call",
            person_id="p",
            debt_ids=frozenset({"d"}),
        )


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_instants_outside_utcs_years_are_a_validation_error_not_a_crash(at):
    # Fuzzing the HTTP API found these as a 500 (OverflowError in the conversion to UTC).
    with pytest.raises(ValidationError, match="outside the years 1-9999"):
        ContactEvent.model_validate({"event_id": "e", "at": at, "channel": "call",
                                     "person_id": "p", "debt_ids": ["d"]})


def test_aware_datetimes_are_normalised_to_utc():
    from zoneinfo import ZoneInfo

    event = ContactEvent(
        event_id="e",
        at=datetime(2026, 1, 1, 9, tzinfo=ZoneInfo("America/Chicago")),
        channel="call",
        person_id="p",
        debt_ids=frozenset({"d"}),
    )
    assert event.at == utc(2026, 1, 1, 15) and event.at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_unknown_fields_are_rejected():
    with pytest.raises(ValidationError):
        EvaluationContext.model_validate({**fine().model_dump(), "surprise": 1})


def test_the_recipient_must_be_the_person_described():
    ctx = fine()
    with pytest.raises(ValidationError, match="recipient_person_id"):
        EvaluationContext.model_validate(
            {
                **ctx.model_dump(),
                "proposal": {**ctx.proposal.model_dump(), "recipient_person_id": "x"},
            }
        )


def test_the_json_schema_example_is_a_valid_context():
    schema = EvaluationContext.model_json_schema()
    example = schema["examples"][0]
    assert EvaluationContext.model_validate(example).proposal.channel == "call"


def test_a_context_round_trips_through_json():
    ctx = fine()
    assert EvaluationContext.model_validate_json(ctx.model_dump_json()) == ctx


def test_domain_channels_match_the_public_contract():
    from goodfaith_events.contracts.common import Channel as ContractChannel

    assert {c.value for c in Channel} == {c.value for c in ContractChannel}


DOMAIN = Path(compliance.domain.__file__).parent
ALLOWED = {
    "__future__",
    "bisect",
    "collections",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "itertools",
    "re",
    "types",
    "typing",
    "zoneinfo",
    "compliance",
    # pure libraries named in the brief: models, phone-number zones, holiday calendars
    "pydantic",
    "phonenumbers",
    "holidays",
}


def _roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_domain_imports_no_io_framework_or_clock():
    modules = sorted(DOMAIN.rglob("*.py"))
    assert len(modules) > 15
    for module in modules:
        assert _roots(module) <= ALLOWED, module.name
        text = module.read_text()
        for banned in (".now(", "utcnow(", "date.today(", "async def", "time.time("):
            assert banned not in text, f"{module.name} uses {banned}"
