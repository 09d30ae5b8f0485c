"""FED section 2d: disclosures, identity, threats, deception, time-barred debt, credit reporting."""

from __future__ import annotations

from compliance.domain import DecisionOutcome, evaluate
from compliance.domain.context import IntendedAction, Judgment, RemedyKind
from compliance.domain.results import Outcome

from .factories import (
    EMAIL_TEXT,
    INITIAL_TEXT,
    failing_ids,
    fine,
    result,
    utc,
    with_collector,
    with_content,
    with_debt,
    with_proposal,
)


def _script(text: str | None, **meta):  # type: ignore[no-untyped-def]
    return with_content(fine(), text, **meta)


# --- FED-CALLER-ID --------------------------------------------------------------------------


def test_a_call_script_without_the_business_name_is_blocked():
    decision = evaluate(_script("Hi, this is Sam from a debt collector."))
    assert "FED-CALLER-ID" in failing_ids(decision)


def test_a_call_without_text_relies_on_the_template_flag():
    assert "FED-CALLER-ID" in failing_ids(evaluate(_script(None, mm_subsequent=True)))
    ok = _script(None, mm_subsequent=True, caller_identity=True)
    assert evaluate(ok).outcome is DecisionOutcome.ALLOW


# --- FED-MINI-MIRANDA -----------------------------------------------------------------------


def _first_contact(text: str, language: str = "en"):  # type: ignore[no-untyped-def]
    ctx = with_debt(fine(), initial_communication_at=None, validation_notice_provided_at=None)
    return with_content(ctx, text, language=language)


def test_initial_communication_needs_the_full_mini_miranda():
    decision = evaluate(_first_contact("Fairway Recovery LLC here, from a debt collector."))
    assert "FED-MINI-MIRANDA" in failing_ids(decision)


def test_initial_communication_with_the_full_mini_miranda_passes():
    decision = evaluate(_first_contact(INITIAL_TEXT))
    assert result(decision, "FED-MINI-MIRANDA").outcome is Outcome.REQUIRE
    assert decision.outcome is DecisionOutcome.ALLOW


def test_spanish_initial_disclosure_is_recognised_in_a_spanish_message():
    text = (
        "Le llama Fairway Recovery LLC. Este es un intento de cobrar una deuda y cualquier "
        "información obtenida será utilizada para ese propósito."
    )
    assert "FED-MINI-MIRANDA" not in failing_ids(evaluate(_first_contact(text, "es")))


def test_english_disclosure_in_a_spanish_message_is_not_enough():
    assert "FED-MINI-MIRANDA" in failing_ids(evaluate(_first_contact(INITIAL_TEXT, "es")))


def test_subsequent_communication_needs_the_debt_collector_statement():
    assert "FED-MINI-MIRANDA" in failing_ids(evaluate(_script("Fairway Recovery LLC calling.")))


def test_an_unsupported_language_goes_to_review():
    ctx = with_content(fine(), "Fairway Recovery LLC: Bonjour.", language="fr")
    assert evaluate(ctx).outcome is DecisionOutcome.REVIEW


def test_the_first_written_message_after_an_oral_first_contact_needs_the_full_version():
    ctx = with_debt(fine(), validation_notice_provided_at=None)
    ctx = with_proposal(ctx, channel="email", endpoint_id="em-1", template_type="REMINDER")
    ctx = with_content(ctx, EMAIL_TEXT)
    assert "FED-MINI-MIRANDA" in failing_ids(evaluate(ctx))


# --- threats --------------------------------------------------------------------------------


def test_blocks_any_mention_of_arrest():
    text = "Fairway Recovery LLC, a debt collector. Pay or you could be arrested."
    assert "FED-NO-CRIMINAL-THREAT" in failing_ids(evaluate(_script(text)))


def test_blocks_a_spanish_threat_of_jail_in_an_english_message():
    text = "Fairway Recovery LLC, a debt collector. Puede ir a la cárcel."
    assert "FED-NO-CRIMINAL-THREAT" in failing_ids(evaluate(_script(text)))


def test_blocks_a_lawsuit_threat_without_a_recorded_intended_action():
    text = "Fairway Recovery LLC, a debt collector. We will file a lawsuit next week."
    decision = evaluate(_script(text))
    assert "FED-ACTION-THREAT" in failing_ids(decision)


def test_allows_a_lawsuit_statement_when_suit_is_lawful_and_intended():
    text = "Fairway Recovery LLC, a debt collector. We will file a lawsuit next week."
    action = IntendedAction(kind=RemedyKind.SUE, lawful=True, intended=True, approval_id="lit-1")
    ctx = with_debt(_script(text), intended_actions=[action])
    assert evaluate(ctx).outcome is DecisionOutcome.ALLOW


def test_garnishment_needs_its_own_recorded_action():
    text = "Fairway Recovery LLC, a debt collector. We may garnish your wages."
    sue = IntendedAction(kind=RemedyKind.SUE, lawful=True, intended=True)
    ctx = with_debt(
        _script(text), intended_actions=[sue], judgment=Judgment(entered_at=utc(2026, 1, 1))
    )
    assert "FED-ACTION-THREAT" in failing_ids(evaluate(ctx))


def test_see_attached_is_not_a_threat_of_attachment():
    text = "Fairway Recovery LLC, a debt collector. Please see the attached statement."
    assert evaluate(_script(text)).outcome is DecisionOutcome.ALLOW


def test_blocks_a_claim_of_government_affiliation():
    text = "Fairway Recovery LLC, a debt collector, working with a federal agency."
    assert "FED-NO-DECEPTION" in failing_ids(evaluate(_script(text)))


def test_blocks_an_attorney_claim_when_no_attorney_is_involved():
    text = "Fairway Recovery LLC, a debt collector. Our attorney has reviewed your file."
    assert "FED-NO-DECEPTION" in failing_ids(evaluate(_script(text)))
    involved = with_collector(_script(text), attorney_meaningfully_involved=True)
    assert "FED-NO-DECEPTION" not in failing_ids(evaluate(involved))


def test_blocks_profanity():
    text = "Fairway Recovery LLC, a debt collector. Pay your damn shitty bill."
    assert "FED-NO-DECEPTION" in failing_ids(evaluate(_script(text)))


# --- FED-TIMEBARRED -------------------------------------------------------------------------

_SUIT = "Fairway Recovery LLC, a debt collector. We will sue you."


def _suit_ctx(time_barred):  # type: ignore[no-untyped-def]
    action = IntendedAction(kind=RemedyKind.SUE, lawful=True, intended=True)
    return with_debt(_script(_SUIT), time_barred=time_barred, intended_actions=[action])


def test_blocks_a_legal_threat_on_a_time_barred_debt():
    assert "FED-TIMEBARRED" in failing_ids(evaluate(_suit_ctx(True)))


def test_unknown_limitations_status_with_legal_content_is_missing_data():
    decision = evaluate(_suit_ctx("unknown"))
    assert "DATA_MISSING:debts[d-1].time_barred" in decision.reasons


def test_unknown_limitations_status_without_legal_content_is_fine():
    assert evaluate(with_debt(fine(), time_barred="unknown")).outcome is DecisionOutcome.ALLOW


def test_a_proof_of_claim_is_outside_the_time_barred_rule():
    ctx = with_proposal(_suit_ctx(True), template_type="PROOF_OF_CLAIM")
    assert result(evaluate(ctx), "FED-TIMEBARRED").outcome is Outcome.NOT_APPLICABLE


# --- FED-CREDIT-STATEMENTS ------------------------------------------------------------------


def test_blocks_a_credit_reporting_statement_when_reporting_is_not_intended():
    text = "Fairway Recovery LLC, a debt collector. This may appear on your credit report."
    assert "FED-CREDIT-STATEMENTS" in failing_ids(evaluate(_script(text)))


def test_allows_a_credit_reporting_statement_when_reporting_is_intended():
    text = "Fairway Recovery LLC, a debt collector. This may appear on your credit report."
    report = IntendedAction(kind=RemedyKind.REPORT, lawful=True, intended=True)
    assert evaluate(with_debt(_script(text), intended_actions=[report])).outcome is (
        DecisionOutcome.ALLOW
    )
