"""Builders for evaluation contexts: `fine()` is a context the gate ALLOWs; helpers tweak it.

The default: a third-party collector calls a right-party-verified consumer in Chicago (address
and 312 cell both America/Chicago) about one consumer debt governed by Illinois (no state
overlay), whose validation period is over. The call is on Wednesday 2026-11-18 at 10:00 CST.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from compliance.domain import EvaluationContext
from compliance.domain.context import (
    Address,
    AddressKind,
    Collector,
    CollectorRole,
    ContactEvent,
    Content,
    ContentMeta,
    Debt,
    EmailEndpoint,
    GrantedApproval,
    Person,
    PersonRole,
    PhoneEndpoint,
    PhoneType,
    Proposal,
    RpcState,
)

CHICAGO = ZoneInfo("America/Chicago")
NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")

_ids = count(1)


def local(zone: ZoneInfo, *args: int) -> datetime:
    """A UTC instant from a local wall-clock time: local(CHICAGO, 2026, 11, 18, 10, 0)."""
    return datetime(*args, tzinfo=zone).astimezone(UTC)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


T0 = local(CHICAGO, 2026, 11, 18, 10, 0)

CALL_SCRIPT = (
    "Hi, this is Sam with Fairway Recovery LLC. This communication is from a debt collector."
)
EMAIL_TEXT = (
    "Fairway Recovery LLC: this message is from a debt collector. Your balance on account 1234 "
    "is $120.00. To stop emails from us to this address, reply STOP or unsubscribe."
)
INITIAL_TEXT = (
    "This is Fairway Recovery LLC. We are attempting to collect a debt and any information "
    "obtained will be used for that purpose."
)
LCM_TEXT = (
    "Hello, this is Sam Lee from Fairway Services. Please call us back at 312-555-0199. Thank you."
)


def rebuild(model: BaseModel, **update: Any) -> Any:
    """A validated copy of a frozen model with some fields replaced."""
    return type(model).model_validate({**dict(model), **update})


def collector(**kw: Any) -> Collector:
    base: dict[str, Any] = {
        "collector_id": "col-1",
        "role": CollectorRole.THIRD_PARTY_COLLECTOR,
        "business_name": "Fairway Recovery LLC",
        "lcm_business_name": "Fairway Services",
        "creditor_id": "cr-1",
        "creditor_name": "Acme Bank",
    }
    return Collector.model_validate({**base, **kw})


def person(**kw: Any) -> Person:
    base: dict[str, Any] = {
        "person_id": "p-1",
        "role": PersonRole.CONSUMER,
        "rpc": RpcState.VERIFIED,
        "addresses": [
            Address(address_id="a-1", kind=AddressKind.RESIDENCE, state="IL", tz="America/Chicago")
        ],
    }
    return Person.model_validate({**base, **kw})


def address(state: str, tz: str | None, **kw: Any) -> Address:
    return Address.model_validate(
        {"address_id": f"a-{next(_ids)}", "kind": "residence", "state": state, "tz": tz, **kw}
    )


def phone(e164: str = "+13125550100", **kw: Any) -> PhoneEndpoint:
    return PhoneEndpoint.model_validate(
        {
            "endpoint_id": "ph-1",
            "e164": e164,
            "phone_type": PhoneType.CELL,
            "owner_confirmed": True,
            **kw,
        }
    )


def email(**kw: Any) -> EmailEndpoint:
    return EmailEndpoint.model_validate(
        {
            "endpoint_id": "em-1",
            "address": "pat@example.com",
            "consumer_used_at": utc(2026, 10, 5),
            **kw,
        }
    )


def debt(debt_id: str = "d-1", **kw: Any) -> Debt:
    base: dict[str, Any] = {
        "debt_id": debt_id,
        "purpose": "consumer",
        "governing_state": "IL",
        "time_barred": False,
        "initial_communication_at": utc(2026, 10, 1, 15),
        "validation_notice_provided_at": utc(2026, 10, 1, 15),
    }
    return Debt.model_validate({**base, **kw})


def proposal(**kw: Any) -> Proposal:
    base: dict[str, Any] = {
        "request_id": f"r-{next(_ids)}",
        "channel": "call",
        "endpoint_id": "ph-1",
        "recipient_person_id": "p-1",
        "recipient_role": PersonRole.CONSUMER,
        "debt_ids": {"d-1"},
        "template_type": "AGENT_CALL",
        "content": Content(text=CALL_SCRIPT),
        "intended_send_at": T0,
    }
    return Proposal.model_validate({**base, **kw})


def fine(**kw: Any) -> EvaluationContext:
    base: dict[str, Any] = {
        "collector": collector(),
        "person": person(),
        "endpoints": [phone(), email()],
        "debts": [debt()],
        "history": [],
        "approvals": [],
        "proposal": proposal(),
    }
    return EvaluationContext.model_validate({**base, **kw})


# --- tweaks ---------------------------------------------------------------------------------


def at(ctx: EvaluationContext, instant: datetime) -> EvaluationContext:
    return with_proposal(ctx, intended_send_at=instant)


def with_proposal(ctx: EvaluationContext, **kw: Any) -> EvaluationContext:
    return rebuild(ctx, proposal=rebuild(ctx.proposal, **kw))


def with_person(ctx: EvaluationContext, **kw: Any) -> EvaluationContext:
    new_person = rebuild(ctx.person, **kw)
    update: dict[str, Any] = {"person": new_person}
    if "role" in kw or "person_id" in kw:
        update["proposal"] = rebuild(
            ctx.proposal, recipient_role=new_person.role, recipient_person_id=new_person.person_id
        )
    return rebuild(ctx, **update)


def with_collector(ctx: EvaluationContext, **kw: Any) -> EvaluationContext:
    return rebuild(ctx, collector=rebuild(ctx.collector, **kw))


def with_debt(ctx: EvaluationContext, **kw: Any) -> EvaluationContext:
    """Replace fields of the first debt."""
    first, *rest = ctx.debts
    return rebuild(ctx, debts=[rebuild(first, **kw), *rest])


def with_content(ctx: EvaluationContext, text: str | None = None, **meta: Any) -> EvaluationContext:
    language = meta.pop("language", "en")
    content = Content(text=text, language=language, meta=ContentMeta.model_validate(meta))
    return with_proposal(ctx, content=content)


def with_history(ctx: EvaluationContext, *events: ContactEvent) -> EvaluationContext:
    return rebuild(ctx, history=[*ctx.history, *events])


def with_approvals(ctx: EvaluationContext, *approvals: GrantedApproval) -> EvaluationContext:
    return rebuild(ctx, approvals=[*ctx.approvals, *approvals])


def in_state(ctx: EvaluationContext, state: str, tz: str, **address_kw: Any) -> EvaluationContext:
    """Move the person and the debt to another state."""
    ctx = with_person(ctx, addresses=[address(state, tz, **address_kw)])
    return with_debt(ctx, governing_state=state)


def call(instant: datetime, **kw: Any) -> ContactEvent:
    base: dict[str, Any] = {
        "event_id": f"e-{next(_ids)}",
        "at": instant,
        "channel": "call",
        "endpoint_id": "ph-1",
        "person_id": "p-1",
        "debt_ids": {"d-1"},
        "connected": True,
    }
    return ContactEvent.model_validate({**base, **kw})


def message(instant: datetime, channel: str = "sms", **kw: Any) -> ContactEvent:
    endpoint = {"sms": "ph-1", "email": "em-1"}.get(channel)
    return call(instant, channel=channel, endpoint_id=endpoint, **kw)


def approval(instant: datetime, **kw: Any) -> GrantedApproval:
    base: dict[str, Any] = {
        "approval_id": f"ap-{next(_ids)}",
        "granted_at": instant - timedelta(minutes=1),
        "expires_at": instant + timedelta(hours=1),
        "intended_send_at": instant,
        "channel": "call",
        "endpoint_id": "ph-1",
        "person_id": "p-1",
        "debt_ids": {"d-1"},
    }
    return GrantedApproval.model_validate({**base, **kw})


def failing_ids(decision: Any) -> set[str]:
    return {r.rule_id for r in decision.failing}


def result(decision: Any, rule_id: str) -> Any:
    return next(r for r in decision.trace if r.rule_id == rule_id)
