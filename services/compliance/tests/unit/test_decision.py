"""Combination, pack selection, pack versions, fail-closed behaviour."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import pytest

from compliance.domain import (
    CURRENT_VERSION,
    DecisionOutcome,
    PackRegistry,
    UnknownPackVersion,
    evaluate,
)
from compliance.domain.context import AttorneyRep, CeaseNotice, PersonRole
from compliance.domain.decision import combine
from compliance.domain.errors import PackVersionConflict
from compliance.domain.packs import DEFAULT_REGISTRY, PackVersion
from compliance.domain.results import Obligation, Outcome, RuleDef, RuleResult

from .factories import (
    CHICAGO,
    failing_ids,
    fine,
    in_state,
    local,
    result,
    utc,
    with_collector,
    with_content,
    with_debt,
    with_person,
    with_proposal,
)

# Every rule id of the reference (sections 2, 4, 5) plus our policy and input rules.
REFERENCE_IDS = [
    "FED-TIME-WINDOW",
    "FED-TZ-ALL",
    "FED-TIME-DESIGNATED",
    "FED-PLACE",
    "FED-EMPLOYER",
    "FED-TP-EXCEPT",
    "FED-ATTY",
    "FED-CEASE",
    "FED-3P",
    "FED-LOC",
    "FED-7IN7",
    "FED-CONV-COOLDOWN",
    "FED-FREQ-EXCL",
    "FED-HARASS-GENERAL",
    "FED-CALLER-ID",
    "FED-MEDIUM-OPTOUT",
    "FED-EOPT-NOTICE",
    "FED-EMAIL-PROC",
    "FED-TEXT-PROC",
    "FED-WORK-EMAIL",
    "FED-SOCIAL",
    "FED-MAIL-FORM",
    "FED-LCM",
    "FED-MINI-MIRANDA",
    "FED-NO-CRIMINAL-THREAT",
    "FED-ACTION-THREAT",
    "FED-NO-DECEPTION",
    "FED-TIMEBARRED",
    "FED-CREDIT-STATEMENTS",
    "FED-VN-TIMING",
    "FED-VN-CONTENT",
    "FED-VN-PERIOD",
    "FED-OVERSHADOW",
    "FED-DISPUTE-HOLD",
    "FED-DISPUTE-LATE",
    "FED-OC-HOLD",
    "FED-DELIVERY",
    "FED-NO-PARKING",
    "FED-RECORDS",
    "MA-2IN7",
    "MA-WORK-REQ",
    "MA-TIME",
    "MA-HOUSEHOLD",
    "MA-VISIT",
    "NYC-3IN7",
    "NYC-ECONSENT",
    "NYC-LANG",
    "NYC-TB",
    "NYS-INIT-DISC",
    "NYS-TB",
    "NYS-EMAIL",
    "NYS-GBL601",
    "CA-SCOPE",
    "CA-FREQ",
    "CA-ID-LICENSE",
    "CA-ATTY",
    "CA-TB",
    "CA-1812.700",
    "WA-3PW",
    "WV-30-10",
    "DC-5E7",
    "UK-TIME",
    "UK-PRIVACY",
    "UK-MISLEAD",
    "UK-PREMIUM",
    "UK-VULN",
    "UK-FORBEAR",
    "UK-SB",
    "UK-MORATORIUM",
    "UK-ARREARS-INFO",
]


def test_the_current_version_implements_every_reference_rule_id():
    ids = DEFAULT_REGISTRY.get(CURRENT_VERSION).rule_ids()
    assert set(REFERENCE_IDS) <= set(ids)
    assert len(ids) == len(set(ids))


def test_every_rule_has_a_citation_and_declares_what_it_reads():
    for pack in DEFAULT_REGISTRY.get().rules.values():
        for rule in pack:
            assert rule.citation and rule.reads, rule.rule_id


def test_the_trace_lists_every_rule_of_every_selected_pack():
    decision = evaluate(fine())
    version = DEFAULT_REGISTRY.get()
    expected = [r.rule_id for p in decision.packs for r in version.rules.get(p, ())]
    assert [r.rule_id for r in decision.trace] == expected


# --- combination ----------------------------------------------------------------------------

RULE = RuleDef("T-1", pack="T", citation="test", reads=("x",))


def _r(outcome: Outcome, **kw):  # type: ignore[no-untyped-def]
    return RuleResult("T-" + outcome.value, "cite", outcome, "why", **kw)


def test_any_pause_gives_block():
    decision = combine((_r(Outcome.ALLOW), _r(Outcome.PAUSE), _r(Outcome.REVIEW)), (), "v")
    assert decision.outcome is DecisionOutcome.BLOCK


def test_review_without_block_gives_review():
    decision = combine((_r(Outcome.ALLOW), _r(Outcome.REVIEW)), (), "v")
    assert decision.outcome is DecisionOutcome.REVIEW
    assert decision.retry_at is None


def test_allow_carries_the_union_of_obligations():
    a = RULE.require({"x": ("element x", True)})
    b = RULE.require({"y": ("element y", True)})
    decision = combine((a, b, a), (), "v")
    assert decision.outcome is DecisionOutcome.ALLOW
    assert [o.code for o in decision.obligations] == ["x", "y"]


def test_a_require_whose_element_is_absent_is_a_block():
    assert RULE.require({"x": ("element x", False)}).outcome is Outcome.BLOCK
    forged = _r(Outcome.REQUIRE, obligations=(Obligation("x", "element x", satisfied=False),))
    assert combine((forged,), (), "v").outcome is DecisionOutcome.BLOCK


def test_retry_at_is_the_latest_blocking_retry():
    early, late = utc(2026, 1, 1), utc(2026, 1, 2)
    decision = combine(
        (_r(Outcome.BLOCK, retry_at=early), _r(Outcome.BLOCK, retry_at=late)), (), "v"
    )
    assert decision.retry_at == late


def test_retry_at_is_none_when_a_blocking_rule_has_no_retry():
    decision = combine((_r(Outcome.BLOCK, retry_at=utc(2026, 1, 1)), _r(Outcome.PAUSE)), (), "v")
    assert decision.retry_at is None


def test_time_window_and_cease_together_have_no_retry():
    ctx = with_debt(
        fine(), cease=CeaseNotice(received_at=utc(2026, 11, 1), medium="mail", written=True)
    )
    ctx = with_proposal(ctx, intended_send_at=local(CHICAGO, 2026, 11, 18, 7, 0))
    decision = evaluate(ctx)
    assert {"FED-TIME-WINDOW", "FED-CEASE"} <= failing_ids(decision)
    assert decision.retry_at is None


def test_failing_rules_carry_id_citation_and_explanation():
    decision = evaluate(with_proposal(fine(), intended_send_at=local(CHICAGO, 2026, 11, 18, 7, 0)))
    failing = result(decision, "FED-TIME-WINDOW")
    assert failing.citation.startswith("15 U.S.C. 1692c(a)(1)")
    assert "8 a.m." in failing.explanation
    record = decision.as_record()
    assert record["outcome"] == "BLOCK" and record["pack_version"] == CURRENT_VERSION


# --- pack selection -------------------------------------------------------------------------


def test_fed_does_not_apply_to_a_creditor_in_its_own_name():
    decision = evaluate(with_collector(fine(), role="creditor_own_name"))
    assert "FED" not in decision.packs and "POL" in decision.packs


@pytest.mark.parametrize(
    "role",
    ["third_party_collector", "debt_buyer", "creditor_using_other_name", "obtained_in_default"],
)
def test_fed_applies_to_fdcpa_debt_collectors(role: str):
    assert "FED" in evaluate(with_collector(fine(), role=role)).packs


def test_fed_does_not_apply_to_a_business_debt():
    assert "FED" not in evaluate(with_debt(fine(), purpose="business")).packs


def test_state_packs_follow_the_address_and_the_governing_law():
    ctx = in_state(fine(), "MA", "America/New_York")
    assert "MA" in evaluate(ctx).packs
    mixed = with_debt(fine(), governing_state="WA")
    assert {"FED", "WA"} <= set(evaluate(mixed).packs)


# --- fail closed ----------------------------------------------------------------------------


def test_unknown_collector_role_blocks_as_missing_data():
    decision = evaluate(with_collector(fine(), role=None))
    assert decision.outcome is DecisionOutcome.BLOCK
    assert "DATA_MISSING:collector.role" in decision.reasons


def test_unknown_channel_blocks_with_a_reason_instead_of_raising():
    decision = evaluate(with_proposal(fine(), channel="carrier_pigeon"))
    assert decision.outcome is DecisionOutcome.BLOCK
    assert "DATA_MISSING:proposal.channel" in decision.reasons


def test_a_debt_missing_from_the_context_blocks():
    decision = evaluate(with_proposal(fine(), debt_ids={"d-1", "d-404"}))
    assert "DATA_MISSING:debts[d-404]" in decision.reasons


def test_unknown_jurisdiction_blocks():
    from .factories import address

    ctx = with_debt(
        with_person(fine(), addresses=[address(None, "America/Chicago")]), governing_state=None
    )
    released = evaluate(ctx, pack_version="2026.11.1")
    assert "DATA_MISSING:person.addresses[].state" in released.reasons
    # 2026.12.1 names the address (decisions.md D-44).
    assert evaluate(ctx).reasons == ("DATA_MISSING:person.addresses[0].state",)


def test_an_exception_inside_a_rule_blocks_as_rule_error():
    def explode(_):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError

    broken = RuleDef("FED-BROKEN", pack="FED", citation="test", reads=("x",))
    broken.check(explode)
    registry = PackRegistry()
    registry.register(PackVersion("test.1", {"FED": (broken,)}))
    decision = evaluate(fine(), registry=registry)
    assert decision.outcome is DecisionOutcome.BLOCK
    assert decision.reasons == ("RULE_ERROR:FED-BROKEN",)


def test_a_rule_raising_only_at_a_later_instant_blocks_that_instant():
    from compliance.domain.decision import judge

    ctx = fine()

    def late(f):  # type: ignore[no-untyped-def]
        if f.t > ctx.proposal.intended_send_at:
            raise ZeroDivisionError
        return rule.ok("Fine now.")

    rule = RuleDef("FED-LATE", pack="FED", citation="test", reads=("x",))
    rule.check(late)
    registry = PackRegistry()
    registry.register(PackVersion("test.2", {"FED": (rule,)}))
    judged = judge(ctx, registry=registry)
    assert judged.decision.allowed
    assert judged.allowed_at(ctx.proposal.intended_send_at)
    assert not judged.allowed_at(ctx.proposal.intended_send_at + timedelta(minutes=5))


def test_an_attorney_known_on_the_debt_blocks_a_third_party_call_too():
    rep = AttorneyRep(known_at=utc(2026, 11, 1), name="J", address="A")
    ctx = with_person(with_debt(fine(), attorney=rep), role=PersonRole.THIRD_PARTY)
    assert evaluate(ctx).outcome is DecisionOutcome.BLOCK


# --- versions -------------------------------------------------------------------------------


def test_evaluating_with_the_recorded_version_gives_the_same_decision():
    ctx = with_content(fine(), "Fairway Recovery LLC. We will sue you.")
    assert evaluate(ctx, pack_version=CURRENT_VERSION) == evaluate(ctx)


def test_an_unknown_pack_version_raises_a_clear_error():
    with pytest.raises(UnknownPackVersion, match=r"1999\.1\.1"):
        evaluate(fine(), pack_version="1999.1.1")


def test_a_past_version_replays_after_a_newer_one_is_released():
    current = DEFAULT_REGISTRY.get(CURRENT_VERSION)
    registry = PackRegistry()
    registry.register(current)
    stricter = replace(
        current, version="2099.1.1", policy=replace(current.policy, last_dial=time(10))
    )
    registry.register(stricter)
    ctx = fine()  # 10:00 in Chicago
    assert evaluate(ctx, registry=registry).outcome is DecisionOutcome.BLOCK
    replayed = evaluate(ctx, pack_version=CURRENT_VERSION, registry=registry)
    assert replayed.outcome is DecisionOutcome.ALLOW
    assert replayed.pack_version == CURRENT_VERSION


def test_a_released_version_cannot_be_redefined():
    current = DEFAULT_REGISTRY.get(CURRENT_VERSION)
    registry = PackRegistry()
    registry.register(current)
    with pytest.raises(PackVersionConflict):
        registry.register(replace(current, notes="edited"))
