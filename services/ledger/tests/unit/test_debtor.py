from __future__ import annotations

from datetime import datetime

import pytest

from ledger.domain.debtor import (
    AddressAdded,
    Debtor,
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
from ledger.domain.errors import (
    DebtorAlreadyErased,
    DuplicateContactPoint,
    InvalidEmail,
    InvalidField,
    InvalidLanguageTag,
    InvalidPhoneNumber,
    InvalidTimeZone,
    UnknownContactPoint,
)
from ledger.domain.events import (
    ERASED,
    EVENT_TYPES,
    from_payload,
    mask_personal_fields,
    personal_fields,
    to_payload,
)

from .factories import DEBTOR_ID, T0, at, debtor_registered, given

HOME = make_address(["1 Main St", "Apt 2"], "Oakland", "94601", "US", "America/Los_Angeles", "CA")
PHONE = PhoneAdded(
    occurred_at=at(1),
    debtor_id=DEBTOR_ID,
    phone_id="ph1",
    number="+15105550123",
    kind=PhoneType.CELL,
    area_code="510",
)
EMAIL = EmailAdded(
    occurred_at=at(1),
    debtor_id=DEBTOR_ID,
    email_id="em1",
    address="ada@example.org",
    provenance=EmailProvenance.CONSUMER_PROVIDED,
)
ADDRESS = AddressAdded(occurred_at=at(1), debtor_id=DEBTOR_ID, address_id="ad1", address=HOME)


def test_register_records_debtor_registered() -> None:
    debtor = Debtor.register(
        debtor_id=DEBTOR_ID,
        tenant_id="tenant-1",
        given_name="Ada",
        family_name="Lovelace",
        other_names=("Ada King",),
        language="en-US",
        country="US",
        region="CA",
        at=T0,
    )
    assert debtor.pending_events == (debtor_registered(),)


def test_adding_a_phone_derives_the_area_code() -> None:
    given(debtor_registered()).when(
        lambda d: d.add_phone("ph1", "+15105550123", PhoneType.CELL, at(1))
    ).then(PHONE)


def test_a_phone_outside_nanp_has_no_area_code() -> None:
    outcome = given(debtor_registered()).when(
        lambda d: d.add_phone("ph1", "+442071234567", PhoneType.HOME, at(1))
    )
    assert outcome.aggregate.phones["ph1"].area_code is None


@pytest.mark.parametrize("number", ["5105550123", "+05105550123", "+1 510 555 0123", "+1"])
def test_non_e164_numbers_are_refused(number: str) -> None:
    given(debtor_registered()).when(
        lambda d: d.add_phone("ph1", number, PhoneType.CELL, at(1))
    ).then_raises(InvalidPhoneNumber)


def test_contact_points_are_added_and_removed_by_id() -> None:
    state = given(debtor_registered(), PHONE, EMAIL, ADDRESS)
    state.when(
        lambda d: d.add_email("em2", "ada@work.example", EmailProvenance.EMPLOYER_PROVIDED, at(2))
    ).then(
        EmailAdded(
            occurred_at=at(2),
            debtor_id=DEBTOR_ID,
            email_id="em2",
            address="ada@work.example",
            provenance=EmailProvenance.EMPLOYER_PROVIDED,
        )
    )
    state.when(lambda d: d.remove_phone("ph1", at(2))).then(
        PhoneRemoved(occurred_at=at(2), debtor_id=DEBTOR_ID, phone_id="ph1")
    )
    outcome = state.when(lambda d: d.remove_email("em1", at(2)))
    outcome.then(EmailRemoved(occurred_at=at(2), debtor_id=DEBTOR_ID, email_id="em1"))
    assert outcome.aggregate.emails == {}
    assert given(debtor_registered(), ADDRESS).aggregate().addresses == {"ad1": HOME}


def test_unknown_or_duplicate_contact_ids_are_refused() -> None:
    state = given(debtor_registered(), PHONE)
    state.when(lambda d: d.remove_phone("nope", at(2))).then_raises(UnknownContactPoint)
    state.when(lambda d: d.add_phone("ph1", "+15105550000", PhoneType.HOME, at(2))).then_raises(
        DuplicateContactPoint
    )
    state.when(lambda d: d.remove_address("ad9", at(2))).then_raises(UnknownContactPoint)


def test_invalid_email_language_and_address_are_refused() -> None:
    state = given(debtor_registered())
    state.when(
        lambda d: d.add_email("e", "not-an-email", EmailProvenance.CONSUMER_PROVIDED, at(1))
    ).then_raises(InvalidEmail)
    state.when(lambda d: d.change_language("english please", at(1))).then_raises(InvalidLanguageTag)
    with pytest.raises(InvalidTimeZone):
        make_address(["1 Main St"], "Oakland", "94601", "US", "Pacific Time")
    with pytest.raises(InvalidField):
        make_address([], "Oakland", "94601", "US", "America/Los_Angeles")


def test_changing_the_language_records_it_once() -> None:
    given(debtor_registered()).when(lambda d: d.change_language("es-US", at(1))).then(
        LanguageChanged(occurred_at=at(1), debtor_id=DEBTOR_ID, language="es-US")
    )
    given(debtor_registered()).when(lambda d: d.change_language("en-US", at(1))).then_nothing()


def test_every_event_with_personal_data_declares_it() -> None:
    assert personal_fields("ledger.DebtorRegistered") == {
        "given_name",
        "family_name",
        "other_names",
    }
    assert personal_fields("ledger.DebtorPhoneAdded") == {"number", "area_code"}
    assert personal_fields("ledger.DebtorEmailAdded") == {"address"}
    assert personal_fields("ledger.DebtorAddressAdded") == {
        "address.lines",
        "address.city",
        "address.postal_code",
    }
    declared = {name for name, cls in EVENT_TYPES.items() if cls.PERSONAL_FIELDS}
    assert declared == {
        "ledger.DebtorRegistered",
        "ledger.DebtorPhoneAdded",
        "ledger.DebtorEmailAdded",
        "ledger.DebtorAddressAdded",
    }


def test_declared_paths_exist_in_the_payloads() -> None:
    for evt in (debtor_registered(), PHONE, EMAIL, ADDRESS):
        payload = to_payload(evt)
        for path in personal_fields(evt.NAME):
            node = payload
            for part in path.split("."):
                node = node[part]
            assert node not in (None, ERASED)


def test_erasure_masks_the_aggregate_and_refuses_further_contact_changes() -> None:
    outcome = given(debtor_registered(), PHONE, EMAIL, ADDRESS).when(
        lambda d: d.erase("consumer request", at(5))
    )
    outcome.then(DebtorErased(occurred_at=at(5), debtor_id=DEBTOR_ID, reason="consumer request"))
    debtor = outcome.aggregate
    assert (debtor.given_name, debtor.family_name, debtor.other_names) == (
        ERASED,
        ERASED,
        (ERASED,),
    )
    assert debtor.phones["ph1"].number == ERASED
    assert debtor.emails["em1"].address == ERASED
    assert debtor.addresses["ad1"].lines == (ERASED, ERASED)
    assert debtor.addresses["ad1"].time_zone == "America/Los_Angeles"
    with pytest.raises(DebtorAlreadyErased):
        debtor.add_phone("ph2", "+15105550199", PhoneType.CELL, at(6))
    assert debtor.erase("again", at(7)) == ()


def test_a_stream_replays_after_its_key_is_destroyed() -> None:
    erased = DebtorErased(occurred_at=at(5), debtor_id=DEBTOR_ID, reason="consumer request")
    stored = [(e.NAME, to_payload(e)) for e in (debtor_registered(), PHONE, EMAIL, ADDRESS, erased)]
    shredded = [from_payload(name, mask_personal_fields(name, payload)) for name, payload in stored]
    debtor = Debtor.replay(shredded)
    assert debtor.given_name == ERASED
    assert debtor.phones["ph1"].number == ERASED and debtor.phones["ph1"].area_code == ERASED
    assert debtor.addresses["ad1"].city == ERASED
    assert debtor.addresses["ad1"].region == "CA"
    assert debtor.language == "en-US"
    assert debtor.erased and debtor.version == 5


def test_masking_keeps_the_payload_shape() -> None:
    masked = mask_personal_fields("ledger.DebtorAddressAdded", to_payload(ADDRESS))
    assert masked["address"]["lines"] == [ERASED, ERASED]
    assert masked["address"]["country"] == "US"
    assert to_payload(ADDRESS)["address"]["city"] == "Oakland"  # the input is not mutated


def test_naive_times_are_refused_for_debtor_commands() -> None:
    with pytest.raises(Exception, match="naive"):
        Debtor.register(
            debtor_id="d",
            tenant_id="t",
            given_name="A",
            family_name="B",
            language="en",
            country="US",
            at=datetime(2025, 1, 1),
        )
