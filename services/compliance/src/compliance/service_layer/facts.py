"""Facts that reach compliance directly (reference section 6): each is recorded as a
`compliance.FactRecorded` event in the person's stream and overlaid on the profile when the
gate builds an evaluation context.

The models reuse the domain's own vocabulary (they subclass its models), so a fact can never
say something the rules cannot read.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from compliance.domain.context import (
    AddressOptOut,
    AttorneyRep,
    CeaseNotice,
    Channel,
    Collector,
    Consent,
    ConsentKind,
    Debt,
    Dispute,
    Endpoint,
    InconvenientPlace,
    InconvenientTime,
    MediumOptOut,
    Person,
    RpcState,
    StatedLocation,
    UtcDatetime,
)
from compliance.domain.context import Id as DomainId

Id = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]


class Profile(BaseModel):
    """What the ledger does not publish yet: the collector, the person, their endpoints and
    debts. Recording a profile replaces the previous one; facts stay.

    `household`: the persons (of the same tenant) whose contacts count with this person's: a
    spouse's or household member's profile names the debtor, the debtor's may name a spouse.
    The gate merges their records into this person's context (decisions.md D-55)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    collector: Collector
    person: Person
    endpoints: tuple[Endpoint, ...] = ()
    debts: tuple[Debt, ...] = ()
    household: tuple[Id, ...] = Field(default=(), max_length=8)

    @model_validator(mode="after")
    def _household_of_others(self) -> Profile:
        if self.person.person_id in self.household or len(set(self.household)) != len(
                self.household):
            raise ValueError("household names other persons, each once")
        return self


class _DebtFact(BaseModel):
    debt_id: Id


class CeaseNoticeFact(CeaseNotice, _DebtFact):
    fact: Literal["cease_notice"]


class AttorneyNoticeFact(AttorneyRep, _DebtFact):
    fact: Literal["attorney_notice"]


class DisputeFact(Dispute, _DebtFact):
    fact: Literal["dispute"]


# decisions.md D-70: an email or text consent qualifies only the address or number it names.
_CONSENTS_TO_AN_ENDPOINT = frozenset({ConsentKind.EMAIL, ConsentKind.TEXT})


class ConsentFact(Consent):
    fact: Literal["consent"]

    @model_validator(mode="after")
    def _names_its_endpoint(self) -> ConsentFact:
        # Refused when recorded rather than blocking every later email or text as DATA_MISSING:
        # the caller learns at once what the consent lacks.
        if self.kind in _CONSENTS_TO_AN_ENDPOINT and self.endpoint_id is None:
            raise ValueError(f"a {self.kind.value} consent names the endpoint it is for "
                             "(endpoint_id): it covers that address or number only")
        return self


class ConsentWithdrawnFact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    fact: Literal["consent_withdrawn"]
    consent_id: Id
    withdrawn_at: UtcDatetime


class InconvenientTimeFact(InconvenientTime):
    fact: Literal["inconvenient_time"]


class InconvenientPlaceFact(InconvenientPlace):
    fact: Literal["inconvenient_place"]


class MediumOptOutFact(MediumOptOut):
    fact: Literal["medium_optout"]


class AddressOptOutFact(AddressOptOut):
    fact: Literal["address_optout"]


class StatedLocationFact(StatedLocation):
    fact: Literal["stated_location"]


class _Plain(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EmployerProhibitionFact(_Plain):
    fact: Literal["employer_prohibition"]
    prohibits: bool = True
    noted_at: UtcDatetime


class CourtPermissionFact(_Plain):
    fact: Literal["court_permission"]
    permits: bool = True
    noted_at: UtcDatetime


class RpcStateFact(_Plain):
    """The right-party-contact state: of the person, or (with `endpoint_id`) of contacts to
    one endpoint only, e.g. a number that reached someone else (FED-3P; decisions.md D-42)."""

    fact: Literal["rpc_state"]
    rpc: RpcState
    noted_at: UtcDatetime
    # The profile's endpoint ids and the contact ids of the history are the domain's ids.
    endpoint_id: DomainId | None = None
    # The contact (history event id, e.g. a reported attempt) that showed it.
    source_contact_id: DomainId | None = None


class LanguagePreferenceFact(_Plain):
    fact: Literal["language_preference"]
    language: Annotated[str, Field(min_length=2, max_length=20)]
    requested_at: UtcDatetime


class ValidationNoticeSentFact(_Plain):
    fact: Literal["validation_notice_sent"]
    debt_id: Id
    provided_at: UtcDatetime
    validation_period_end: date | None = None


class InitialCommunicationFact(_Plain):
    fact: Literal["initial_communication"]
    debt_id: Id
    at: UtcDatetime


class VerificationSentFact(_Plain):
    fact: Literal["verification_sent"]
    debt_id: Id
    sent_at: UtcDatetime


class TimeBarredStatusFact(_Plain):
    fact: Literal["time_barred_status"]
    debt_id: Id
    time_barred: bool | Literal["unknown"]
    past_obsolescence: bool | None = None
    noted_at: UtcDatetime


class OriginalCreditorRequestFact(_Plain):
    fact: Literal["oc_request"]
    debt_id: Id
    requested_at: UtcDatetime
    written: bool = True


class OriginalCreditorInfoSentFact(_Plain):
    fact: Literal["oc_info_sent"]
    debt_id: Id
    sent_at: UtcDatetime


class InboundContactFact(_Plain):
    """The consumer contacted the collector (FED-TP-EXCEPT (iii), cooldown conversations)."""

    fact: Literal["inbound_contact"]
    contact_id: Id
    at: UtcDatetime
    channel: Channel
    endpoint_id: Id | None = None
    debt_ids: frozenset[Id]
    conversation: bool = False


Fact = Annotated[
    CeaseNoticeFact | AttorneyNoticeFact | DisputeFact | ConsentFact | ConsentWithdrawnFact
    | InconvenientTimeFact | InconvenientPlaceFact | MediumOptOutFact | AddressOptOutFact
    | StatedLocationFact | EmployerProhibitionFact | CourtPermissionFact | RpcStateFact
    | LanguagePreferenceFact | ValidationNoticeSentFact | InitialCommunicationFact
    | VerificationSentFact | TimeBarredStatusFact | OriginalCreditorRequestFact
    | OriginalCreditorInfoSentFact | InboundContactFact,
    Field(discriminator="fact"),
]


def debt_of(fact: BaseModel) -> str | None:
    value = getattr(fact, "debt_id", None)
    return value if isinstance(value, str) else None
