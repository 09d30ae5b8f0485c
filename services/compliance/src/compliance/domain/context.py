"""The evaluation context: every fact a compliance rule may read (reference section 6).

One immutable document holds the collector, the person, the endpoints, the debts, the contact
history, the approvals already granted and the proposed action. The same model is the body of
`POST /v1/evaluate`.

Conventions:
- every instant is a timezone-aware datetime, normalised to UTC; naive datetimes are rejected;
- money is integer minor units (there is none in the rules yet; itemisation lives in the ledger);
- time zones are IANA names. An unknown name is accepted here on purpose and blocks at
  evaluation time with `DATA_MISSING:<field>`, so a stale upstream record still produces an
  auditable decision instead of a bare 422 (decisions.md D-02);
- a fact nobody knows is `None` (or `"unknown"` for the limitations status) so rules can fail
  closed instead of guessing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: send a timezone-aware instant (UTC preferred)")
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC: a 422, not a 500
        raise ValueError("the instant is outside the years 1-9999 in UTC") from None


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
Id = Annotated[str, Field(min_length=1, max_length=100)]
# Deliberately a plain string: see the module docstring and decisions.md D-02.
ZoneName = Annotated[str, Field(max_length=64, examples=["America/New_York"])]
StateCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["NY"])]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- vocabularies -------------------------------------------------------------------------


class Channel(StrEnum):
    """Same values as goodfaith_events.contracts.common.Channel (a unit test keeps them equal)."""

    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    VOICEMAIL = "voicemail"
    SOCIAL_DM = "social_dm"
    VISIT = "visit"


class Medium(StrEnum):
    """Media a person can opt out of (1006.14(h)); several channels share one medium."""

    TELEPHONE = "telephone"
    TEXT = "text"
    EMAIL = "email"
    MAIL = "mail"
    SOCIAL = "social"
    IN_PERSON = "in_person"


CHANNEL_MEDIUM: dict[Channel, Medium] = {
    Channel.CALL: Medium.TELEPHONE,
    Channel.VOICEMAIL: Medium.TELEPHONE,
    Channel.SMS: Medium.TEXT,
    Channel.EMAIL: Medium.EMAIL,
    Channel.LETTER: Medium.MAIL,
    Channel.SOCIAL_DM: Medium.SOCIAL,
    Channel.VISIT: Medium.IN_PERSON,
}


class CollectorRole(StrEnum):
    THIRD_PARTY_COLLECTOR = "third_party_collector"
    # A debt buyer whose principal purpose is collection (1692a(6)); see decisions.md D-20.
    DEBT_BUYER = "debt_buyer"
    CREDITOR_USING_OTHER_NAME = "creditor_using_other_name"
    OBTAINED_IN_DEFAULT = "obtained_in_default"
    CREDITOR_OWN_NAME = "creditor_own_name"


class PersonRole(StrEnum):
    """Role of the recipient relative to the debt; the first six are the 1692c(d) consumer."""

    CONSUMER = "consumer"
    SPOUSE = "spouse"
    PARENT_OF_MINOR = "parent_of_minor"
    GUARDIAN = "guardian"
    EXECUTOR_OR_ADMINISTRATOR = "executor_or_administrator"
    SUCCESSOR_IN_INTEREST = "successor_in_interest"
    CONSUMER_ATTORNEY = "consumer_attorney"
    CONSUMER_REPORTING_AGENCY = "consumer_reporting_agency"
    CREDITOR = "creditor"
    CREDITOR_ATTORNEY = "creditor_attorney"
    COLLECTOR_ATTORNEY = "collector_attorney"
    THIRD_PARTY = "third_party"


class RpcState(StrEnum):
    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    FAILED = "failed"


class ConsentKind(StrEnum):
    TIME_PLACE = "time_place"  # 1006.6(b)(4)(i)
    CALL_FREQUENCY = "call_frequency"  # 1006.14(b)(3)(i)
    THIRD_PARTY = "third_party"  # 1006.6(d)(1)
    EMAIL = "email"  # 1006.6(d)(4)(i)
    TEXT = "text"  # 1006.6(d)(5)(ii)
    ESIGN = "esign"  # 1006.42 / E-SIGN 101(c)
    NYC_ECONSENT = "nyc_econsent"
    DC_ECONSENT = "dc_econsent"


class TimePlaceLimit(StrEnum):
    """The four limits a 1006.6(b)(4)(i) consent may lift (FED-TP-EXCEPT): the scope of a
    TIME_PLACE consent names the ones the person agreed to (decisions.md D-47)."""

    TIME_WINDOW = "time_window"  # FED-TIME-WINDOW: before 8 a.m. or after 9 p.m.
    DESIGNATED_TIME = "designated_time"  # FED-TIME-DESIGNATED
    DESIGNATED_PLACE = "designated_place"  # FED-PLACE
    WORKPLACE = "workplace"  # FED-EMPLOYER


class TemplateType(StrEnum):
    VN = "VN"
    REMINDER = "REMINDER"
    PAYMENT_REQUEST = "PAYMENT_REQUEST"
    TERMINATION_NOTICE = "TERMINATION_NOTICE"
    MAY_INVOKE_REMEDIES = "MAY_INVOKE_REMEDIES"
    INTENDS_TO_INVOKE_SPECIFIED_REMEDY = "INTENDS_TO_INVOKE_SPECIFIED_REMEDY"
    VERIFICATION = "VERIFICATION"
    OC_INFORMATION = "OC_INFORMATION"
    OPT_OUT_CONFIRMATION = "OPT_OUT_CONFIRMATION"
    DUPLICATIVE_DISPUTE_NOTICE = "DUPLICATIVE_DISPUTE_NOTICE"
    NON_COLLECTION = "NON_COLLECTION"
    STATEMENT_OF_ACCOUNT = "STATEMENT_OF_ACCOUNT"
    LOCATION_INQUIRY = "LOCATION_INQUIRY"
    LIMITED_CONTENT_MESSAGE = "LIMITED_CONTENT_MESSAGE"
    CONSENT_REQUEST = "CONSENT_REQUEST"
    AGENT_CALL = "AGENT_CALL"
    FORMAL_PLEADING = "FORMAL_PLEADING"
    PROOF_OF_CLAIM = "PROOF_OF_CLAIM"


class ActionKind(StrEnum):
    """What the gate is asked to approve. Only CONTACT is outreach; FURNISH (credit reporting,
    FED-NO-PARKING) and PURGE (record deletion, FED-RECORDS) are gated too."""

    CONTACT = "contact"
    FURNISH = "furnish"
    PURGE = "purge"


class RemedyKind(StrEnum):
    SUE = "sue"
    GARNISH = "garnish"
    ATTACH = "attach"
    SEIZE = "seize"
    SELL = "sell"
    ARBITRATE = "arbitrate"
    REPORT = "report"


# --- collector ----------------------------------------------------------------------------


class Licence(Model):
    state: StateCode
    number: Annotated[str, Field(min_length=1, max_length=60)]
    kind: str = "collection_agency"


class Collector(Model):
    collector_id: Id
    # None means unknown: the gate blocks with DATA_MISSING:collector.role.
    role: CollectorRole | None
    business_name: Annotated[str, Field(min_length=1, max_length=200)]
    # The name used in limited-content messages; must not indicate debt collection.
    lcm_business_name: str | None = None
    creditor_id: Id
    creditor_name: str
    licences: tuple[Licence, ...] = ()
    # NYC amended DCWP rules (2024): effective date postponed indefinitely (decisions.md D-07).
    nyc_amended_rules_effective: bool = False
    # An attorney has meaningfully reviewed the matter (1692e(3)); content may then say so.
    attorney_meaningfully_involved: bool = False

    def licence_number(self, state: str) -> str | None:
        for licence in self.licences:
            if licence.state == state:
                return licence.number
        return None


# --- person -------------------------------------------------------------------------------


class AddressKind(StrEnum):
    RESIDENCE = "residence"
    MAILING = "mailing"
    WORK = "work"
    OTHER = "other"


class Address(Model):
    address_id: Id
    kind: AddressKind
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "US"
    state: StateCode | None = None
    in_nyc: bool = False
    tz: ZoneName | None = None


class StatedLocation(Model):
    """A location the consumer stated, or a recent session geolocation."""

    tz: ZoneName
    state: StateCode | None = None
    in_nyc: bool = False
    stated_at: UtcDatetime
    source: Literal["consumer_statement", "session_geolocation"] = "consumer_statement"


class InconvenientTime(Model):
    """A designation such as "I work nights, don't call before noon" (1006.6(b)(1)(i)).

    Times are local wall-clock times in the person's zone(s); `start > end` wraps midnight.
    An empty `weekdays` means every day (0 = Monday)."""

    weekdays: frozenset[Annotated[int, Field(ge=0, le=6)]] = frozenset()
    start: time
    end: time
    designated_at: UtcDatetime
    source: str = "consumer"
    revoked_at: UtcDatetime | None = None


class PlaceKind(StrEnum):
    HOME = "home"
    WORK = "work"
    SCHOOL = "school"
    HOSPITAL = "hospital"
    OTHER = "other"


class InconvenientPlace(Model):
    place: PlaceKind
    endpoint_id: Id | None = None  # None: every endpoint at that kind of place
    designated_at: UtcDatetime
    written: bool = False
    confirmed_in_writing_at: UtcDatetime | None = None  # MA-WORK-REQ
    revoked_at: UtcDatetime | None = None


class MediumOptOut(Model):
    medium: Medium
    requested_at: UtcDatetime
    confirmation_sent_at: UtcDatetime | None = None


class AddressOptOut(Model):
    endpoint_id: Id
    requested_at: UtcDatetime


class Consent(Model):
    consent_id: Id
    kind: ConsentKind
    given_at: UtcDatetime
    given_directly_to_collector: bool
    written: bool = False
    # 1006.6(b)(4)(i): consent counts only if obtained in a communication that was itself lawful.
    # None: nobody recorded it. Pack version 2026.11.1 reads None as True (this field's former
    # default, so documents stored without it replay as decided); from 2026.12.1 an unknown
    # value lifts nothing (decisions.md D-46).
    obtained_in_compliant_communication: bool | None = None
    source_contact_id: Id | None = None
    endpoint_id: Id | None = None  # None: not tied to one address or number
    debt_ids: frozenset[Id] = frozenset()  # empty: all debts
    valid_from: UtcDatetime | None = None
    valid_until: UtcDatetime | None = None
    renewed_at: UtcDatetime | None = None
    withdrawn_at: UtcDatetime | None = None
    # Portal consent needs a clear disclosure that the address may be used about the debt.
    # None: not recorded; 2026.11.1 reads it as True (the former default), 2026.12.1 as not
    # shown (decisions.md D-46).
    disclosure_shown: bool | None = None
    # TIME_PLACE consents: the limits the person agreed to have lifted (FED-TP-EXCEPT: "consent
    # record with timestamp, channel and scope"). None: no scope recorded. 2026.11.1 ignores
    # it (any live consent lifted all four); from 2026.12.1 a consent lifts only the limits
    # in its scope, and one without a scope lifts none (decisions.md D-47).
    scope: frozenset[TimePlaceLimit] | None = None


class UkFlags(Model):
    vulnerable: bool = False
    lacks_capacity: bool = False
    financial_difficulty: bool = False
    moratorium_active: bool = False
    said_statute_barred: bool = False
    arrears_notice_due_at: UtcDatetime | None = None


class Person(Model):
    person_id: Id
    role: PersonRole
    rpc: RpcState = RpcState.UNVERIFIED
    addresses: tuple[Address, ...] = ()
    stated_locations: tuple[StatedLocation, ...] = ()
    inconvenient_times: tuple[InconvenientTime, ...] = ()
    inconvenient_places: tuple[InconvenientPlace, ...] = ()
    employer_prohibits: bool = False
    medium_optouts: tuple[MediumOptOut, ...] = ()
    address_optouts: tuple[AddressOptOut, ...] = ()
    consents: tuple[Consent, ...] = ()
    court_permits_contact: bool = False  # 1006.6(b)(4)(ii) and (d)(1)
    language_pref: str | None = None
    language_pref_requested_at: UtcDatetime | None = None
    uk: UkFlags | None = None


# --- endpoints ----------------------------------------------------------------------------


class PhoneType(StrEnum):
    CELL = "cell"
    LANDLINE = "landline"
    WORK = "work"
    UNKNOWN = "unknown"


class ReassignedCheck(Model):
    checked_at: UtcDatetime
    result: Literal["no_reassignment", "reassigned", "no_data"]


class PhoneEndpoint(Model):
    kind: Literal["phone"] = "phone"
    endpoint_id: Id
    e164: Annotated[str, Field(pattern=r"^\+[1-9]\d{6,14}$")]
    # UNKNOWN: nobody said whether this is a work number. `place` defaults to HOME and stored
    # profiles carry that default, so it cannot say the place is known; from 2026.12.1 the work
    # rules read an UNKNOWN type as an unknown place (decisions.md D-45).
    phone_type: PhoneType = PhoneType.UNKNOWN
    place: PlaceKind = PlaceKind.HOME
    # True only when the line is known to be the consumer's own (private voicemail).
    owner_confirmed: bool = False
    first_inbound_text_at: UtcDatetime | None = None
    last_inbound_text_at: UtcDatetime | None = None
    reassigned_check: ReassignedCheck | None = None


class CreditorEmailNotice(Model):
    """The creditor-path notice of 1006.6(d)(4)(ii)."""

    sent_at: UtcDatetime
    opt_out_deadline: UtcDatetime
    discloses_transfer: bool
    discloses_address_and_use: bool
    discloses_others_may_see: bool
    gives_opt_out_instructions: bool
    opted_out_at: UtcDatetime | None = None


class EmailEndpoint(Model):
    kind: Literal["email"] = "email"
    endpoint_id: Id
    address: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]
    place: PlaceKind = PlaceKind.HOME
    employer_provided: bool = False
    public_domain: bool = True
    consumer_used_at: UtcDatetime | None = None  # consumer emailed the collector from it
    consumer_provided_voluntarily: bool = False  # NYS 23 NYCRR 1.6
    creditor_obtained_from_consumer: bool = False
    creditor_used_for_account: bool = False
    creditor_notice: CreditorEmailNotice | None = None
    prior_collector_qualified: bool = False  # 6(d)(4)(iii)
    third_party_disclosure_at: UtcDatetime | None = None


class PostalEndpoint(Model):
    kind: Literal["postal"] = "postal"
    endpoint_id: Id
    address_id: Id
    place: PlaceKind = PlaceKind.HOME


class SocialEndpoint(Model):
    kind: Literal["social"] = "social"
    endpoint_id: Id
    platform: str
    visibility: Literal["private", "contacts", "public"] | None = None
    place: PlaceKind = PlaceKind.OTHER


class InPersonEndpoint(Model):
    kind: Literal["in_person"] = "in_person"
    endpoint_id: Id
    address_id: Id
    place: PlaceKind = PlaceKind.HOME
    repossession: bool = False


Endpoint = Annotated[
    PhoneEndpoint | EmailEndpoint | PostalEndpoint | SocialEndpoint | InPersonEndpoint,
    Field(discriminator="kind"),
]


# --- debts --------------------------------------------------------------------------------


class Dispute(Model):
    received_at: UtcDatetime
    medium: Medium
    written: bool  # electronic disputes count as written
    # None: derive from the validation period end (fail closed if that is unknown).
    within_validation_period: bool | None = None
    duplicative: bool = False
    portion_minor: int | None = None
    verification_sent_at: UtcDatetime | None = None


class CeaseNotice(Model):
    received_at: UtcDatetime
    medium: Medium
    written: bool
    kind: Literal["refuses_to_pay", "cease_communication"] = "cease_communication"


class AttorneyRep(Model):
    known_at: UtcDatetime
    name: str | None = None
    address: str | None = None
    readily_ascertainable: bool = False
    consented_to_direct_contact: bool = False
    # None: nobody has judged yet. True needs a human to accept the period as reasonable.
    failed_to_respond: bool | None = None
    written_notice_at: UtcDatetime | None = None  # Cal. Civ. Code 1788.14(c)


class IntendedAction(Model):
    kind: RemedyKind
    lawful: bool
    intended: bool
    approval_id: Id | None = None


class Judgment(Model):
    entered_at: UtcDatetime
    garnishment_authorised: bool = False


class Debt(Model):
    debt_id: Id
    purpose: Literal["consumer", "business", "unknown"] = "unknown"
    governing_state: StateCode | None = None
    debt_type: str = "other"
    # 1006.14(b)(4): student loans serviced under one account number count as one debt.
    frequency_group: Id | None = None
    time_barred: bool | Literal["unknown"] = "unknown"
    past_obsolescence: bool | None = None
    charged_off: bool = False
    paid_in_full: bool = False
    initial_communication_at: UtcDatetime | None = None
    validation_notice_provided_at: UtcDatetime | None = None
    validation_period_end: date | None = None
    nys_initial_disclosure_sent_at: UtcDatetime | None = None
    disputes: tuple[Dispute, ...] = ()
    oc_request_at: UtcDatetime | None = None
    oc_request_written: bool = True
    oc_info_sent_at: UtcDatetime | None = None
    cease: CeaseNotice | None = None
    attorney: AttorneyRep | None = None
    intended_actions: tuple[IntendedAction, ...] = ()
    judgment: Judgment | None = None
    last_collection_activity_at: UtcDatetime | None = None

    def action(self, kind: RemedyKind) -> IntendedAction | None:
        for action in self.intended_actions:
            if action.kind is kind:
                return action
        return None


# --- contact history and approvals -------------------------------------------------------


class ContactEvent(Model):
    event_id: Id
    at: UtcDatetime
    channel: Channel
    endpoint_id: Id | None = None
    person_id: Id
    recipient_role: PersonRole = PersonRole.CONSUMER
    debt_ids: frozenset[Id]
    direction: Literal["outbound", "inbound"] = "outbound"
    initiated_by: Literal["collector", "consumer"] = "collector"
    # None: unknown, counted as connected (fail closed); False: busy, network error.
    connected: bool | None = None
    conversation: bool = False
    voicemail: Literal["none", "lcm", "full"] = "none"
    consent_id: Id | None = None
    responding_to_consumer_request: bool = False
    location_contact: bool = False
    contacted_someone: bool = True  # for visits (MA-VISIT)
    template_type: TemplateType | None = None
    consent_request: bool = False  # DC: a consent-seeking electronic message
    undeliverable_at: UtcDatetime | None = None  # bounce or returned mail
    approval_id: Id | None = None

    # The read-only view the counters use (caps.ContactLike), shared with GrantedApproval.
    @property
    def key(self) -> str:
        return self.event_id

    @property
    def collector_initiated(self) -> bool:
        return self.direction == "outbound" and self.initiated_by == "collector"

    @property
    def responding(self) -> bool:
        return self.responding_to_consumer_request

    @property
    def pending(self) -> bool:
        return False


class GrantedApproval(Model):
    """An approval granted and not yet matched by a ContactAttempted (architecture step 5)."""

    approval_id: Id
    granted_at: UtcDatetime
    expires_at: UtcDatetime
    intended_send_at: UtcDatetime
    channel: Channel
    endpoint_id: Id | None = None
    person_id: Id
    recipient_role: PersonRole = PersonRole.CONSUMER
    debt_ids: frozenset[Id]
    consent_id: Id | None = None
    responding_to_consumer_request: bool = False
    consent_request: bool = False

    # Counted as the worst case: the contact happens at its intended instant, is placed by the
    # collector, connects, and is not (yet) a conversation (caps.py).
    @property
    def key(self) -> str:
        return self.approval_id

    @property
    def at(self) -> datetime:
        return self.intended_send_at

    @property
    def collector_initiated(self) -> bool:
        return True

    @property
    def responding(self) -> bool:
        return self.responding_to_consumer_request

    @property
    def connected(self) -> bool | None:
        return True

    @property
    def conversation(self) -> bool:
        return False

    @property
    def contacted_someone(self) -> bool:
        return True

    @property
    def location_contact(self) -> bool:
        return False

    @property
    def pending(self) -> bool:
        return True


class HouseholdRecord(Model):
    """Another person of the recipient's household whose whole record the context carries:
    every contact and outstanding approval of theirs that the caller knows of is in `history`
    and `approvals`, so none at all means there were none, not that they are unknown. The
    household rules of 2026.12.1 (WA-3PW, MA-HOUSEHOLD) count the debtor's contacts with a
    spouse's or household member's; without such a record naming the debtor they can tell
    "no contacts" from "not told" only by finding one (decisions.md D-48, D-49, D-55)."""

    person_id: Id
    role: PersonRole


# --- proposal -----------------------------------------------------------------------------


class LcmItem(StrEnum):
    BUSINESS_NAME = "business_name"
    REPLY_REQUEST = "reply_request"
    NATURAL_PERSON_NAME = "natural_person_name"
    CALLBACK_NUMBER = "callback_number"
    SALUTATION = "salutation"
    DATE_TIME = "date_time"
    SUGGESTED_REPLY_TIMES = "suggested_reply_times"
    ANY_REPRESENTATIVE = "any_representative"


class EnvelopeItem(StrEnum):
    COLLECTOR_ADDRESS = "collector_address"
    BUSINESS_NAME = "business_name"
    DEBTOR_NAME_ADDRESS = "debtor_name_address"
    POSTAGE = "postage"
    FORWARDING_REQUESTED = "forwarding_requested"
    INTELLIGENT_MAIL_BARCODE = "intelligent_mail_barcode"
    OTHER = "other"


class ContentMeta(Model):
    """Template metadata for what text alone cannot show (or when there is no text)."""

    mm_initial: bool = False
    mm_subsequent: bool = False
    opt_out_statement: bool = False
    opt_out_requires_extra_info: bool = False
    caller_identity: bool = False
    rpc_verification_script: bool = False
    location_script: bool = False
    household_script: bool = False
    lcm_items: frozenset[LcmItem] | None = None
    envelope_items: frozenset[EnvelopeItem] | None = None
    envelope_text: str | None = None
    postcard: bool = False
    vn_elements: frozenset[str] = frozenset()
    validation_period_end_stated: date | None = None
    payment_deadline: date | None = None
    delivery_method_ok: bool = False
    post_judgment_remedy: bool = False
    false_government_affiliation: bool = False
    false_attorney_involvement: bool = False
    simulates_legal_process: bool = False
    untrue_business_name: bool = False
    claims_to_be_cra: bool = False
    language_pref_question: bool = False
    state_notices: frozenset[str] = frozenset()  # e.g. {"CA_1812_700", "NYS_1_2", "NYC_TB"}
    occupier_addressed: bool = False
    premium_rate_number: bool = False
    misleading_contact_reason: bool = False
    threatens: frozenset[RemedyKind] = frozenset()
    mentions_arrest_or_crime: bool = False


class Content(Model):
    text: str | None = None
    language: str = "en"
    meta: ContentMeta = ContentMeta()


class PurgeRequest(Model):
    record_kind: Literal["debt_records", "call_recording"]
    debt_id: Id
    recorded_at: UtcDatetime | None = None  # call date, for call recordings


class Proposal(Model):
    request_id: Id
    action: ActionKind = ActionKind.CONTACT
    # A plain string so that an unknown channel blocks with a reason (decisions.md D-02).
    channel: str | None = Field(
        default=None, examples=[c.value for c in Channel], description="One of Channel."
    )
    endpoint_id: Id | None = None
    recipient_person_id: Id
    recipient_role: PersonRole
    debt_ids: frozenset[Id]
    template_type: TemplateType | None = None
    content: Content = Content()
    intended_send_at: UtcDatetime
    consent_id: Id | None = None  # call placed under a 1006.14(b)(3)(i) consent
    responding_to_consumer_request: bool = False
    location_inquiry: bool = False
    location_followup_allowed: bool = False  # 1006.10(c): asked for, or earlier answer wrong
    required_by_law: bool = False  # 1006.14(h)(2)(iii)
    furnish_reports_disputed: bool | None = None
    purge: PurgeRequest | None = None


_EXAMPLE: JsonDict = {
    "collector": {
        "collector_id": "col-1",
        "role": "third_party_collector",
        "business_name": "Fairway Recovery LLC",
        "creditor_id": "cr-1",
        "creditor_name": "Acme Bank",
    },
    "person": {
        "person_id": "p-1",
        "role": "consumer",
        "addresses": [
            {"address_id": "a-1", "kind": "residence", "state": "NY", "tz": "America/New_York"}
        ],
    },
    "endpoints": [
        {"kind": "phone", "endpoint_id": "ph-1", "e164": "+12125550100", "phone_type": "cell"}
    ],
    "debts": [{"debt_id": "d-1", "purpose": "consumer", "governing_state": "NY"}],
    "proposal": {
        "request_id": "r-1",
        "channel": "call",
        "endpoint_id": "ph-1",
        "recipient_person_id": "p-1",
        "recipient_role": "consumer",
        "debt_ids": ["d-1"],
        "template_type": "AGENT_CALL",
        "content": {"text": "This is Sam from Fairway Recovery LLC, a debt collector."},
        "intended_send_at": "2026-11-26T16:00:00Z",
    },
}


class EvaluationContext(Model):
    """Everything the gate knows when it evaluates one proposed action."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra={"examples": [_EXAMPLE]}
    )

    collector: Collector
    person: Person
    endpoints: tuple[Endpoint, ...] = ()
    debts: tuple[Debt, ...] = ()
    history: tuple[ContactEvent, ...] = ()
    approvals: tuple[GrantedApproval, ...] = ()
    household: tuple[HouseholdRecord, ...] = Field(default=(), max_length=16)
    proposal: Proposal

    @model_validator(mode="after")
    def _recipient_is_the_person(self) -> EvaluationContext:
        # One context describes one recipient; a mismatch is a caller bug, not a rule outcome.
        if self.proposal.recipient_person_id != self.person.person_id:
            raise ValueError("proposal.recipient_person_id must equal person.person_id")
        if self.proposal.recipient_role is not self.person.role:
            raise ValueError("proposal.recipient_role must equal person.role")
        members = [h.person_id for h in self.household]
        if self.person.person_id in members or len(set(members)) != len(members):
            raise ValueError("household names other persons, each once")
        return self
