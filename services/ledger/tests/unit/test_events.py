from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from ledger.domain import events as events_module
from ledger.domain.components import Component
from ledger.domain.debt_events import (
    CreditRefunded,
    DebtDetailsUpdated,
    DebtPlaced,
    DebtWrittenOff,
    DisputeMedium,
    DisputeOutcome,
    DisputeRaised,
    DisputeResolved,
    InstalmentRef,
    InvoiceAdjusted,
    InvoiceOverdueMilestoneReached,
    InvoiceRescheduled,
    Itemization,
    PaymentReversed,
    PlacementRecalled,
    ReversalReason,
    SettlementAgreed,
    SettlementBroken,
    SettlementCompleted,
    SettlementInstalment,
)
from ledger.domain.debtor import (
    AddressAdded,
    AddressRemoved,
    DebtorErased,
    EmailAdded,
    EmailProvenance,
    EmailRemoved,
    LanguageChanged,
    PhoneAdded,
    PhoneRemoved,
    PhoneType,
    make_address,
)
from ledger.domain.errors import InvalidAmount, InvalidField, UnknownEventType
from ledger.domain.events import EVENT_TYPES, Event, from_payload, to_payload

from .factories import (
    DEBT_ID,
    T0,
    alloc,
    at,
    debt_opened,
    debtor_registered,
    invoice_issued,
    payment_applied,
    usd,
)

D = DEBT_ID
SAMPLES: list[Event] = [
    debt_opened(
        itemization=Itemization(date(2025, 1, 1), usd(1), usd(2), usd(3), usd(4), usd(5)),
        charge_off_date=date(2024, 6, 1),
    ),
    invoice_issued(instalment=InstalmentRef("plan", 1, 3)),
    payment_applied("p", 500, [alloc("inv-1", Component.FEES, 400)], credit=100),
    PaymentReversed(
        occurred_at=T0,
        debt_id=D,
        payment_id="p",
        reason=ReversalReason.CHARGEBACK,
        allocations=(alloc("inv-1", Component.FEES, 400),),
        credit=usd(100),
        settlement_id="s",
    ),
    DisputeRaised(
        occurred_at=T0,
        debt_id=D,
        dispute_id="x",
        written=True,
        medium=DisputeMedium.EMAIL,
        portion=usd(5),
    ),
    DisputeResolved(
        occurred_at=T0,
        debt_id=D,
        dispute_id="x",
        outcome=DisputeOutcome.CORRECTED,
        verification_sent_at=at(1),
    ),
    SettlementAgreed(
        occurred_at=T0,
        debt_id=D,
        settlement_id="s",
        amount=usd(10),
        balance_at_agreement=usd(20),
        deadline=at(30),
        instalments=(SettlementInstalment(date(2025, 3, 9), usd(10)),),
    ),
    SettlementCompleted(occurred_at=T0, debt_id=D, settlement_id="s", paid=usd(10)),
    SettlementBroken(occurred_at=T0, debt_id=D, settlement_id="s", deadline=at(1), paid=usd(0)),
    DebtWrittenOff(
        occurred_at=T0, debt_id=D, amount=usd(3), allocations=(), reason="r", settlement_id=None
    ),
    DebtPlaced(occurred_at=T0, debt_id=D, placement_id="pl", agency_id="ag"),
    PlacementRecalled(occurred_at=T0, debt_id=D, placement_id="pl", agency_id="ag", reason="r"),
    InvoiceOverdueMilestoneReached(
        occurred_at=T0,
        debt_id=D,
        tenant_id="t",
        debtor_id="p",
        invoice_id="i",
        due_date=date(2025, 1, 1),
        milestone_days=30,
        days_past_due=31,
        outstanding=usd(9),
        governing_state=None,
        as_of=date(2025, 2, 1),
    ),
    DebtDetailsUpdated(
        occurred_at=T0,
        debt_id=D,
        reason="r",
        changed=("governing_state", "itemization", "time_zone"),
        governing_state="NY",
        time_zone=None,
        itemization=Itemization(date(2025, 1, 1), usd(1), usd(2), usd(3), usd(4), usd(5)),
    ),
    InvoiceRescheduled(
        occurred_at=T0,
        debt_id=D,
        invoice_id="i",
        previous_due_on=date(2025, 1, 1),
        due_on=date(2025, 2, 1),
        reason="hardship",
    ),
    InvoiceAdjusted(
        occurred_at=T0,
        debt_id=D,
        invoice_id="i",
        amount=usd(-5),
        principal=usd(-1),
        interest=usd(-1),
        fees=usd(-3),
        reason="credit note",
    ),
    CreditRefunded(occurred_at=T0, debt_id=D, refund_id="r", amount=usd(5), reason="r"),
    debtor_registered(),
    PhoneAdded(
        occurred_at=T0,
        debtor_id="p",
        phone_id="ph",
        number="+15105550123",
        kind=PhoneType.WORK,
        area_code="510",
    ),
    PhoneRemoved(occurred_at=T0, debtor_id="p", phone_id="ph"),
    EmailAdded(
        occurred_at=T0,
        debtor_id="p",
        email_id="e",
        address="a@b.co",
        provenance=EmailProvenance.CREDITOR_PROVIDED,
    ),
    EmailRemoved(occurred_at=T0, debtor_id="p", email_id="e"),
    AddressAdded(
        occurred_at=T0,
        debtor_id="p",
        address_id="a",
        address=make_address(["x"], "y", "z", "US", "UTC"),
    ),
    AddressRemoved(occurred_at=T0, debtor_id="p", address_id="a"),
    LanguageChanged(occurred_at=T0, debtor_id="p", language="fr"),
    DebtorErased(occurred_at=T0, debtor_id="p", reason="gdpr"),
]


def test_the_samples_cover_every_registered_event_type() -> None:
    assert {e.NAME for e in SAMPLES} == set(EVENT_TYPES)


@pytest.mark.parametrize("evt", SAMPLES, ids=lambda e: e.NAME)
def test_every_event_round_trips_through_json(evt: Event) -> None:
    payload = to_payload(evt)
    text = json.dumps(payload)
    assert from_payload(evt.NAME, json.loads(text)) == evt


def _walk(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _walk(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _walk(v)]
    return [value]


@pytest.mark.parametrize("evt", SAMPLES, ids=lambda e: e.NAME)
def test_payloads_hold_only_json_native_values_and_no_floats(evt: Event) -> None:
    for leaf in _walk(to_payload(evt)):
        assert leaf is None or type(leaf) in (str, int, bool)


def test_money_is_stored_as_integer_minor_units_and_a_currency() -> None:
    assert to_payload(SAMPLES[2])["amount"] == {"amount": 500, "currency": "USD"}
    assert to_payload(SAMPLES[0])["occurred_at"] == "2025-03-01T15:00:00+00:00"


def test_a_float_amount_in_a_stored_payload_is_refused() -> None:
    payload = to_payload(SAMPLES[2])
    payload["amount"] = {"amount": 5.0, "currency": "USD"}
    with pytest.raises((InvalidAmount, InvalidField)):
        from_payload("ledger.PaymentApplied", payload)


def test_unknown_names_and_newer_versions_are_refused() -> None:
    with pytest.raises(UnknownEventType):
        from_payload("ledger.Nope", {})
    with pytest.raises(UnknownEventType):
        from_payload("ledger.DebtPlaced", to_payload(SAMPLES[10]), schema_version=2)
    with pytest.raises(UnknownEventType):
        from_payload("ledger.DebtPlaced", to_payload(SAMPLES[10]), schema_version=0)


def test_an_old_schema_version_is_upcast_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DebtPlaced, "SCHEMA_VERSION", 2)
    old = to_payload(SAMPLES[10])
    old["agency"] = old.pop("agency_id")  # imagine v1 called it "agency"
    monkeypatch.setitem(
        events_module.UPCASTERS,
        ("ledger.DebtPlaced", 1),
        lambda p: {**{k: v for k, v in p.items() if k != "agency"}, "agency_id": p["agency"]},
    )
    assert from_payload("ledger.DebtPlaced", old, schema_version=1) == SAMPLES[10]


def test_timestamps_come_back_timezone_aware() -> None:
    evt = from_payload("ledger.DebtPlaced", to_payload(SAMPLES[10]))
    assert evt.occurred_at.utcoffset() == timedelta(0)


def test_names_are_stable_strings_not_module_paths() -> None:
    for name, cls in EVENT_TYPES.items():
        assert name.startswith("ledger.") and name.count(".") == 1
        assert name == cls.NAME and cls.__module__ not in name
