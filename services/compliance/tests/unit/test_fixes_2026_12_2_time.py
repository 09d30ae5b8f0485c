"""Pack 2026.12.2 fixes of time, place and frequency (decisions.md D-56 to D-65).

Each scenario is decided under 2026.12.1 (the released answer, which must replay) and under
2026.12.2 (the fix), next to the boundary case that must still be allowed."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from compliance.domain import evaluate
from compliance.domain.context import (
    CollectorRole,
    Consent,
    ConsentKind,
    ContactEvent,
    Content,
    ContentMeta,
    EvaluationContext,
    InconvenientPlace,
    InconvenientTime,
    PersonRole,
    PlaceKind,
    RpcState,
)

from .factories import (
    CHICAGO,
    EMAIL_TEXT,
    LCM_TEXT,
    NEW_YORK,
    T0,
    approval,
    at,
    call,
    debt,
    fine,
    in_state,
    local,
    phone,
    utc,
    with_approvals,
    with_collector,
    with_history,
    with_person,
    with_proposal,
)

OLD, NEW = "2026.12.1", "2026.12.2"

LCM = Content(
    text=LCM_TEXT,
    meta=ContentMeta(
        lcm_items=frozenset(
            {"business_name", "reply_request", "natural_person_name", "callback_number"}
        )
    ),
)
EMAIL = Content(text=EMAIL_TEXT, meta=ContentMeta(opt_out_statement=True))


def decide(ctx: EvaluationContext, version: str) -> tuple[str, set[str]]:
    d = evaluate(ctx, pack_version=version)
    return d.outcome.value, {r.rule_id for r in d.failing}


def day18(hour: int, minute: int = 0) -> datetime:
    return local(CHICAGO, 2026, 11, 18, hour, minute)


def inbound(
    eid: str, when: datetime, channel: str, endpoint: str | None, **kw: Any
) -> ContactEvent:
    base: dict[str, Any] = {
        "event_id": eid,
        "at": when,
        "channel": channel,
        "endpoint_id": endpoint,
        "person_id": "p-1",
        "debt_ids": frozenset({"d-1"}),
        "direction": "inbound",
        "initiated_by": "consumer",
        "connected": True,
    }
    return ContactEvent.model_validate({**base, **kw})


# --- D-56: the one reply answers an inbound contact in its own medium -----------------------


def _email_reply(*history: ContactEvent, send_at: datetime) -> EvaluationContext:
    ctx = with_history(fine(), *history)
    return with_proposal(
        ctx,
        channel="email",
        endpoint_id="em-1",
        template_type="REMINDER",
        intended_send_at=send_at,
        responding_to_consumer_request=True,
        content=EMAIL,
    )


def test_d56_a_late_call_does_not_open_a_late_email_reply() -> None:
    # The person emailed at 14:00 (convenient) and called at 21:30; we email back at 21:45.
    ctx = _email_reply(
        inbound("i1", day18(14), "email", "em-1"),
        inbound("i2", day18(21, 30), "call", "ph-1"),
        send_at=day18(21, 45),
    )
    assert decide(ctx, OLD)[0] == "ALLOW"
    outcome, failing = decide(ctx, NEW)
    assert outcome == "BLOCK" and "FED-TIME-WINDOW" in failing


def test_d56_boundary_a_late_email_still_opens_one_late_email_reply() -> None:
    ctx = _email_reply(inbound("i1", day18(21, 30), "email", "em-1"), send_at=day18(21, 45))
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW)[0] == "ALLOW"


# --- D-63: the one reply must follow the inbound contact within 60 minutes ------------------


def _voicemail_reply(inbound_at: datetime, send_at: datetime) -> EvaluationContext:
    ctx = with_history(fine(), inbound("i1", inbound_at, "call", "ph-1"))
    return with_proposal(
        ctx,
        channel="voicemail",
        template_type="LIMITED_CONTENT_MESSAGE",
        content=LCM,
        intended_send_at=send_at,
        responding_to_consumer_request=True,
    )


def test_d63_a_reply_17_days_later_is_not_the_one_reply() -> None:
    ctx = _voicemail_reply(local(CHICAGO, 2026, 11, 1, 22, 0), day18(23, 30))
    assert decide(ctx, OLD)[0] == "ALLOW"
    outcome, failing = decide(ctx, NEW)
    assert outcome == "BLOCK" and "FED-TIME-WINDOW" in failing


def test_d63_boundary_60_minutes_is_allowed_61_is_not() -> None:
    inbound_at = day18(22, 0)
    assert decide(_voicemail_reply(inbound_at, inbound_at + timedelta(minutes=60)), NEW)[0] == (
        "ALLOW"
    )
    late = _voicemail_reply(inbound_at, inbound_at + timedelta(minutes=61))
    assert decide(late, OLD)[0] == "ALLOW"
    assert decide(late, NEW)[0] == "BLOCK"


# --- D-57: FED-FREQ-EXCL (i) uses only a consent that is in force, prior and in scope --------


def _seven_calls(**kw: Any) -> EvaluationContext:
    calls = [call(local(CHICAGO, 2026, 11, 12 + i, 10, 0)) for i in range(7)]
    return with_history(fine(**kw), *calls)


def _frequency_consent(**kw: Any) -> Consent:
    base: dict[str, Any] = {
        "consent_id": "c1",
        "kind": ConsentKind.CALL_FREQUENCY,
        "given_directly_to_collector": True,
        "given_at": day18(9),
    }
    return Consent.model_validate({**base, **kw})


def _eighth_call_with(consent: Consent) -> EvaluationContext:
    ctx = with_person(_seven_calls(), consents=[consent])
    return with_proposal(ctx, consent_id=consent.consent_id)


def test_d57_a_consent_for_another_debt_does_not_exclude_the_call() -> None:
    ctx = _eighth_call_with(_frequency_consent(debt_ids=frozenset({"d-2"})))
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW) == ("BLOCK", {"FED-7IN7"})


def test_d57_an_expired_consent_does_not_exclude_the_call() -> None:
    ctx = _eighth_call_with(_frequency_consent(valid_until=day18(9, 30)))
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW) == ("BLOCK", {"FED-7IN7"})


def test_d57_a_consent_given_after_the_call_is_not_prior_consent() -> None:
    ctx = _eighth_call_with(_frequency_consent(given_at=day18(15)))  # the call is at 10:00
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW) == ("BLOCK", {"FED-7IN7"})


def test_d57_boundary_a_prior_in_force_consent_for_the_debt_still_excludes() -> None:
    ctx = _eighth_call_with(_frequency_consent(debt_ids=frozenset({"d-1"}), valid_until=day18(12)))
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW)[0] == "ALLOW"


def test_d57_a_conversation_about_one_loan_uses_up_the_consent_for_its_group() -> None:
    base = fine(debts=[debt("L1", frequency_group="SL-1"), debt("L2", frequency_group="SL-1")])
    talk = call(day18(9, 30), debt_ids={"L1"}, conversation=True)
    ctx = with_person(with_history(base, talk), consents=[_frequency_consent()])
    ctx = with_proposal(ctx, debt_ids={"L2"}, consent_id="c1")
    assert decide(ctx, OLD)[0] == "ALLOW"
    outcome, failing = decide(ctx, NEW)
    assert outcome == "BLOCK" and "FED-CONV-COOLDOWN" in failing


def test_d57_an_unscoped_consent_is_used_up_by_the_conversation_about_another_debt() -> None:
    # Seven calls about d-2, then the requested conversation (about d-1): an eighth d-2 call
    # under the same unscoped consent is no longer excluded.
    days = [local(CHICAGO, 2026, 11, 12 + i, 10, 0) for i in range(6)]
    history = [call(d, debt_ids={"d-2"}) for d in days]
    history += [call(day18(8, 30), debt_ids={"d-2"}), call(day18(9, 30), conversation=True)]
    base = fine(debts=[debt("d-1"), debt("d-2")])
    ctx = with_person(with_history(base, *history), consents=[_frequency_consent()])
    ctx = with_proposal(ctx, debt_ids={"d-2"}, consent_id="c1", intended_send_at=day18(11))
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW) == ("BLOCK", {"FED-7IN7"})


def test_d57_boundary_a_scoped_consent_is_not_used_up_by_another_debts_conversation() -> None:
    # Seven d-1 calls; the conversation was about d-2, so the d-1 consent is still open.
    base = _seven_calls(debts=[debt("d-1"), debt("d-2")])
    talk = call(day18(9, 30), debt_ids={"d-2"}, conversation=True)
    consent = _frequency_consent(debt_ids=frozenset({"d-1"}))
    ctx = with_person(with_history(base, talk), consents=[consent])
    ctx = with_proposal(ctx, consent_id="c1", intended_send_at=day18(11))
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW)[0] == "ALLOW"


# --- D-58: a recorded zone that is not an IANA name blocks every rule needing the zones -----


def _massachusetts_creditor(zone_name: str) -> EvaluationContext:
    base = with_collector(
        fine(endpoints=[phone("+16175550100")]), role=CollectorRole.CREDITOR_OWN_NAME
    )
    # 09:00 in New York is 06:00 in Los Angeles, where the misspelt address is.
    return at(in_state(base, "MA", zone_name), local(NEW_YORK, 2026, 11, 18, 9, 0))


def test_d58_a_misspelt_zone_is_not_quietly_dropped() -> None:
    ctx = _massachusetts_creditor("America/Los_Angles")  # typo for Los_Angeles
    assert decide(ctx, OLD)[0] == "ALLOW"  # FED does not apply to a creditor; MA judged NY only
    d = evaluate(ctx, pack_version=NEW)
    assert d.outcome.value == "BLOCK"
    assert "DATA_MISSING:person.addresses[0].tz" in d.reasons
    assert {"MA-TIME", "POL-TIME-WINDOW"} <= {r.rule_id for r in d.failing}


def test_d58_boundary_a_valid_zone_is_judged_as_before() -> None:
    ctx = at(_massachusetts_creditor("America/New_York"), local(NEW_YORK, 2026, 11, 18, 10, 0))
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW)[0] == "ALLOW"


# --- D-59: a designation whose start equals its end is the whole day ------------------------


def _never_on_sundays(send_at: datetime) -> EvaluationContext:
    sundays = InconvenientTime(
        weekdays=frozenset({6}), start=time(0), end=time(0), designated_at=utc(2026, 11, 1)
    )
    return at(with_person(fine(), inconvenient_times=[sundays]), send_at)


def test_d59_never_on_sundays_blocks_a_sunday_call() -> None:
    ctx = _never_on_sundays(local(CHICAGO, 2026, 11, 22, 10, 0))  # Sunday
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW) == ("BLOCK", {"FED-TIME-DESIGNATED"})
    designated = next(
        r for r in evaluate(ctx, pack_version=NEW).trace if r.rule_id == "FED-TIME-DESIGNATED"
    )
    assert designated.retry_at == local(CHICAGO, 2026, 11, 23, 0, 0)  # Monday 00:00


def test_d59_boundary_never_on_sundays_allows_monday() -> None:
    ctx = _never_on_sundays(local(CHICAGO, 2026, 11, 23, 10, 0))  # Monday
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW)[0] == "ALLOW"


# --- D-60: a call or conversation recorded without debts is about every debt --------------


def test_d60_an_inbound_conversation_without_debt_ids_starts_the_cooldown() -> None:
    talk = inbound(
        "i1", local(CHICAGO, 2026, 11, 17, 15, 0), "call", "ph-1", debt_ids=(), conversation=True
    )
    ctx = with_history(fine(), talk)
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW) == ("BLOCK", {"FED-CONV-COOLDOWN"})


def test_d60_boundary_a_conversation_about_another_debt_still_starts_none() -> None:
    talk = inbound(
        "i1",
        local(CHICAGO, 2026, 11, 17, 15, 0),
        "call",
        "ph-1",
        debt_ids=("d-2",),
        conversation=True,
    )
    ctx = with_history(fine(debts=[debt("d-1"), debt("d-2")]), talk)
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW)[0] == "ALLOW"


# --- D-61: FED-PLACE with no endpoint while a place is designated inconvenient --------------


def _home_designated(channel: str, endpoint_id: str | None) -> EvaluationContext:
    home = InconvenientPlace(place=PlaceKind.HOME, designated_at=T0 - timedelta(days=5))
    ctx = with_person(fine(), inconvenient_places=[home])
    return with_proposal(ctx, channel=channel, endpoint_id=endpoint_id)


def test_d61_a_call_or_visit_without_endpoint_is_missing_data() -> None:
    for channel in ("call", "visit"):
        ctx = _home_designated(channel, None)
        old = evaluate(ctx, pack_version=OLD)
        assert next(r for r in old.trace if r.rule_id == "FED-PLACE").outcome.value == "ALLOW"
        new = evaluate(ctx, pack_version=NEW)
        assert "FED-PLACE" in {r.rule_id for r in new.failing}
        assert "DATA_MISSING:proposal.endpoint_id" in new.reasons


def test_d61_boundary_a_known_cell_phone_is_not_the_designated_home() -> None:
    ctx = _home_designated("call", "ph-1")  # the cell's place is recorded as `home` by default
    ctx = with_person(ctx, inconvenient_places=[])  # no designation: judged as before
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW)[0] == "ALLOW"
    work = InconvenientPlace(place=PlaceKind.WORK, designated_at=T0 - timedelta(days=5))
    ctx = with_person(ctx, inconvenient_places=[work])  # a work designation, a known cell
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW)[0] == "ALLOW"


# --- D-62 and D-64: FED-LOC ---------------------------------------------------------------


def _location_call(text: str) -> EvaluationContext:
    tp = with_person(fine(), role=PersonRole.THIRD_PARTY, rpc=RpcState.UNVERIFIED)
    return with_proposal(
        tp,
        location_inquiry=True,
        template_type="LOCATION_INQUIRY",
        content=Content(text=text, meta=ContentMeta(location_script=True)),
    )


SCRIPT = "Hi, this is Sam. I am confirming location information for Pat Doe."


def _loc(ctx: EvaluationContext, version: str) -> str:
    d = evaluate(ctx, pack_version=version)
    return str(next(r for r in d.trace if r.rule_id == "FED-LOC").outcome.value)


def test_d62_an_outstanding_approval_to_the_same_third_party_counts_as_the_first() -> None:
    outstanding = approval(
        T0 - timedelta(minutes=30),
        recipient_role=PersonRole.THIRD_PARTY,
        expires_at=T0 + timedelta(hours=2),
    )
    ctx = with_approvals(_location_call(SCRIPT), outstanding)
    assert _loc(ctx, OLD) == "REQUIRE"
    assert _loc(ctx, NEW) == "BLOCK"
    # The person asked to be called back (1006.10(c)): still allowed, as before.
    followup = with_proposal(ctx, location_followup_allowed=True)
    assert _loc(followup, NEW) == "REQUIRE"


def test_d62_boundary_a_first_location_call_is_still_allowed() -> None:
    ctx = _location_call(SCRIPT)
    assert _loc(ctx, OLD) == "REQUIRE"
    assert _loc(ctx, NEW) == "REQUIRE"
    assert decide(ctx, NEW)[0] == "ALLOW"


def test_d64_a_location_script_that_names_the_collector_is_blocked() -> None:
    for text in (
        "Hi, this is Sam from Fairway Recovery LLC. I am confirming location information.",
        "Hi, this is Sam with fairway recovery. I am confirming location information.",
        "Hi, this is Sam at Fairway Services. I am confirming location information.",
    ):
        ctx = _location_call(text)
        assert _loc(ctx, OLD) == "REQUIRE", text
        assert decide(ctx, NEW) == ("BLOCK", {"FED-LOC"}), text


def test_d62_boundary_an_expired_unused_approval_is_no_earlier_contact() -> None:
    # Approved yesterday, never placed, expired: no location communication happened.
    expired = approval(
        T0 - timedelta(days=1),
        recipient_role=PersonRole.THIRD_PARTY,
        expires_at=T0 - timedelta(hours=20),
    )
    assert _loc(with_approvals(_location_call(SCRIPT), expired), NEW) == "REQUIRE"


def test_d64_boundary_a_callers_surname_is_not_a_partners_firm() -> None:
    ctx = with_collector(_location_call(
        "Hi, this is Mary Smith. I am confirming location information for Pat Doe."),
        business_name="Smith & Co.")
    assert _loc(ctx, NEW) == "REQUIRE"
    named = with_collector(_location_call(
        "Hi, this is Mary from Smith Co. I am confirming location information."),
        business_name="Smith Co.")
    assert _loc(named, NEW) == "BLOCK"


def test_d64_boundary_a_word_of_the_name_alone_is_not_the_name() -> None:
    ctx = _location_call("Hi, this is Sam. I am confirming the recovery of location information.")
    assert _loc(ctx, NEW) == "REQUIRE"


def test_d60_calls_recorded_without_debt_ids_count_toward_the_7_in_7_cap() -> None:
    calls = [call(local(CHICAGO, 2026, 11, 12 + i, 9, 0), debt_ids=()) for i in range(7)]
    ctx = with_history(fine(), *calls)
    assert decide(ctx, OLD)[0] == "ALLOW"
    assert decide(ctx, NEW) == ("BLOCK", {"FED-7IN7"})
    # Boundary: six such calls leave room for a seventh.
    assert decide(with_history(fine(), *calls[1:]), NEW)[0] == "ALLOW"
