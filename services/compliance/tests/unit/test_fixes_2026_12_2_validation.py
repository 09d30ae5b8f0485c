"""Pack 2026.12.2 fixes for validation, disputes and channels (decisions.md D-66 to D-79).

Each scenario asserts the 2026.12.1 answer (the wrong ALLOW the review found, kept so that
recorded decisions replay) and the 2026.12.2 answer, plus the boundary case that must still be
allowed. Based on the review's reproducers (/tmp/audit_restrict/test_findings.py)."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest

from compliance.domain import evaluate
from compliance.domain.context import (
    AddressOptOut,
    Consent,
    ConsentKind,
    Content,
    CreditorEmailNotice,
    Dispute,
    EmailEndpoint,
    EvaluationContext,
    LcmItem,
    Medium,
    MediumOptOut,
    PhoneEndpoint,
    PhoneType,
    PlaceKind,
    PostalEndpoint,
    TemplateType,
)
from compliance.domain.results import Outcome
from compliance.domain.rules.validation import VN_ELEMENTS

from .factories import (
    CALL_SCRIPT,
    EMAIL_TEXT,
    INITIAL_TEXT,
    LCM_TEXT,
    T0,
    approval,
    email,
    fine,
    message,
    phone,
    rebuild,
    result,
    with_approvals,
    with_content,
    with_debt,
    with_history,
    with_person,
    with_proposal,
)

OLD, NEW = "2026.12.1", "2026.12.2"
ENVELOPE = frozenset(["collector_address", "debtor_name_address", "postage"])


def both(ctx: EvaluationContext, rule_id: str) -> tuple[Any, Any]:
    """(2026.12.1 decision, 2026.12.2 decision) and the named rule's results in each."""
    old, new = evaluate(ctx, pack_version=OLD), evaluate(ctx, pack_version=NEW)
    return (old, result(old, rule_id)), (new, result(new, rule_id))


def email_ctx(ctx: EvaluationContext, text: str, tmpl: str = "REMINDER") -> EvaluationContext:
    ctx = with_proposal(ctx, channel="email", endpoint_id="em-1", template_type=tmpl)
    return with_content(ctx, text)


# --- D-66: FED-OVERSHADOW judges the validation notice itself ------------------------------


def _vn_letter(text: str, **meta: Any) -> EvaluationContext:
    ctx = fine(endpoints=[phone(), email(), PostalEndpoint(endpoint_id="po-1", address_id="a-1")])
    ctx = with_debt(
        ctx, initial_communication_at=T0 - timedelta(days=1), validation_notice_provided_at=None
    )
    ctx = with_proposal(ctx, channel="letter", endpoint_id="po-1", template_type="VN")
    fields = {
        "vn_elements": VN_ELEMENTS,
        "validation_period_end_stated": date(2026, 12, 31),
        "envelope_items": ENVELOPE,
        **meta,
    }
    return with_content(ctx, INITIAL_TEXT + text, **fields)


def test_d66_a_validation_notice_with_a_deadline_before_its_own_period_end_is_blocked() -> None:
    ctx = _vn_letter(" Pay the full balance.", payment_deadline=date(2026, 11, 25))
    (old, old_r), (new, new_r) = both(ctx, "FED-OVERSHADOW")
    assert old.allowed and old_r.outcome is Outcome.NOT_APPLICABLE
    assert not new.allowed and new_r.outcome is Outcome.BLOCK


def test_d66_boundary_a_deadline_on_the_stated_period_end_still_passes() -> None:
    ctx = _vn_letter(" Pay the full balance.", payment_deadline=date(2026, 12, 31))
    (old, _), (new, new_r) = both(ctx, "FED-OVERSHADOW")
    assert old.allowed and new.allowed and new_r.outcome is Outcome.ALLOW


def test_d66_a_stated_end_earlier_than_the_lawful_one_does_not_shorten_the_period() -> None:
    # The notice sent on 2026-11-18 cannot end its period before 2026-12-25 (FED-VN-PERIOD
    # blocks the statement too); a deadline of 2026-12-20 is before the lawful end.
    ctx = _vn_letter(
        " Pay the full balance.",
        validation_period_end_stated=date(2026, 12, 10),
        payment_deadline=date(2026, 12, 20),
    )
    new = evaluate(ctx, pack_version=NEW)
    assert result(new, "FED-OVERSHADOW").outcome is Outcome.BLOCK


# --- D-67: deadlines written only in the text ----------------------------------------------

IN_PERIOD = {
    "validation_notice_provided_at": T0 - timedelta(days=2),
    "initial_communication_at": T0 - timedelta(days=2),
}


@pytest.mark.parametrize(
    "sentence",
    [
        "You must pay the full balance by November 25.",
        "Payment is due by Friday, December 4, 2026.",
        "Your due date is Nov. 30.",
        "Please pay by 11/30/2026.",
        "You must pay within 10 days.",
    ],
)
def test_d67_a_deadline_in_the_text_before_the_period_end_is_blocked(sentence: str) -> None:
    ctx = email_ctx(with_debt(fine(), **IN_PERIOD), EMAIL_TEXT + " " + sentence)
    (old, _), (new, new_r) = both(ctx, "FED-OVERSHADOW")
    assert old.allowed
    assert not new.allowed and new_r.outcome is Outcome.BLOCK


@pytest.mark.parametrize(
    "sentence",
    [
        "You may pay by January 31, 2027.",  # after the period end (2026-12-22)
        "You can pay by card or by check.",  # no deadline
        "Your statement is due to arrive by November 25.",  # not about paying
        "Pay online. We will write to you by November 25.",  # another sentence
        "The amount due on October 1, 2026 was $120.",  # a past date: not a deadline
    ],
)
def test_d67_boundary_no_deadline_before_the_period_end_is_allowed(sentence: str) -> None:
    ctx = email_ctx(with_debt(fine(), **IN_PERIOD), EMAIL_TEXT + " " + sentence)
    new = evaluate(ctx, pack_version=NEW)
    assert new.allowed and result(new, "FED-OVERSHADOW").outcome is Outcome.ALLOW


def test_d67_a_deadline_outside_the_validation_period_is_not_judged() -> None:
    ctx = email_ctx(fine(), EMAIL_TEXT + " You must pay the full balance by November 25.")
    new = evaluate(ctx, pack_version=NEW)
    assert new.allowed and result(new, "FED-OVERSHADOW").outcome is Outcome.NOT_APPLICABLE


def test_d67_an_unreadable_date_goes_to_review() -> None:
    ctx = email_ctx(with_debt(fine(), **IN_PERIOD), EMAIL_TEXT + " Pay by February 30.")
    new = evaluate(ctx, pack_version=NEW)
    assert result(new, "FED-OVERSHADOW").outcome is Outcome.REVIEW


@pytest.mark.parametrize(
    "sentence",
    [
        "Please pay $120.00 by November 25.",  # a "." between digits does not end the sentence
        "Your balance is $1,234.56; please pay it before 11/25.",
        "Your payment must be posted by November 25.",  # a deadline, not our handling
        # A deadline inside a receipt's sentence, and one before a plan is named.
        "Your payment will be applied to your account if you pay by November 25.",
        "You must pay the full balance by November 25 or your payment plan will be cancelled.",
    ],
)
def test_d67_deadlines_the_first_patterns_misread_are_blocked(sentence: str) -> None:
    ctx = email_ctx(with_debt(fine(), **IN_PERIOD), EMAIL_TEXT + " " + sentence)
    new = evaluate(ctx, pack_version=NEW)
    assert result(new, "FED-OVERSHADOW").outcome is Outcome.BLOCK


@pytest.mark.parametrize(
    "sentence",
    [
        "Your payment will be posted to your account within 3 days.",
        "Thank you for your payment; it will post within 2 days.",
        "Payments you make online will be credited by December 1.",
        "Your payment should be processed within 2 days.",
    ],
)
def test_d67_boundary_a_receipt_is_not_a_deadline(sentence: str) -> None:
    ctx = email_ctx(with_debt(fine(), **IN_PERIOD), EMAIL_TEXT + " " + sentence)
    new = evaluate(ctx, pack_version=NEW)
    assert new.allowed and result(new, "FED-OVERSHADOW").outcome is Outcome.ALLOW


def test_d67_an_instalment_of_the_consumers_own_plan_goes_to_review() -> None:
    text = EMAIL_TEXT + (
        " Your first payment of $50 under the plan you accepted is due on December 1."
    )
    new = evaluate(email_ctx(with_debt(fine(), **IN_PERIOD), text), pack_version=NEW)
    r = result(new, "FED-OVERSHADOW")
    assert r.outcome is Outcome.REVIEW and "2026-12-01" in r.explanation


def test_d67_a_demand_beside_a_plan_instalment_still_blocks() -> None:
    text = (
        EMAIL_TEXT + " Your first instalment is due on December 1."
        " You must pay the remaining balance by November 25."
    )
    new = evaluate(email_ctx(with_debt(fine(), **IN_PERIOD), text), pack_version=NEW)
    r = result(new, "FED-OVERSHADOW")
    assert r.outcome is Outcome.BLOCK and "2026-11-25" in r.explanation


# --- D-68, D-69: FED-DISPUTE-HOLD ---------------------------------------------------------


def _disputed(**dispute: Any) -> EvaluationContext:
    d = Dispute(received_at=T0 - timedelta(days=2), **dispute)
    ctx = with_debt(fine(), validation_notice_provided_at=T0 - timedelta(days=10), disputes=[d])
    return email_ctx(ctx, EMAIL_TEXT)


@pytest.mark.parametrize("medium", [Medium.EMAIL, Medium.MAIL, Medium.TEXT, Medium.SOCIAL])
def test_d68_a_dispute_through_a_written_medium_pauses_whatever_its_flag(medium: Medium) -> None:
    (old, _), (new, new_r) = both(_disputed(medium=medium, written=False), "FED-DISPUTE-HOLD")
    assert old.allowed
    assert not new.allowed and new_r.outcome is Outcome.PAUSE


@pytest.mark.parametrize("medium", [Medium.TELEPHONE, Medium.IN_PERSON])
def test_d68_boundary_an_oral_dispute_still_does_not_pause(medium: Medium) -> None:
    new = evaluate(_disputed(medium=medium, written=False), pack_version=NEW)
    assert result(new, "FED-DISPUTE-HOLD").outcome is Outcome.ALLOW
    assert result(new, "FED-DISPUTE-LATE").outcome is Outcome.REQUIRE  # still marked disputed


def test_d69_a_recorded_late_flag_does_not_override_a_timely_receipt() -> None:
    ctx = _disputed(medium=Medium.MAIL, written=True, within_validation_period=False)
    (old, _), (new, new_r) = both(ctx, "FED-DISPUTE-HOLD")
    assert old.allowed
    assert not new.allowed and new_r.outcome is Outcome.PAUSE


def test_d69_boundary_a_dispute_received_after_the_period_is_still_late() -> None:
    d = Dispute(
        received_at=T0 - timedelta(days=2),
        medium=Medium.MAIL,
        written=True,
        within_validation_period=False,
    )
    ctx = with_debt(fine(), disputes=[d])  # provided 2026-10-01: the period ended in November
    new = evaluate(email_ctx(ctx, EMAIL_TEXT), pack_version=NEW)
    assert result(new, "FED-DISPUTE-HOLD").outcome is Outcome.ALLOW


# --- D-72: FED-DELIVERY, oral validation information only in the initial communication ------


def _oral_vn(initial_days_ago: int | None) -> EvaluationContext:
    first = None if initial_days_ago is None else T0 - timedelta(days=initial_days_ago)
    ctx = with_debt(fine(), initial_communication_at=first, validation_notice_provided_at=None)
    return with_content(
        with_proposal(ctx, template_type="VN"),
        CALL_SCRIPT,
        vn_elements=VN_ELEMENTS,
        validation_period_end_stated=date(2027, 1, 31),
    )


@pytest.mark.parametrize("days", [1, 20])
def test_d72_an_oral_validation_notice_after_the_initial_communication_is_blocked(
    days: int,
) -> None:
    (old, old_r), (new, new_r) = both(_oral_vn(days), "FED-DELIVERY")
    assert old_r.outcome is Outcome.ALLOW
    assert not new.allowed and new_r.outcome is Outcome.BLOCK


def test_d72_boundary_an_oral_validation_notice_in_the_initial_call_is_allowed() -> None:
    new = evaluate(_oral_vn(None), pack_version=NEW)
    assert result(new, "FED-DELIVERY").outcome is Outcome.ALLOW


# --- D-70: a consent qualifies only the address or number it names --------------------------

SMS_TEXT = (
    "Fairway Recovery LLC, a debt collector: please call us at 312-555-0199. Reply STOP to opt out."
)
WORK_ADDRESS = EmailEndpoint(
    endpoint_id="em-2", address="pat.doe@bigcorp.com", employer_provided=True
)


def _email_consent(endpoint_id: str | None) -> Consent:
    return Consent(
        consent_id="c-1",
        kind=ConsentKind.EMAIL,
        given_at=T0 - timedelta(days=30),
        given_directly_to_collector=True,
        disclosure_shown=True,
        endpoint_id=endpoint_id,
    )


def _to_em2(consent: Consent) -> EvaluationContext:
    ctx = with_person(fine(endpoints=[phone(), email(), WORK_ADDRESS]), consents=[consent])
    ctx = with_proposal(ctx, channel="email", endpoint_id="em-2", template_type="REMINDER")
    return with_content(ctx, EMAIL_TEXT)


def test_d70_an_email_consent_tied_to_no_address_does_not_qualify_a_work_address() -> None:
    (old, _), (new, new_r) = both(_to_em2(_email_consent(None)), "FED-WORK-EMAIL")
    assert old.allowed
    assert not new.allowed
    assert "DATA_MISSING:person.consents[c-1].endpoint_id" in new.reasons
    assert new_r.outcome is Outcome.BLOCK
    assert result(new, "FED-EMAIL-PROC").outcome is Outcome.BLOCK


def test_d70_boundary_an_email_consent_for_that_address_still_qualifies_it() -> None:
    new = evaluate(_to_em2(_email_consent("em-2")), pack_version=NEW)
    assert new.allowed
    assert result(new, "FED-WORK-EMAIL").outcome is Outcome.ALLOW


def _text_consent(endpoint_id: str | None) -> EvaluationContext:
    consent = Consent(
        consent_id="c-1",
        kind=ConsentKind.TEXT,
        given_at=T0 - timedelta(days=10),
        given_directly_to_collector=True,
        endpoint_id=endpoint_id,
    )
    ph2 = PhoneEndpoint(endpoint_id="ph-2", e164="+13125550177", phone_type=PhoneType.CELL)
    ctx = with_person(fine(endpoints=[phone(), email(), ph2]), consents=[consent])
    content = Content(text=SMS_TEXT)
    return with_proposal(
        ctx, channel="sms", endpoint_id="ph-2", template_type="REMINDER", content=content
    )


def test_d70_a_text_consent_tied_to_no_number_does_not_qualify_another_number() -> None:
    (old, _), (new, new_r) = both(_text_consent(None), "FED-TEXT-PROC")
    assert old.allowed
    assert not new.allowed and new_r.outcome is Outcome.BLOCK
    assert new_r.missing == ("person.consents[c-1].endpoint_id",)


def test_d70_boundary_a_text_consent_for_that_number_still_qualifies_it() -> None:
    new = evaluate(_text_consent("ph-2"), pack_version=NEW)
    assert result(new, "FED-TEXT-PROC").outcome is Outcome.ALLOW


# --- D-71: an address opt-out is about the address, not the endpoint record -----------------


@pytest.mark.parametrize("address", ["pat@example.com", " PAT@Example.COM "])
def test_d71_an_opt_out_binds_another_record_of_the_same_address(address: str) -> None:
    optout = AddressOptOut(endpoint_id="em-1", requested_at=T0 - timedelta(days=3))
    endpoints = [phone(), email(), email(endpoint_id="em-2", address=address.strip())]
    ctx = with_person(fine(endpoints=endpoints), address_optouts=[optout])
    ctx = email_ctx(ctx, EMAIL_TEXT)
    ctx = with_proposal(ctx, endpoint_id="em-2")
    (old, _), (new, new_r) = both(ctx, "FED-EOPT-NOTICE")
    assert old.allowed
    assert not new.allowed and new_r.outcome is Outcome.BLOCK


def test_d71_boundary_an_opt_out_of_another_address_does_not_bind() -> None:
    optout = AddressOptOut(endpoint_id="em-1", requested_at=T0 - timedelta(days=3))
    endpoints = [phone(), email(), email(endpoint_id="em-2", address="pat.doe@other.org")]
    ctx = with_person(fine(endpoints=endpoints), address_optouts=[optout])
    ctx = with_proposal(email_ctx(ctx, EMAIL_TEXT), endpoint_id="em-2")
    new = evaluate(ctx, pack_version=NEW)
    assert new.allowed and result(new, "FED-EOPT-NOTICE").outcome is Outcome.REQUIRE


def test_d71_the_same_number_under_another_record_is_opted_out() -> None:
    optout = AddressOptOut(endpoint_id="ph-1", requested_at=T0 - timedelta(days=3))
    ph2 = phone(endpoint_id="ph-2", first_inbound_text_at=T0 - timedelta(days=5),
                last_inbound_text_at=T0 - timedelta(days=5))  # fmt: skip
    ctx = with_person(fine(endpoints=[phone(), email(), ph2]), address_optouts=[optout])
    ctx = with_proposal(ctx, channel="sms", endpoint_id="ph-2", content=Content(text=SMS_TEXT))
    (old, old_r), (new, new_r) = both(ctx, "FED-EOPT-NOTICE")
    assert old_r.outcome is Outcome.REQUIRE
    assert new_r.outcome is Outcome.BLOCK


# --- D-73: the creditor path never reaches an address recorded at work ----------------------


def _creditor_path_email(place: PlaceKind) -> EvaluationContext:
    notice = CreditorEmailNotice(
        sent_at=T0 - timedelta(days=60),
        opt_out_deadline=T0 - timedelta(days=20),
        discloses_transfer=True,
        discloses_address_and_use=True,
        discloses_others_may_see=True,
        gives_opt_out_instructions=True,
    )
    em = EmailEndpoint(
        endpoint_id="em-1",
        address="pat.doe@acmecorp.com",
        place=place,
        creditor_obtained_from_consumer=True,
        creditor_used_for_account=True,
        creditor_notice=notice,
    )
    return email_ctx(fine(endpoints=[phone(), em]), EMAIL_TEXT)


def test_d73_an_address_at_work_does_not_take_the_creditor_path() -> None:
    (old, _), (new, new_r) = both(_creditor_path_email(PlaceKind.WORK), "FED-EMAIL-PROC")
    assert old.allowed
    assert not new.allowed and new_r.outcome is Outcome.BLOCK


def test_d73_boundary_a_home_address_still_takes_the_creditor_path() -> None:
    new = evaluate(_creditor_path_email(PlaceKind.HOME), pack_version=NEW)
    assert new.allowed and result(new, "FED-EMAIL-PROC").outcome is Outcome.ALLOW


# --- D-74: the opt-out text itself ----------------------------------------------------------

HEAD = "Fairway Recovery LLC: this message is from a debt collector. Your balance is $120. "


@pytest.mark.parametrize(
    "sentence",
    [
        "To opt out, log in to our portal with your account number and date of birth.",
        "You cannot opt out of these messages.",
        "You can't unsubscribe from account messages.",
        "To unsubscribe, send your Social Security number.",
        "Reply STOP to opt out; a $2 fee applies.",
    ],
)
def test_d74_an_opt_out_that_demands_more_or_is_denied_is_blocked(sentence: str) -> None:
    (old, _), (new, new_r) = both(email_ctx(fine(), HEAD + sentence), "FED-EOPT-NOTICE")
    assert old.allowed
    assert not new.allowed and new_r.outcome is Outcome.BLOCK


@pytest.mark.parametrize(
    "sentence",
    [
        "Reply STOP to opt out at no charge.",
        "To opt out of emails, click unsubscribe. Log in to our portal to see your account.",
        "Unsubscribe any time; it is free of charge.",
        "To stop emails to this address, reply STOP or unsubscribe.",
    ],
)
def test_d74_boundary_a_simple_opt_out_still_passes(sentence: str) -> None:
    new = evaluate(email_ctx(fine(), HEAD + sentence), pack_version=NEW)
    assert new.allowed and result(new, "FED-EOPT-NOTICE").outcome is Outcome.REQUIRE


def test_d74_spanish_opt_out_asking_for_the_date_of_birth_is_blocked() -> None:
    text = (
        "Fairway Recovery LLC: este mensaje es de una agencia de cobranzas. Su saldo es $120. "
        "Para darse de baja, indique su fecha de nacimiento."
    )
    ctx = with_proposal(fine(), channel="email", endpoint_id="em-1", template_type="REMINDER")
    ctx = with_proposal(ctx, content=Content(text=text, language="es"))
    (_, old_r), (_, new_r) = both(ctx, "FED-EOPT-NOTICE")
    assert old_r.outcome is Outcome.REQUIRE and new_r.outcome is Outcome.BLOCK


@pytest.mark.parametrize(
    "sentence",
    [
        "Reply STOP to opt out - no login required.",
        "Your balance is $120 (no late fee), reply STOP to opt out.",
        "You don't need to sign in or give your account number to unsubscribe: just reply STOP.",
        "Reply STOP to opt out; carrier charges may apply.",
        "You can unsubscribe at any time and we will not charge you.",
        "To opt out, reply STOP. Log in to pay your balance of $120.00 online.",
    ],
)
def test_d74_boundary_compliant_wording_answers_as_2026_12_1(sentence: str) -> None:
    # Review finding: the first 2026.12.2 patterns blocked these; an opt-out that exists is
    # what the rule needs, and ordinary fee words are no demand to pay to opt out.
    (old, old_r), (new, new_r) = both(email_ctx(fine(), HEAD + sentence), "FED-EOPT-NOTICE")
    assert new.allowed == old.allowed and new_r.outcome is old_r.outcome is Outcome.REQUIRE


@pytest.mark.parametrize(
    "sentence",
    [
        "You must log in to your account to opt out.",
        "Your date of birth is required to unsubscribe.",
        "To opt out, you must pay a $5 fee.",
        "There is a fee to unsubscribe.",
    ],
)
def test_d74_explicit_requirements_to_opt_out_are_blocked(sentence: str) -> None:
    (old, _), (new, new_r) = both(email_ctx(fine(), HEAD + sentence), "FED-EOPT-NOTICE")
    assert old.allowed
    assert not new.allowed and new_r.outcome is Outcome.BLOCK


def _spanish(text: str) -> EvaluationContext:
    ctx = with_proposal(fine(), channel="email", endpoint_id="em-1", template_type="REMINDER")
    return with_proposal(ctx, content=Content(text=text, language="es"))


def test_d74_boundary_spanish_ordinary_fee_words_do_not_block() -> None:
    text = (
        "Fairway Recovery LLC: este mensaje es de una agencia de cobranzas. Su cuota mensual de "
        "$50 vence el 1 de diciembre, responda STOP para darse de baja."
    )
    (_, old_r), (_, new_r) = both(_spanish(text), "FED-EOPT-NOTICE")
    assert new_r.outcome is old_r.outcome is Outcome.REQUIRE


@pytest.mark.parametrize("filler", ["Reply STOP to opt out, ", "log in and pay the fee, ", "a "])
def test_d74_a_200_kb_single_line_text_is_read_in_linear_time(filler: str) -> None:
    # Review finding: the first pattern backtracked quadratically (52 KB took 12 s).
    text = HEAD + filler * (200_000 // len(filler)) + "unsubscribe any time"
    ctx = email_ctx(fine(), text)
    started = time.perf_counter()
    evaluate(ctx, pack_version=NEW)
    assert time.perf_counter() - started < 0.5


# --- D-75: one opt-out confirmation, counted from the history ------------------------------

CONFIRMATION = "We confirm you will receive no more emails from us."


def _confirmation_ctx(*sent: int) -> EvaluationContext:
    optout = MediumOptOut(medium=Medium.EMAIL, requested_at=T0 - timedelta(days=3))
    ctx = with_person(fine(), medium_optouts=[optout])
    events = [
        message(T0 - timedelta(days=d), "email", template_type=TemplateType.OPT_OUT_CONFIRMATION)
        for d in sent
    ]
    return email_ctx(with_history(ctx, *events), CONFIRMATION, tmpl="OPT_OUT_CONFIRMATION")


@pytest.mark.parametrize("sent", [(2,), (2, 1)])
def test_d75_a_further_confirmation_after_one_was_sent_is_blocked(sent: tuple[int, ...]) -> None:
    (old, _), (new, new_r) = both(_confirmation_ctx(*sent), "FED-MEDIUM-OPTOUT")
    assert old.allowed
    assert not new.allowed and new_r.outcome is Outcome.BLOCK


def test_d75_an_outstanding_approval_in_the_medium_counts_as_the_confirmation() -> None:
    ctx = _confirmation_ctx()
    pending = approval(
        T0 - timedelta(hours=1),
        channel="email",
        endpoint_id="em-1",
        expires_at=T0 + timedelta(minutes=5),
    )
    ctx = with_approvals(ctx, pending)
    new = evaluate(ctx, pack_version=NEW)
    assert result(new, "FED-MEDIUM-OPTOUT").outcome is Outcome.BLOCK


@pytest.mark.parametrize("expires", [timedelta(0), -timedelta(minutes=30)])
def test_d75_an_expired_unused_approval_is_not_a_confirmation_sent(expires: timedelta) -> None:
    # An approval that expired (expires_at <= the send instant) without a send sent nothing.
    ctx = _confirmation_ctx()
    stale = approval(
        T0 - timedelta(hours=2), channel="email", endpoint_id="em-1", expires_at=T0 + expires
    )
    new = evaluate(with_approvals(ctx, stale), pack_version=NEW)
    assert result(new, "FED-MEDIUM-OPTOUT").outcome is Outcome.ALLOW


def test_d75_boundary_a_reply_to_the_person_after_a_confirmation_is_still_allowed() -> None:
    inbound = message(
        T0 - timedelta(hours=2), "email", direction="inbound", initiated_by="consumer"
    )
    ctx = with_history(_confirmation_ctx(2), inbound)
    new = evaluate(with_proposal(ctx, responding_to_consumer_request=True), pack_version=NEW)
    assert result(new, "FED-MEDIUM-OPTOUT").outcome is Outcome.ALLOW


def test_d75_boundary_the_first_confirmation_is_allowed() -> None:
    # A confirmation sent before this opt-out (an earlier one, since withdrawn) does not count.
    new = evaluate(_confirmation_ctx(5), pack_version=NEW)
    assert new.allowed and result(new, "FED-MEDIUM-OPTOUT").outcome is Outcome.ALLOW


# --- D-76: FED-LCM reads the extended debt words and the creditor's name -------------------

LCM_ITEMS = frozenset(
    [
        LcmItem.BUSINESS_NAME,
        LcmItem.REPLY_REQUEST,
        LcmItem.NATURAL_PERSON_NAME,
        LcmItem.CALLBACK_NUMBER,
    ]
)


def _voicemail(text: str) -> EvaluationContext:
    ctx = with_proposal(fine(), channel="voicemail", template_type="LIMITED_CONTENT_MESSAGE")
    ctx = rebuild(ctx, endpoints=[phone(owner_confirmed=False), email()])
    return with_content(ctx, text, lcm_items=LCM_ITEMS)


@pytest.mark.parametrize(
    "text",
    [
        "Hello, this is Sam Lee from Fairway Services about your Acme Bank credit card account "
        "ending 1234. Please call us back at 312-555-0199.",
        "Hello, this is Sam Lee from Fairway Services regarding your loan. Please call us back "
        "at 312-555-0199.",
        "Hello, this is Sam Lee from Fairway Services about your unpaid bill. Please call us back "
        "at 312-555-0199.",
        "Hello, this is Sam Lee from Fairway Services. You are in arrears. Please call us back at "
        "312-555-0199.",
    ],
)
def test_d76_a_voicemail_revealing_the_debt_is_not_an_lcm(text: str) -> None:
    (old, old_r), (new, new_r) = both(_voicemail(text), "FED-LCM")
    assert old_r.outcome is Outcome.ALLOW
    assert not new.allowed and new_r.outcome is Outcome.BLOCK


def test_d76_boundary_the_factory_lcm_is_still_an_lcm() -> None:
    new = evaluate(_voicemail(LCM_TEXT), pack_version=NEW)
    assert result(new, "FED-LCM").outcome is Outcome.ALLOW
