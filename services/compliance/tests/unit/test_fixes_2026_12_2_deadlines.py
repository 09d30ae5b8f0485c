"""Pack 2026.12.2, FED-OVERSHADOW's text deadlines (decisions.md D-67) against the wording of
real collection letters: deadlines the first patterns missed, receipts and plan wording that hid
a demand, and informational sentences they blocked. From an adversarial review of D-67; each
case failed on the code before the sentence reader (rules/deadlines.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from compliance.domain import evaluate
from compliance.domain.results import Outcome
from compliance.domain.rules.deadlines import sentences, text_deadlines

from .factories import EMAIL_TEXT, T0, fine, result, with_content, with_debt, with_proposal

NEW = "2026.12.2"
# T0 = 2026-11-18 (Chicago); the period ends 2026-12-22.
IN_PERIOD = {
    "validation_notice_provided_at": T0 - timedelta(days=2),
    "initial_communication_at": T0 - timedelta(days=2),
}
SEND_DAY = date(2026, 11, 18)


def overshadow(sentence: str):
    ctx = with_proposal(with_debt(fine(), **IN_PERIOD), channel="email", endpoint_id="em-1",
                        template_type="REMINDER")
    d = evaluate(with_content(ctx, EMAIL_TEXT + " " + sentence), pack_version=NEW)
    return d, result(d, "FED-OVERSHADOW")


# --- 1a. Real holes: receipt words anywhere in the span hide a demand (D-67 design) ----------

@pytest.mark.parametrize("sentence", [
    "Your payment, which will be applied to your balance, must be received by November 25.",
    "Please pay $120, which will be applied to your oldest balance, by November 25.",
    "Your payment will be applied to the oldest balance first; please make it by November 25.",
    "Pay online so it can post today, no later than November 25.",
])
def test_receipt_clause_inside_a_demand_hides_the_deadline(sentence: str) -> None:
    d, r = overshadow(sentence)
    assert r.outcome is Outcome.BLOCK, r.explanation


# --- 1b. Real holes: a non-digit "." ends the "sentence"; the 80-character window -----------

@pytest.mark.parametrize("sentence", [
    "Please pay online at fairwayrecovery.com by November 25.",
    "Please pay Acme Inc. by November 25.",
    "Please pay the full balance of your account with Acme Bank, including all interest and "
    "fees, by November 25.",
])
def test_url_abbreviation_or_long_clause_hides_the_deadline(sentence: str) -> None:
    d, r = overshadow(sentence)
    assert r.outcome is Outcome.BLOCK, r.explanation


# --- 1c. Plan words downgrade a plain demand to REVIEW --------------------------------------

@pytest.mark.parametrize("sentence", [
    "Your payment plan has been cancelled; you must pay the full balance by November 25.",
    "Under the terms of the agreement with Acme Bank, you must pay the full balance by "
    "November 25.",
])
def test_plan_word_is_not_the_consumers_instalment(sentence: str) -> None:
    d, r = overshadow(sentence)
    assert r.outcome is Outcome.BLOCK, r.explanation


# --- 1d. Narrow-pattern misses (the D-67 list does not cover them), common in real letters ---

@pytest.mark.parametrize("sentence", [
    "Your balance must be paid in full by November 25.",   # "paid" is not pay\w*
    "Payment Due Date: 11/25/2026",                        # statement header
    "Minimum payment due 11/25.",
    "Payment of $120.00 is due November 25.",
    "You have until November 25 to pay.",
    "By November 25, please pay the balance.",
    "The deadline to pay is November 25.",
    "Please pay by the 25th.",
    "Please pay on or before the 25th of November.",
    "Pay the balance by 25 November 2026.",
    "Pay by 11-25-2026.",
    "Please make your payment on November 25.",
    "You must repay the balance by November 25.",
    "Your check must be received by November 25.",
    "Pay within ten days.",
    "You must pay within 10 business days.",
    "You have 7 days to pay.",
    "Pay by Friday.",
    "Pay within 48 hours.",
])
def test_deadlines_in_other_wordings_are_not_allowed(sentence: str) -> None:
    d, r = overshadow(sentence)
    assert not d.allowed and r.outcome in (Outcome.BLOCK, Outcome.REVIEW), r.explanation


# --- 1e. Over-blocks: informational or negated sentences read as deadlines -----------------

@pytest.mark.parametrize("sentence", [
    "You do not have to pay by November 25.",
    "No payment is due before December 1.",
    "We will email your payment confirmation by November 25.",
    "Our response to your dispute is due by November 30.",
])
def test_informational_sentence_is_not_a_deadline(sentence: str) -> None:
    d, r = overshadow(sentence)
    assert r.outcome is Outcome.ALLOW, r.explanation


@pytest.mark.parametrize("sentence", [
    "Pay $50 today and the rest by Nov 25.", "Please pay no later than 11/25/26.",
    "Your payment must be received by November 25.", "Payment must be made by November 25th.",
    "Your payment will only be applied if received by November 25.",
    "If you pay by November 25, your payment will post by November 26.",
    "To avoid further action, your payment should be made by November 25.",
])
def test_deadlines_the_first_patterns_read_are_still_not_allowed(sentence: str) -> None:
    assert overshadow(sentence)[1].outcome in (Outcome.BLOCK, Outcome.REVIEW)


def test_a_sentence_ends_at_a_full_stop_but_not_inside_an_amount_a_domain_or_an_abbreviation(
) -> None:
    text = "pay $120.00 at fairwayrecovery.com to acme inc. by nov. 25. thank you! j. smith"
    assert sentences(text) == [
        "pay $120.00 at fairwayrecovery.com to acme inc. by nov. 25", " thank you",
        " j. smith"]


@pytest.mark.parametrize(("text", "expected"), [
    # 10 business days end at the latest 18 days on (weekends and a holiday a week): a bound
    ("Pay within 10 business days.", date(2026, 12, 6)),
    ("Pay within 48 hours.", date(2026, 11, 20)),
    ("You have 2 weeks to pay.", date(2026, 12, 2)),
    ("Pay within ten days.", date(2026, 11, 28)),
    ("Please pay by 11/25.", date(2026, 11, 25)),
    ("Please pay by 10/25.", date(2027, 10, 25)),  # no year, already past: next year's
])
def test_spans_and_dates_are_read_from_the_send_day(text: str, expected: date) -> None:
    assert text_deadlines(text, SEND_DAY).demands == (expected,)


def test_a_long_sentence_of_deadlines_reads_in_linear_time() -> None:
    text = "please pay by november 25 and your payment will be posted within 3 days " * 3000
    found = text_deadlines(text, SEND_DAY)  # ~200 KB in one sentence: well under a second
    assert found.demands and date(2026, 11, 25) in found.demands
