"""Pack 2026.12.2, FED-OVERSHADOW's text deadlines (decisions.md D-67) against the wording of
real collection letters: deadlines the first patterns missed, receipts and plan wording that hid
a demand, and informational sentences they blocked. From an adversarial review of D-67; each
case failed on the code before the sentence reader (rules/deadlines.py)."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from compliance.domain import evaluate
from compliance.domain.results import Outcome
from compliance.domain.rules.deadlines import sentences, text_deadlines

from .factories import EMAIL_TEXT, T0, fine, result, with_content, with_debt, with_proposal

NEW = "2026.12.2"
# T0 = 2026-11-18 (Chicago); the period ends 2026-12-23 (a deadline on 12-22 blocks).
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


def _blocks(sentence: str) -> None:
    _, r = overshadow(sentence)
    assert r.outcome is Outcome.BLOCK, (r.outcome, r.explanation)


def _not_allowed(sentence: str) -> None:
    _, r = overshadow(sentence)
    assert r.outcome in (Outcome.BLOCK, Outcome.REVIEW), (r.outcome, r.explanation)


def _allows(sentence: str) -> None:
    _, r = overshadow(sentence)
    assert r.outcome is Outcome.ALLOW, (r.outcome, r.explanation)


# === Second review: demands before the period end that come out ALLOW (worst) ====================

# 1a. A line break ends a "sentence": any hard-wrapped plain-text letter splits the demand.
@pytest.mark.parametrize("sentence", [
    "Please pay by\nNovember 25.",
    "Please pay the balance of $120\nby November 25.",
    "Please pay the balance of $120 by\r\nNovember 25.",
])
def test_line_break_inside_a_sentence_hides_the_deadline(sentence: str) -> None:
    _blocks(sentence)


# 1b. "no payment" is read as no obligation: the classic conditional threat passes.
@pytest.mark.parametrize("sentence", [
    "If no payment is received by November 25, your account will be referred to an attorney.",
    "If we receive no payment by November 25, we will refer your account.",
    "Our records show no payment since July and we require payment by November 25.",
])
def test_no_payment_in_a_conditional_is_not_no_obligation(sentence: str) -> None:
    _blocks(sentence)


# 1c. A negation anywhere in the clause cancels a later demand.
@pytest.mark.parametrize("sentence", [
    "You do not have to call us to make your payment by November 25.",
    "You never need to visit our office to pay by November 25.",
    # "Inc." does not end the sentence, so the negation of the first sentence reaches the second
    "If you already paid, you do not need to contact Acme Inc. Please pay the balance by "
    "November 25.",
])
def test_negation_of_something_else_hides_the_deadline(sentence: str) -> None:
    _blocks(sentence)


# 1d. "we will" + any verb is a receipt.
@pytest.mark.parametrize("sentence", [
    "We will be expecting your payment of $120 by November 25.",
    "We will look for your payment of $120 by November 25.",
    "We'll await your payment by November 25.",
    "We will accept $60 as payment in full by November 25.",
    "Payments will be credited only when received by November 25.",
])
def test_we_will_is_not_always_a_receipt(sentence: str) -> None:
    _blocks(sentence)


# 1e. Date forms not read at all (neither a date nor "unreadable"): at least REVIEW.
@pytest.mark.parametrize("sentence", [
    "Please pay by 2026-11-25.",
    "Please pay by 11.25.2026.",
    "Pay $120 by Nov-25-2026.",
    "Pay $120 by 25-Nov-2026.",
    "Please pay $120 by Wed., Nov. 25.",       # abbreviated weekday
    "Please pay by Wed, Nov 25.",
    "Please pay $120 by close of business on November 25.",
    "Please pay $120 by 5:00 PM CST, November 25.",
    "Pay by noon November 25.",
    "Pay $120 by November twenty-fifth.",
    "Pay the balance in full by month end.",
    "Pay the balance in full by Thanksgiving.",
    "Pay $120 by \u201cNovember 25\u201d.",
    "Pay $120 by&nbsp;November 25.",           # raw HTML: FED-OVERSHADOW reads revision 1 text
])
def test_unread_date_forms_are_not_allowed(sentence: str) -> None:
    _not_allowed(sentence)


# 1f. Spans written the usual legal way.
@pytest.mark.parametrize("sentence", [
    "Pay $120 within seven (7) days.",
    "Pay $120 within seven (7) calendar days.",
    "You have ten (10) days to pay.",
    "You must pay within a week.",
    "You have 5 days in which to pay.",
    "Pay $120 in the next 5 days.",
])
def test_spans_in_legal_style_are_not_allowed(sentence: str) -> None:
    _not_allowed(sentence)


# 1g. "P.O." ends the sentence ("p.o" is not an abbreviation), cutting off the deadline.
@pytest.mark.parametrize("sentence", [
    "Send your check to P.O. Box 1234 by November 25.",
    "Please send payment to P.O. Box 1234, Dallas, TX 75201 by November 25.",
    "Please send payment to P.O. Box 12, Acme Co. by November 25.",
])
def test_po_box_splits_the_demand(sentence: str) -> None:
    _blocks(sentence)


# 1h. A colon after the keyword (statement stubs, bullet lists, tables).
@pytest.mark.parametrize("sentence", [
    "Pay By: 11/25/2026",
    "<ul><li>Amount: $120</li><li>Pay by: November 25</li></ul>",
    "Payment deadline: November 25",
    "Pay $120 by:November 25.",
])
def test_colon_after_the_keyword_hides_the_deadline(sentence: str) -> None:
    _blocks(sentence)


# 1i. The deadline in the sentence after the pay word.
@pytest.mark.parametrize("sentence", [
    "Please pay $120. The deadline is November 25.",
    "Please pay $120. We must have it by November 25.",
    "Your balance is $120. It is due November 25.",
    "Please pay the amount due. It must arrive by November 25.",
    "Please pay. By November 25.",
])
def test_deadline_in_the_next_sentence(sentence: str) -> None:
    _not_allowed(sentence)


# 1j. Settlement offers with an expiry before the period end (a payment deadline): at least
# REVIEW. "settle" is not a pay word and "expires/through/ends" are not keywords.
@pytest.mark.parametrize("sentence", [
    "This offer expires November 25. Pay $60 to settle.",
    "Pay $60 to settle; offer expires November 25.",
    "This offer is good through November 25 if you pay $60.",
    "Settle by November 25 for $60 and save.",
    "Settle your account by November 25.",
])
def test_settlement_offer_expiry_is_not_allowed(sentence: str) -> None:
    _not_allowed(sentence)


def test_due_upon_receipt_is_not_allowed() -> None:
    # An immediate demand, like "due immediately" (which is REVIEW through the urgency words).
    _not_allowed("Payment due upon receipt.")


# === 2. Demands downgraded to REVIEW by plan words that name no plan of the consumer's ===========

@pytest.mark.parametrize("sentence", [
    "No instalments are available; pay the full balance by November 25.",
    "We cannot offer you an installment plan; you must pay the full balance by November 25.",
    "If you do not want the payment plan, pay the full balance by November 25.",
    "Instead of the instalments, you must pay the balance in full by November 25.",
])
def test_plan_word_that_is_no_plan_does_not_downgrade(sentence: str) -> None:
    _blocks(sentence)


# === Second review: informational sentences blocked ==============================================

@pytest.mark.parametrize("sentence", [
    "Your payment receipt will be emailed to you within 2 days.",
    "A confirmation of your payment will be mailed within 5 days.",
    "Nothing needs to be paid by November 25.",
    "We will not require payment before December 22.",
])
def test_informational_sentence_is_not_blocked(sentence: str) -> None:
    _allows(sentence)


@pytest.mark.parametrize("sentence", [
    "Call us by November 25 if you have questions about your payment options.",
    "We will consider the account settled upon receipt of $60 by November 25.",  # an offer
])
def test_a_deadline_to_call_or_to_take_an_offer_goes_to_review(sentence: str) -> None:
    _, r = overshadow(sentence)
    assert r.outcome is Outcome.REVIEW, r.explanation


def test_call_us_to_make_a_payment_by_a_date_is_a_demand() -> None:
    _blocks("Call us by November 25 to make a payment.")


# === 4. Linear time ==============================================================================

@pytest.mark.parametrize("unit", ["pay a. ", "pay acme inc. ", "pay by nov. ",
                                  "please pay by november 25 and it will post within 3 days "])
def test_abbreviations_and_many_deadlines_read_in_linear_time(unit: str) -> None:
    # Before: every "." searched back to the sentence's start, and an abbreviation does not
    # move the start, so 200 KB of "pay a. " took ~60 s; linear, it takes well under 0.2 s.
    # The bound is 10x that: a guard against quadratic time, not a speed measurement.
    text = unit * (200_000 // len(unit))
    t0 = time.perf_counter()
    text_deadlines(text, SEND_DAY)
    assert time.perf_counter() - t0 < 2.0


# === Third review: compliant messages, read whole ===============================================
# (The whole text is the message, between the disclosure and the opt-out. Each case was blocked
# or sent to review on the code before.)

HEAD = "Fairway Recovery LLC: this message is from a debt collector. "
FOOT = " To stop emails from us to this address, reply STOP or unsubscribe."


@pytest.mark.parametrize(("text", "expected"), [
    # a same-day receipt
    ("Thank you for your payment on November 18, 2026. Your new balance is $70.00.", Outcome.ALLOW),
    ("Payment receipt. Amount paid: $50.00. Paid on: 11/18/2026. Confirmation number: 98765. "
     "Remaining balance: $70.00.", Outcome.ALLOW),
    ("Payment on 11/18/2026: $50.00. Remaining balance: $70.00.", Outcome.ALLOW),
    # the consumer's plan, named in the sentence before
    ("Thank you for setting up your payment plan. Your first payment of $40 is due December 1,"
     " 2026.", Outcome.REVIEW),
    ("Thank you for setting up your payment plan. Your first payment of $40 is due on December"
     " 1, 2026, and then on the 1st of each month.", Outcome.REVIEW),
    ("This is a reminder about your payment plan. Your next payment of $40 is due on December "
     "1, 2026.", Outcome.REVIEW),
    # office hours
    ("Your balance is $120.00. You can pay online anytime. Our team is available to take "
     "payments Monday to Friday from 8 am until 8 pm CT at 1-800-555-0100.", Outcome.ALLOW),
    ("You can pay online at https://pay.example.com/abc. Payment specialists are available "
     "Monday through Friday, 8 am to 8 pm, and Saturday until noon.", Outcome.ALLOW),
    ("Pay by phone at 1-800-555-0100, Monday to Friday, 8 am to 8 pm, and Saturday 9 am until "
     "1 pm CT.", Outcome.ALLOW),
    # a posting cut-off (a receipt after the deadline: D-67's known limit)
    ("You can pay online at pay.example.com. Payments made online by 5 pm CT post the same "
     "business day.", Outcome.REVIEW),
    # a payment the consumer scheduled: their own plan
    ("You scheduled a payment on November 20, 2026 for $50.00. You can change or cancel it "
     "anytime at pay.example.com.", Outcome.REVIEW),
    # the collector's own time to respond
    ("Your balance is $120.00. We received your dispute on November 17 and will respond within"
     " 30 days. You can pay online at pay.example.com.", Outcome.ALLOW),
    ("We received your dispute on November 17 and will respond within 30 days. We will not ask"
     " you to pay the disputed amount until then.", Outcome.ALLOW),
    # the office closed for a holiday
    ("You can pay online at pay.example.com anytime. Our offices will be closed from November "
     "26 until November 29 for Thanksgiving.", Outcome.ALLOW),
    # the dispute right's own deadline
    ("The balance is $120.00. Unless you notify this office within 30 days after receiving "
     "this notice that you dispute the validity of this debt or any portion thereof, this "
     "office will assume this debt is valid. You can pay online at pay.example.com.",
     Outcome.ALLOW),
    ("As of today you owe $120.00. If you notify this office in writing within 30 days from "
     "receiving this notice that you dispute the validity of this debt, this office will "
     "obtain verification of the debt and mail you a copy. You can pay online at "
     "pay.example.com.", Outcome.ALLOW),
])
def test_compliant_messages_read_whole(text: str, expected: Outcome) -> None:
    ctx = with_proposal(with_debt(fine(), **IN_PERIOD), channel="email", endpoint_id="em-1",
                        template_type="REMINDER")
    r = result(evaluate(with_content(ctx, HEAD + text + FOOT), pack_version=NEW), "FED-OVERSHADOW")
    assert r.outcome is expected, r.explanation
