"""The Debtor aggregate: a person owing money to one tenant (creditor).

Personal data (names, postal address lines / city / postal code, phone numbers, email
addresses) is declared per event in ``PERSONAL_FIELDS`` so the adapter can encrypt it with a
per-person key. ``erase`` records ``DebtorErased``; the adapter then destroys the key, and
replaying the stream with every personal value replaced by ``ERASED`` still works because
``_apply`` never validates, it only copies.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import singledispatchmethod

from ledger.domain.aggregate import Aggregate
from ledger.domain.errors import (
    DebtorAlreadyErased,
    DuplicateContactPoint,
    InvalidEmail,
    InvalidField,
    InvalidLanguageTag,
    InvalidPhoneNumber,
    UnknownContactPoint,
)
from ledger.domain.events import ERASED, Event, event
from ledger.domain.values import (
    require_aware,
    require_country,
    require_id,
    require_region,
    require_text,
    require_zone,
)

_E164 = re.compile(r"\+[1-9]\d{6,14}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_BCP47 = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


class PhoneType(StrEnum):
    CELL = "cell"
    HOME = "home"
    WORK = "work"


class EmailProvenance(StrEnum):
    # Reg F 1006.22(f)(3): an employer-provided address must not be used; keep where it came from.
    CONSUMER_PROVIDED = "consumer_provided"
    CREDITOR_PROVIDED = "creditor_provided"
    EMPLOYER_PROVIDED = "employer_provided"


@dataclass(frozen=True)
class PostalAddress:
    lines: tuple[str, ...]
    city: str
    region: str | None
    postal_code: str
    country: str
    time_zone: str


@dataclass(frozen=True)
class Phone:
    number: str
    kind: PhoneType
    area_code: str | None


@dataclass(frozen=True)
class Email:
    address: str
    provenance: EmailProvenance


@event("ledger.DebtorRegistered")
@dataclass(frozen=True, kw_only=True)
class DebtorRegistered(Event):
    PERSONAL_FIELDS = frozenset({"given_name", "family_name", "other_names"})
    debtor_id: str
    tenant_id: str
    given_name: str
    family_name: str
    other_names: tuple[str, ...]
    language: str
    country: str
    region: str | None


@event("ledger.DebtorPhoneAdded")
@dataclass(frozen=True, kw_only=True)
class PhoneAdded(Event):
    # The area code is derived from the number, so it is as identifying as the number.
    PERSONAL_FIELDS = frozenset({"number", "area_code"})
    debtor_id: str
    phone_id: str
    number: str
    kind: PhoneType
    area_code: str | None


@event("ledger.DebtorPhoneRemoved")
@dataclass(frozen=True, kw_only=True)
class PhoneRemoved(Event):
    debtor_id: str
    phone_id: str


@event("ledger.DebtorEmailAdded")
@dataclass(frozen=True, kw_only=True)
class EmailAdded(Event):
    PERSONAL_FIELDS = frozenset({"address"})
    debtor_id: str
    email_id: str
    address: str
    provenance: EmailProvenance


@event("ledger.DebtorEmailRemoved")
@dataclass(frozen=True, kw_only=True)
class EmailRemoved(Event):
    debtor_id: str
    email_id: str


@event("ledger.DebtorAddressAdded")
@dataclass(frozen=True, kw_only=True)
class AddressAdded(Event):
    # Region, country and zone stay readable: they choose the law and the quiet hours and do
    # not identify a person on their own.
    PERSONAL_FIELDS = frozenset({"address.lines", "address.city", "address.postal_code"})
    debtor_id: str
    address_id: str
    address: PostalAddress


@event("ledger.DebtorAddressRemoved")
@dataclass(frozen=True, kw_only=True)
class AddressRemoved(Event):
    debtor_id: str
    address_id: str


@event("ledger.DebtorLanguageChanged")
@dataclass(frozen=True, kw_only=True)
class LanguageChanged(Event):
    debtor_id: str
    language: str


@event("ledger.DebtorErased")
@dataclass(frozen=True, kw_only=True)
class DebtorErased(Event):
    debtor_id: str
    reason: str


def validate_phone(number: str) -> str:
    if not isinstance(number, str) or not _E164.fullmatch(number):
        raise InvalidPhoneNumber(f"{number!r} is not an E.164 number (+ and 7 to 15 digits)")
    return number


def area_code_of(number: str) -> str | None:
    """NANP (+1) numbers carry a 3-digit area code; elsewhere the split is national, so None."""
    return number[2:5] if number.startswith("+1") and len(number) == 12 else None


def validate_email(address: str) -> str:
    if not isinstance(address, str) or not _EMAIL.fullmatch(address):
        raise InvalidEmail(f"{address!r} is not an email address")
    return address


def validate_language(tag: str) -> str:
    if not isinstance(tag, str) or not _BCP47.fullmatch(tag):
        raise InvalidLanguageTag(f"{tag!r} is not a BCP 47 language tag")
    return tag


def make_address(
    lines: tuple[str, ...] | list[str],
    city: str,
    postal_code: str,
    country: str,
    time_zone: str,
    region: str | None = None,
) -> PostalAddress:
    if not lines:
        raise InvalidField("an address needs at least one line")
    return PostalAddress(
        lines=tuple(require_text(line, "address line") for line in lines),
        city=require_text(city, "city"),
        region=require_region(region, "region"),
        postal_code=require_text(postal_code, "postal_code"),
        country=require_country(country),
        time_zone=require_zone(time_zone),
    )


@dataclass
class _State:
    debtor_id: str = ""
    tenant_id: str = ""
    given_name: str = ""
    family_name: str = ""
    other_names: tuple[str, ...] = ()
    language: str = ""
    country: str = ""
    region: str | None = None
    phones: dict[str, Phone] = field(default_factory=dict)
    emails: dict[str, Email] = field(default_factory=dict)
    addresses: dict[str, PostalAddress] = field(default_factory=dict)
    erased: bool = False


class Debtor(Aggregate):
    def __init__(self) -> None:
        super().__init__()
        self._s = _State()

    # -- commands ---------------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        *,
        debtor_id: str,
        tenant_id: str,
        given_name: str,
        family_name: str,
        language: str,
        country: str,
        at: datetime,
        region: str | None = None,
        other_names: tuple[str, ...] = (),
    ) -> Debtor:
        debtor = cls()
        debtor._record(
            DebtorRegistered(
                occurred_at=require_aware(at, "at"),
                debtor_id=require_id(debtor_id, "debtor_id"),
                tenant_id=require_id(tenant_id, "tenant_id"),
                given_name=require_text(given_name, "given_name"),
                family_name=require_text(family_name, "family_name"),
                other_names=tuple(require_text(n, "other name") for n in other_names),
                language=validate_language(language),
                country=require_country(country),
                region=require_region(region, "region"),
            )
        )
        return debtor

    def add_phone(self, phone_id: str, number: str, kind: PhoneType, at: datetime) -> Event:
        self._require_not_erased()
        self._require_new(phone_id, self._s.phones)
        number = validate_phone(number)
        return self._record(
            PhoneAdded(
                occurred_at=require_aware(at, "at"),
                debtor_id=self.debtor_id,
                phone_id=phone_id,
                number=number,
                kind=PhoneType(kind),
                area_code=area_code_of(number),
            )
        )

    def remove_phone(self, phone_id: str, at: datetime) -> Event:
        self._require_not_erased()
        self._require_known(phone_id, self._s.phones)
        return self._record(
            PhoneRemoved(
                occurred_at=require_aware(at, "at"), debtor_id=self.debtor_id, phone_id=phone_id
            )
        )

    def add_email(
        self, email_id: str, address: str, provenance: EmailProvenance, at: datetime
    ) -> Event:
        self._require_not_erased()
        self._require_new(email_id, self._s.emails)
        return self._record(
            EmailAdded(
                occurred_at=require_aware(at, "at"),
                debtor_id=self.debtor_id,
                email_id=email_id,
                address=validate_email(address),
                provenance=EmailProvenance(provenance),
            )
        )

    def remove_email(self, email_id: str, at: datetime) -> Event:
        self._require_not_erased()
        self._require_known(email_id, self._s.emails)
        return self._record(
            EmailRemoved(
                occurred_at=require_aware(at, "at"), debtor_id=self.debtor_id, email_id=email_id
            )
        )

    def add_address(self, address_id: str, address: PostalAddress, at: datetime) -> Event:
        self._require_not_erased()
        self._require_new(address_id, self._s.addresses)
        return self._record(
            AddressAdded(
                occurred_at=require_aware(at, "at"),
                debtor_id=self.debtor_id,
                address_id=address_id,
                address=address,
            )
        )

    def remove_address(self, address_id: str, at: datetime) -> Event:
        self._require_not_erased()
        self._require_known(address_id, self._s.addresses)
        return self._record(
            AddressRemoved(
                occurred_at=require_aware(at, "at"), debtor_id=self.debtor_id, address_id=address_id
            )
        )

    def change_language(self, language: str, at: datetime) -> tuple[Event, ...]:
        validate_language(language)
        if language == self._s.language:
            return ()
        return (
            self._record(
                LanguageChanged(
                    occurred_at=require_aware(at, "at"), debtor_id=self.debtor_id, language=language
                )
            ),
        )

    def erase(self, reason: str, at: datetime) -> tuple[Event, ...]:
        """Record the erasure; a second erase is a no-op so a retried request is harmless."""
        if self._s.erased:
            return ()
        return (
            self._record(
                DebtorErased(
                    occurred_at=require_aware(at, "at"),
                    debtor_id=self.debtor_id,
                    reason=require_text(reason, "reason"),
                )
            ),
        )

    # -- queries ----------------------------------------------------------------------------

    @property
    def debtor_id(self) -> str:
        return self._s.debtor_id

    @property
    def tenant_id(self) -> str:
        return self._s.tenant_id

    @property
    def given_name(self) -> str:
        return self._s.given_name

    @property
    def family_name(self) -> str:
        return self._s.family_name

    @property
    def other_names(self) -> tuple[str, ...]:
        return self._s.other_names

    @property
    def language(self) -> str:
        return self._s.language

    @property
    def country(self) -> str:
        return self._s.country

    @property
    def region(self) -> str | None:
        return self._s.region

    @property
    def phones(self) -> dict[str, Phone]:
        return dict(self._s.phones)

    @property
    def emails(self) -> dict[str, Email]:
        return dict(self._s.emails)

    @property
    def addresses(self) -> dict[str, PostalAddress]:
        return dict(self._s.addresses)

    @property
    def erased(self) -> bool:
        return self._s.erased

    # -- guards -----------------------------------------------------------------------------

    def _require_not_erased(self) -> None:
        if self._s.erased:
            raise DebtorAlreadyErased(f"debtor {self.debtor_id} was erased")

    @staticmethod
    def _require_new(item_id: str, items: Mapping[str, object]) -> None:
        require_id(item_id, "id")
        if item_id in items:
            raise DuplicateContactPoint(f"{item_id} already exists")

    @staticmethod
    def _require_known(item_id: str, items: Mapping[str, object]) -> None:
        if item_id not in items:
            raise UnknownContactPoint(f"{item_id} is not on this debtor")

    # -- state changes ----------------------------------------------------------------------

    @singledispatchmethod
    def _apply(self, evt: Event) -> None:
        raise NotImplementedError(f"Debtor cannot apply {type(evt).__name__}")

    @_apply.register
    def _(self, evt: DebtorRegistered) -> None:
        self._s = _State(
            debtor_id=evt.debtor_id,
            tenant_id=evt.tenant_id,
            given_name=evt.given_name,
            family_name=evt.family_name,
            other_names=evt.other_names,
            language=evt.language,
            country=evt.country,
            region=evt.region,
        )

    @_apply.register
    def _(self, evt: PhoneAdded) -> None:
        self._s.phones[evt.phone_id] = Phone(evt.number, evt.kind, evt.area_code)

    @_apply.register
    def _(self, evt: PhoneRemoved) -> None:
        self._s.phones.pop(evt.phone_id, None)

    @_apply.register
    def _(self, evt: EmailAdded) -> None:
        self._s.emails[evt.email_id] = Email(evt.address, evt.provenance)

    @_apply.register
    def _(self, evt: EmailRemoved) -> None:
        self._s.emails.pop(evt.email_id, None)

    @_apply.register
    def _(self, evt: AddressAdded) -> None:
        self._s.addresses[evt.address_id] = evt.address

    @_apply.register
    def _(self, evt: AddressRemoved) -> None:
        self._s.addresses.pop(evt.address_id, None)

    @_apply.register
    def _(self, evt: LanguageChanged) -> None:
        self._s.language = evt.language

    @_apply.register
    def _(self, evt: DebtorErased) -> None:
        # The key is about to be destroyed; the in-memory copy must not outlive it.
        s = self._s
        s.given_name = s.family_name = ERASED
        s.other_names = tuple(ERASED for _ in s.other_names)
        s.phones = {
            k: dataclasses.replace(p, number=ERASED, area_code=ERASED) for k, p in s.phones.items()
        }
        s.emails = {k: dataclasses.replace(e, address=ERASED) for k, e in s.emails.items()}
        s.addresses = {k: _masked_address(a) for k, a in s.addresses.items()}
        s.erased = True


def _masked_address(address: PostalAddress) -> PostalAddress:
    return dataclasses.replace(
        address,
        lines=tuple(ERASED for _ in address.lines),
        city=ERASED,
        postal_code=ERASED,
    )
