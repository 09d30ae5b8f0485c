"""FED sections 2b-2c: medium opt-outs and the electronic, postal, social and voicemail rules."""

from __future__ import annotations

from datetime import timedelta

from compliance.domain import DecisionOutcome, evaluate
from compliance.domain.context import (
    AddressOptOut,
    Consent,
    ConsentKind,
    CreditorEmailNotice,
    MediumOptOut,
    ReassignedCheck,
    RpcState,
    SocialEndpoint,
)

from .factories import (
    EMAIL_TEXT,
    LCM_TEXT,
    T0,
    call,
    email,
    failing_ids,
    fine,
    message,
    phone,
    rebuild,
    utc,
    with_content,
    with_history,
    with_person,
    with_proposal,
)

SMS_TEXT = (
    "Fairway Recovery LLC, a debt collector: your payment plan is ready. Reply STOP to opt out."
)


def _email(**endpoint_kw):  # type: ignore[no-untyped-def]
    ctx = rebuild(fine(), endpoints=[phone(), email(**endpoint_kw)])
    ctx = with_proposal(ctx, channel="email", endpoint_id="em-1", template_type="REMINDER")
    return with_content(ctx, EMAIL_TEXT)


def _sms(**phone_kw):  # type: ignore[no-untyped-def]
    base = {"first_inbound_text_at": utc(2026, 11, 1), "last_inbound_text_at": utc(2026, 11, 1)}
    ctx = rebuild(fine(), endpoints=[phone(**{**base, **phone_kw}), email()])
    ctx = with_proposal(ctx, channel="sms", endpoint_id="ph-1", template_type="REMINDER")
    return with_content(ctx, SMS_TEXT)


# --- FED-MEDIUM-OPTOUT ----------------------------------------------------------------------


def _no_calls():  # type: ignore[no-untyped-def]
    return with_person(
        fine(), medium_optouts=[MediumOptOut(medium="telephone", requested_at=utc(2026, 11, 10))]
    )


def test_blocks_a_call_after_the_person_said_stop_calling():
    assert "FED-MEDIUM-OPTOUT" in failing_ids(evaluate(_no_calls()))


def test_a_telephone_opt_out_does_not_block_email():
    ctx = with_person(
        _email(), medium_optouts=[MediumOptOut(medium="telephone", requested_at=utc(2026, 11, 10))]
    )
    assert evaluate(ctx).outcome is DecisionOutcome.ALLOW


def test_one_reply_in_the_medium_the_person_used_after_opting_out():
    inbound = call(T0 - timedelta(hours=1), direction="inbound", initiated_by="consumer")
    ctx = with_proposal(with_history(_no_calls(), inbound), responding_to_consumer_request=True)
    assert "FED-MEDIUM-OPTOUT" not in failing_ids(evaluate(ctx))


def test_one_electronic_confirmation_of_an_opt_out_is_allowed():
    ctx = with_person(
        _email(), medium_optouts=[MediumOptOut(medium="email", requested_at=utc(2026, 11, 10))]
    )
    confirm = with_content(
        with_proposal(ctx, template_type="OPT_OUT_CONFIRMATION"),
        "We received your request and will stop emailing you.",
    )
    assert evaluate(confirm).outcome is DecisionOutcome.ALLOW
    assert "FED-MEDIUM-OPTOUT" in failing_ids(evaluate(ctx))


# --- FED-EOPT-NOTICE ------------------------------------------------------------------------


def test_an_email_without_an_opt_out_statement_is_blocked():
    ctx = with_content(_email(), "Fairway Recovery LLC, a debt collector: please call us.")
    assert "FED-EOPT-NOTICE" in failing_ids(evaluate(ctx))


def test_an_email_with_reply_stop_is_allowed():
    assert evaluate(_email()).outcome is DecisionOutcome.ALLOW


def test_an_opt_out_that_requires_a_login_is_blocked():
    ctx = with_content(_email(), EMAIL_TEXT, opt_out_requires_extra_info=True)
    assert "FED-EOPT-NOTICE" in failing_ids(evaluate(ctx))


def test_an_address_opt_out_blocks_only_that_address():
    optout = AddressOptOut(endpoint_id="em-1", requested_at=utc(2026, 11, 10))
    ctx = with_person(_email(), address_optouts=[optout])
    assert "FED-EOPT-NOTICE" in failing_ids(evaluate(ctx))
    assert evaluate(with_person(_sms(), address_optouts=[optout])).outcome is DecisionOutcome.ALLOW


# --- FED-EMAIL-PROC and FED-WORK-EMAIL ------------------------------------------------------


def test_blocks_email_to_an_address_with_no_procedure():
    assert "FED-EMAIL-PROC" in failing_ids(evaluate(_email(consumer_used_at=None)))


def test_allows_email_after_the_creditor_notice_and_35_day_opt_out_period():
    notice = CreditorEmailNotice(
        sent_at=utc(2026, 9, 1),
        opt_out_deadline=utc(2026, 10, 6),
        discloses_transfer=True,
        discloses_address_and_use=True,
        discloses_others_may_see=True,
        gives_opt_out_instructions=True,
    )
    ctx = _email(
        consumer_used_at=None,
        creditor_notice=notice,
        creditor_obtained_from_consumer=True,
        creditor_used_for_account=True,
    )
    assert evaluate(ctx).outcome is DecisionOutcome.ALLOW
    short = rebuild(notice, opt_out_deadline=utc(2026, 10, 1))  # only 30 days
    blocked = _email(
        consumer_used_at=None,
        creditor_notice=short,
        creditor_obtained_from_consumer=True,
        creditor_used_for_account=True,
    )
    assert "FED-EMAIL-PROC" in failing_ids(evaluate(blocked))


def test_blocks_an_address_that_led_to_a_third_party_disclosure():
    assert "FED-EMAIL-PROC" in failing_ids(
        evaluate(_email(third_party_disclosure_at=utc(2026, 11, 2)))
    )


def test_blocks_a_work_email_the_person_never_used_or_consented_to():
    ctx = _email(consumer_used_at=None, employer_provided=True, prior_collector_qualified=False)
    assert "FED-WORK-EMAIL" in failing_ids(evaluate(ctx))


def test_allows_a_work_email_the_person_used_with_us():
    assert evaluate(_email(employer_provided=True)).outcome is DecisionOutcome.ALLOW


# --- FED-TEXT-PROC --------------------------------------------------------------------------


def test_allows_a_text_to_a_number_the_person_texted_from_recently():
    assert evaluate(_sms()).outcome is DecisionOutcome.ALLOW


def test_blocks_a_text_when_the_last_inbound_text_is_older_than_60_days():
    ctx = _sms(last_inbound_text_at=utc(2026, 9, 1))
    assert "FED-TEXT-PROC" in failing_ids(evaluate(ctx))


def test_a_recent_reassigned_number_check_keeps_an_old_number_usable():
    check = ReassignedCheck(checked_at=utc(2026, 11, 10), result="no_reassignment")
    ctx = _sms(last_inbound_text_at=utc(2026, 9, 1), reassigned_check=check)
    assert "FED-TEXT-PROC" not in failing_ids(evaluate(ctx))


def test_recent_text_consent_allows_texting():
    consent = Consent(
        consent_id="t-1",
        kind=ConsentKind.TEXT,
        given_at=utc(2026, 11, 1),
        given_directly_to_collector=True,
        endpoint_id="ph-1",
    )
    ctx = with_person(
        _sms(first_inbound_text_at=None, last_inbound_text_at=None), consents=[consent]
    )
    assert "FED-TEXT-PROC" not in failing_ids(evaluate(ctx))


# --- FED-SOCIAL, FED-MAIL-FORM, FED-LCM -----------------------------------------------------


def _social(visibility):  # type: ignore[no-untyped-def]
    social = SocialEndpoint(endpoint_id="so-1", platform="x", visibility=visibility)
    ctx = rebuild(fine(), endpoints=[phone(), social])
    ctx = with_proposal(ctx, channel="social_dm", endpoint_id="so-1", template_type="REMINDER")
    return with_content(ctx, SMS_TEXT)


def test_blocks_a_public_social_media_message():
    assert "FED-SOCIAL" in failing_ids(evaluate(_social("public")))


def test_allows_a_private_social_media_message():
    assert "FED-SOCIAL" not in failing_ids(evaluate(_social("private")))


def test_unknown_social_visibility_is_missing_data():
    assert "DATA_MISSING:endpoints[social].visibility" in evaluate(_social(None)).reasons


def _letter(**meta):  # type: ignore[no-untyped-def]
    ctx = with_proposal(fine(), channel="letter", endpoint_id=None, template_type="REMINDER")
    meta.setdefault("envelope_items", ["collector_address", "debtor_name_address", "postage"])
    return with_content(ctx, "Fairway Recovery LLC is a debt collector.", **meta)


def test_allows_a_letter_in_a_plain_envelope():
    assert evaluate(_letter()).outcome is DecisionOutcome.ALLOW


def test_blocks_a_postcard():
    assert "FED-MAIL-FORM" in failing_ids(evaluate(_letter(postcard=True)))


def test_blocks_an_envelope_that_says_debt_collection():
    ctx = _letter(
        envelope_items=["collector_address", "business_name"], envelope_text="Debt Collection Dept"
    )
    assert "FED-MAIL-FORM" in failing_ids(evaluate(ctx))


def test_a_letter_without_an_envelope_spec_is_missing_data():
    ctx = with_content(
        with_proposal(fine(), channel="letter", endpoint_id=None, template_type="REMINDER"),
        "Fairway Recovery LLC is a debt collector.",
    )
    assert "DATA_MISSING:proposal.content.meta.envelope_items" in evaluate(ctx).reasons


_LCM_ITEMS = [
    "business_name",
    "reply_request",
    "natural_person_name",
    "callback_number",
    "salutation",
]


def _voicemail(text=LCM_TEXT, items=_LCM_ITEMS):  # type: ignore[no-untyped-def]
    ctx = with_proposal(fine(), channel="voicemail", template_type="LIMITED_CONTENT_MESSAGE")
    return with_content(ctx, text, lcm_items=items)


def test_allows_a_limited_content_message():
    assert evaluate(_voicemail()).outcome is DecisionOutcome.ALLOW


def test_a_voicemail_that_mentions_the_debt_is_not_an_lcm():
    ctx = _voicemail(LCM_TEXT + " It is about your past-due balance.")
    decision = evaluate(ctx)
    assert "FED-LCM" in failing_ids(decision)


def test_a_voicemail_missing_the_callback_number_item_is_not_an_lcm():
    ctx = _voicemail(items=_LCM_ITEMS[:3])
    assert "FED-LCM" in failing_ids(evaluate(ctx))


def test_a_full_voicemail_on_an_unverified_line_is_blocked_not_reviewed():
    ctx = with_person(_voicemail(LCM_TEXT + " This concerns a debt."), rpc=RpcState.UNVERIFIED)
    assert evaluate(ctx).outcome is DecisionOutcome.BLOCK


def test_lcm_counts_as_a_call_attempt():
    calls = [
        message(T0 - timedelta(days=i + 1), channel="voicemail", voicemail="lcm") for i in range(6)
    ]
    ctx = with_history(_voicemail(), *calls, call(T0 - timedelta(hours=2)))
    assert "FED-7IN7" in failing_ids(evaluate(ctx))
