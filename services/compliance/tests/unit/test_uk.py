"""Section 5: the UK pack (FCA CONC 7)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from compliance.domain import DecisionOutcome, evaluate
from compliance.domain.context import PersonRole, UkFlags
from compliance.domain.results import Outcome

from .factories import (
    T0,
    address,
    email,
    failing_ids,
    fine,
    local,
    phone,
    rebuild,
    result,
    with_content,
    with_debt,
    with_person,
    with_proposal,
)

LONDON = ZoneInfo("Europe/London")


def _uk(**flags):  # type: ignore[no-untyped-def]
    ctx = with_person(
        fine(), addresses=[address(None, "Europe/London", country="GB")], uk=UkFlags(**flags)
    )  # type: ignore[arg-type]
    ctx = rebuild(ctx, endpoints=[phone("+447700900123"), email()])
    ctx = with_debt(ctx, governing_state=None)
    ctx = with_content(ctx, "Hello, this is Sam from Fairway Recovery LLC.")
    return with_proposal(ctx, intended_send_at=local(LONDON, 2026, 11, 18, 11, 0))


def test_a_uk_customer_gets_the_uk_pack_and_not_fed():
    decision = evaluate(_uk())
    assert "UK" in decision.packs and "FED" not in decision.packs
    assert decision.outcome is DecisionOutcome.ALLOW


def test_uk_blocks_an_unreasonable_hour():
    ctx = with_proposal(_uk(), intended_send_at=local(LONDON, 2026, 11, 18, 22, 0))
    assert "UK-TIME" in failing_ids(evaluate(ctx))


def test_uk_blocks_disclosure_to_a_third_party():
    assert "UK-PRIVACY" in failing_ids(evaluate(with_person(_uk(), role=PersonRole.THIRD_PARTY)))


def test_uk_blocks_misleading_reasons_for_contact():
    ctx = with_content(
        _uk(), "Fairway Recovery LLC: missed delivery.", misleading_contact_reason=True
    )
    assert "UK-MISLEAD" in failing_ids(evaluate(ctx))


def test_uk_blocks_a_premium_rate_callback_number():
    ctx = with_content(_uk(), "Fairway Recovery LLC: call us on 0906 123 4567.")
    assert "UK-PREMIUM" in failing_ids(evaluate(ctx))


def test_uk_vulnerable_customer_goes_to_review():
    decision = evaluate(_uk(vulnerable=True))
    assert result(decision, "UK-VULN").outcome is Outcome.REVIEW


def test_uk_financial_difficulty_goes_to_review():
    assert result(evaluate(_uk(financial_difficulty=True)), "UK-FORBEAR").outcome is Outcome.REVIEW


def test_uk_stops_demands_once_the_customer_says_statute_barred():
    assert "UK-SB" in failing_ids(evaluate(_uk(said_statute_barred=True)))


def test_uk_breathing_space_pauses_collection():
    decision = evaluate(_uk(moratorium_active=True))
    assert result(decision, "UK-MORATORIUM").outcome is Outcome.PAUSE


def test_uk_arrears_notice_is_a_duty():
    decision = evaluate(_uk(arrears_notice_due_at=T0 + timedelta(days=14)))
    assert any(o.code == "uk_arrears_notice" for o in decision.obligations)
