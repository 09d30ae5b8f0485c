"""HTTP-only request shapes (they never enter the domain)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from goodfaith_events.contracts.common import Instant

Id = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]

_CHECK_EXAMPLE: JsonDict = {
    "request_id": "manual-call-0001",
    "person_id": "p-1",
    "debt_ids": ["d-1"],
    "channel": "call",
    "endpoint": "+13125550100",
    "template_type": "AGENT_CALL",
    "content_text": "Hi, this is Sam with Fairway Recovery LLC. This communication is from a "
    "debt collector.",
    "template_meta": {"caller_identity": True},
    "intended_send_at": "2026-11-18T16:00:00Z",
}


class CheckRequest(BaseModel):
    """A contact an agent is about to make by hand. Decided and recorded exactly like a
    ContactRequested from Kafka; an unknown channel, endpoint or template blocks with the
    reason rather than failing the call."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CHECK_EXAMPLE]})

    request_id: Id | None = Field(None, description="Defaults to a new id; a repeated id "
                                  "returns the decision already made for it")
    person_id: Id
    debt_ids: Annotated[list[Id], Field(min_length=1, max_length=50)]
    channel: Annotated[str, Field(min_length=1, max_length=30)]
    endpoint: Annotated[str, Field(min_length=1, max_length=320,
                                   description="Phone number (E.164), email or address id")]
    endpoint_id: Id | None = None
    recipient_role: Annotated[str, Field(max_length=30)] = "consumer"
    template_id: Id | None = None
    template_type: Annotated[str, Field(max_length=60)] | None = "AGENT_CALL"
    content_text: Annotated[str, Field(max_length=20_000)] | None = None
    content_hash: Hash | None = Field(None, description="SHA-256 hex of content_text; "
                                      "computed when absent")
    template_meta: dict[str, Any] = Field(default_factory=dict)
    language: Annotated[str, Field(max_length=20)] = "en"
    intended_send_at: Instant | None = Field(None, description="Defaults to now")
    consent_id: Id | None = None
    responding_to_consumer_request: bool = False
    location_inquiry: bool = Field(False, description="A third-party call or letter only to "
                                   "acquire location information (1692b; FED-LOC)")
    location_followup_allowed: bool = Field(False, description="1006.10(c): a second location "
                                            "contact with this person is permitted")


# --- The what-if answer (`POST /v1/evaluate`): Decision.as_record() plus the failing rules -----

RuleOutcome = Literal["ALLOW", "BLOCK", "PAUSE", "REVIEW", "REQUIRE", "NOT_APPLICABLE"]


class RuleTrace(BaseModel):
    """One rule's result: every rule of every selected pack is listed, in evaluation order."""

    rule_id: str = Field(examples=["FED-TIME-WINDOW"])
    citation: str = Field(examples=["15 U.S.C. 1692c(a)(1); 12 CFR 1006.6(b)(1)(i)"])
    outcome: RuleOutcome
    explanation: str
    inputs: dict[str, Any] = Field(description="what the rule read (ids and derived values)")
    retry_at: Instant | None = Field(description="the earliest instant this rule could allow")
    reason_codes: list[str] = Field(description="empty for ALLOW",
                                    examples=[["OUTSIDE_WINDOW"]])


class ObligationOut(BaseModel):
    code: str
    text: str
    kind: Literal["content", "duty"]
    due_at: Instant | None


class EvaluationAnswer(BaseModel):
    outcome: Literal["ALLOW", "BLOCK", "REVIEW"]
    pack_version: str = Field(examples=["2026.12.1"])
    packs: list[str] = Field(description="the rule packs selected for this context")
    reasons: list[str] = Field(description="reason codes of the failing rules")
    retry_at: Instant | None = Field(description="the earliest instant a BLOCK could allow")
    obligations: list[ObligationOut]
    trace: list[RuleTrace]
    failing: list[RuleTrace] = Field(description="the trace's BLOCK, PAUSE and REVIEW results")

