"""The gate protocol: outreach asks, compliance approves or blocks, outreach reports attempts.

An approval is signed by compliance over the fields the dispatcher must not change; the signed
bytes are defined here, in the shared contract, so that signer and verifier can never disagree.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import orjson
from pydantic import AwareDatetime, Field

from goodfaith_events.contracts.common import Channel, Contract, Id, personal


class ContactRequested(Contract):
    request_id: Id
    person_id: Id
    debt_ids: Annotated[list[Id], Field(min_length=1)]
    channel: Channel
    endpoint: str = personal("Phone number (E.164), email address or postal address id")
    recipient_role: Annotated[str, Field(max_length=30)] = "consumer"
    template_id: Id
    template_type: Annotated[str, Field(max_length=60)]
    content_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 hex")]
    language: Annotated[str, Field(max_length=20)] = "en"
    intended_send_at: AwareDatetime
    # Optional (compatible) additions the gate reads when present; the gate blocks with
    # DATA_MISSING when a rule needs something the request does not carry.
    endpoint_id: Id | None = Field(
        default=None, description="The endpoint's id in the compliance profile, when known")
    content_text: str | None = Field(
        default=None, json_schema_extra={"x-personal-data": True},
        description="The rendered content (script, message body); its SHA-256 must equal "
        "content_hash")
    template_meta: dict[str, Any] = Field(
        default_factory=dict,
        description="Template metadata flags (compliance ContentMeta: disclosures present, "
        "LCM items, threats, state notices ...)")
    consent_id: Id | None = Field(
        default=None, description="A consent the contact relies on (e.g. 1006.14(b)(3)(i))")
    responding_to_consumer_request: bool = False
    location_inquiry: bool = Field(
        default=False, description="A communication with a third party only to acquire "
        "location information about the consumer (1692b, 1006.10(b)); judged by FED-LOC")
    location_followup_allowed: bool = Field(
        default=False, description="1006.10(c): the person asked for a later contact, or the "
        "collector reasonably believes the earlier answer was wrong or incomplete and the "
        "person now has correct or complete information")


class FailingRule(Contract):
    rule_id: str
    citation: str
    explanation: str


class ContactApproved(Contract):
    request_id: Id
    decision_id: Id
    approval_id: Id
    person_id: Id
    channel: Channel
    endpoint: str = personal("The endpoint the approval is bound to")
    content_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    expires_at: AwareDatetime
    pack_version: str
    obligations: list[str] = Field(default_factory=list)
    key_id: str
    signature: str = Field(description="Base64 Ed25519 signature over approval_signing_bytes")
    # Optional (compatible): the instant the rules judged the contact for (the request's
    # intended send time, or the decision's when that was later). A send before it was judged
    # by no time rule and is a violation (BEFORE_JUDGED_TIME, compliance decisions.md D-41).
    # Not in the signed bytes, which the gate protocol fixes: the attempt check holds either way.
    not_before: AwareDatetime | None = Field(
        default=None, description="Do not send before this instant: the rules judged that one")


class ContactBlocked(Contract):
    request_id: Id
    decision_id: Id
    person_id: Id
    outcome: Annotated[str, Field(pattern=r"^(BLOCK|REVIEW)$")]
    failing_rules: Annotated[list[FailingRule], Field(min_length=1)]
    retry_at: AwareDatetime | None = None
    pack_version: str
    # Optional (compatible): machine-readable reason codes, e.g. a rule id,
    # "DATA_MISSING:person.profile" or "RULE_ERROR:<rule id>".
    reasons: list[str] = Field(default_factory=list)


class AttemptOutcome(StrEnum):
    DELIVERED = "delivered"
    BOUNCED = "bounced"
    NOT_CONNECTED = "not_connected"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    CONVERSATION = "conversation"
    PROMISE_TO_PAY = "promise_to_pay"
    WRONG_PARTY = "wrong_party"
    OPTED_OUT = "opted_out"


class ContactAttempted(Contract):
    attempt_id: Id
    request_id: Id | None = None
    approval_id: Id | None = Field(default=None, description="None means sent without approval")
    person_id: Id
    debt_ids: Annotated[list[Id], Field(min_length=1)]
    channel: Channel
    endpoint: str = personal("Where the attempt went")
    content_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    attempted_at: AwareDatetime
    outcome: AttemptOutcome
    connected: bool
    conversation: bool
    # Optional (compatible) additions for compliance's contact history.
    endpoint_id: Id | None = Field(
        default=None, description="The endpoint's id in the compliance profile, when known")
    recipient_role: Annotated[str, Field(max_length=30)] = "consumer"
    template_type: Annotated[str, Field(max_length=60)] | None = None


def approval_signing_bytes(
    *,
    request_id: str,
    person_id: str,
    channel: str,
    endpoint: str,
    content_hash: str,
    expires_at: str,
) -> bytes:
    """The exact bytes compliance signs and the dispatcher verifies (architecture, gate step 3).

    `expires_at` is the ISO-8601 UTC text as carried in the ContactApproved payload."""
    return orjson.dumps(
        {
            "channel": channel,
            "content_hash": content_hash,
            "endpoint": endpoint,
            "expires_at": expires_at,
            "person_id": person_id,
            "request_id": request_id,
        },
        option=orjson.OPT_SORT_KEYS,
    )
