"""Section 4: state and local overlays (MA, NYC, NYS, CA, WA, WV, DC)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from compliance.domain import DecisionOutcome, evaluate
from compliance.domain.context import (
    AttorneyRep,
    Consent,
    ConsentKind,
    InconvenientPlace,
    Licence,
    PersonRole,
    PlaceKind,
)
from compliance.domain.results import Outcome

from .factories import (
    EMAIL_TEXT,
    T0,
    call,
    email,
    failing_ids,
    fine,
    in_state,
    local,
    message,
    phone,
    rebuild,
    result,
    utc,
    with_collector,
    with_content,
    with_debt,
    with_history,
    with_person,
    with_proposal,
)

BOSTON = ZoneInfo("America/New_York")


def _ma():  # type: ignore[no-untyped-def]
    ctx = in_state(fine(), "MA", "America/New_York")
    ctx = rebuild(ctx, endpoints=[phone("+16175550100"), email()])
    return with_proposal(ctx, intended_send_at=local(BOSTON, 2026, 11, 18, 11, 0))


# --- Massachusetts ---------------------------------------------------------------------------


def test_ma_blocks_the_third_call_in_seven_days_to_personal_numbers():
    calls = [call(local(BOSTON, 2026, 11, d, 11, 0)) for d in (14, 16)]
    decision = evaluate(with_history(_ma(), *calls))
    assert "MA-2IN7" in failing_ids(decision)
    assert "FED-7IN7" not in failing_ids(decision)


def test_ma_counts_texts_and_unanswered_calls():
    events = [
        message(local(BOSTON, 2026, 11, 14, 11, 0)),
        call(local(BOSTON, 2026, 11, 16, 11, 0), connected=False),
    ]
    assert "MA-2IN7" in failing_ids(evaluate(with_history(_ma(), *events)))


def test_ma_counts_per_debt():
    from .factories import debt

    ctx = rebuild(_ma(), debts=[debt(governing_state="MA"), debt("d-2", governing_state="MA")])
    calls = [call(local(BOSTON, 2026, 11, d, 11, 0), debt_ids={"d-2"}) for d in (14, 16)]
    assert "MA-2IN7" not in failing_ids(evaluate(with_history(ctx, *calls)))


def test_ma_allows_a_contact_the_person_asked_for():
    calls = [call(local(BOSTON, 2026, 11, d, 11, 0)) for d in (14, 16)]
    ctx = with_proposal(with_history(_ma(), *calls), responding_to_consumer_request=True)
    assert "MA-2IN7" not in failing_ids(evaluate(ctx))


def test_ma_allows_two_calls_per_thirty_days_to_a_work_number():
    ctx = rebuild(
        _ma(), endpoints=[phone("+16175550100", phone_type="work", place="work"), email()]
    )
    one = call(local(BOSTON, 2026, 10, 25, 11, 0))
    assert "MA-2IN7" not in failing_ids(evaluate(with_history(ctx, one)))
    two = call(local(BOSTON, 2026, 11, 1, 11, 0))
    assert "MA-2IN7" in failing_ids(evaluate(with_history(ctx, one, two)))


def test_ma_oral_request_not_to_call_at_work_expires_after_ten_days():
    work = rebuild(
        _ma(), endpoints=[phone("+16175550100", phone_type="work", place="work"), email()]
    )
    fresh = InconvenientPlace(place=PlaceKind.WORK, designated_at=T0 - timedelta(days=5))
    assert "MA-WORK-REQ" in failing_ids(evaluate(with_person(work, inconvenient_places=[fresh])))
    old = InconvenientPlace(place=PlaceKind.WORK, designated_at=T0 - timedelta(days=12))
    decision = evaluate(with_person(work, inconvenient_places=[old]))
    assert "MA-WORK-REQ" not in failing_ids(decision)
    # ...but the federal designation has no expiry (reference MA-WORK-REQ edge case).
    assert "FED-PLACE" in failing_ids(decision)


def test_ma_time_window_applies_to_a_first_party_creditor():
    ctx = with_collector(_ma(), role="creditor_own_name")
    ctx = with_proposal(ctx, intended_send_at=local(BOSTON, 2026, 11, 18, 7, 30))
    assert "MA-TIME" in failing_ids(evaluate(ctx))


def test_ma_creditor_calls_to_household_members_must_not_imply_the_debt():
    ctx = with_person(with_collector(_ma(), role="creditor_own_name"), role=PersonRole.THIRD_PARTY)
    ctx = with_content(ctx, "This is Sam, please have Pat call about the overdue balance.")
    assert "MA-HOUSEHOLD" in failing_ids(evaluate(ctx))
    spouse = with_person(with_collector(_ma(), role="creditor_own_name"), role=PersonRole.SPOUSE)
    # 2026.11.1; from 2026.12.1 the household cap needs the debtor's calls first (D-49,
    # test_state_gaps.py).
    released = evaluate(spouse, pack_version="2026.11.1")
    assert result(released, "MA-HOUSEHOLD").outcome is Outcome.REVIEW


def test_ma_allows_one_household_visit_per_thirty_days():
    from compliance.domain.context import InPersonEndpoint

    visit_point = InPersonEndpoint(endpoint_id="v-1", address_id="a-1")
    ctx = rebuild(_ma(), endpoints=[phone("+16175550100"), visit_point])
    ctx = with_proposal(ctx, channel="visit", endpoint_id="v-1", template_type="AGENT_CALL")
    earlier = call(T0 - timedelta(days=20), channel="visit", endpoint_id="v-1")
    assert "MA-VISIT" in failing_ids(evaluate(with_history(ctx, earlier)))
    nobody = call(
        T0 - timedelta(days=20), channel="visit", endpoint_id="v-1", contacted_someone=False
    )
    assert "MA-VISIT" not in failing_ids(evaluate(with_history(ctx, nobody)))


# --- New York City and New York State ---------------------------------------------------------


def _nyc(flag: bool = True):  # type: ignore[no-untyped-def]
    ctx = in_state(fine(), "NY", "America/New_York", in_nyc=True)
    ctx = rebuild(ctx, endpoints=[phone("+12125550100"), email()])
    ctx = with_person(ctx, language_pref_requested_at=utc(2026, 10, 1))
    ctx = with_debt(ctx, nys_initial_disclosure_sent_at=utc(2026, 10, 2))
    return with_collector(ctx, nyc_amended_rules_effective=flag)


def test_nyc_blocks_the_fourth_contact_across_channels_in_seven_days_when_enabled():
    events = [
        call(T0 - timedelta(days=1)),
        message(T0 - timedelta(days=2), channel="email"),
        message(T0 - timedelta(days=3), channel="sms"),
    ]
    assert "NYC-3IN7" in failing_ids(evaluate(with_history(_nyc(), *events)))


def test_nyc_three_in_seven_is_behind_the_effective_flag():
    events = [call(T0 - timedelta(days=i + 1)) for i in range(3)]
    decision = evaluate(with_history(_nyc(flag=False), *events))
    assert result(decision, "NYC-3IN7").outcome is Outcome.NOT_APPLICABLE
    assert decision.outcome is DecisionOutcome.ALLOW


def test_nyc_email_needs_written_consent_when_enabled():
    ctx = with_proposal(_nyc(), channel="email", endpoint_id="em-1", template_type="REMINDER")
    ctx = with_content(ctx, EMAIL_TEXT)
    assert "NYC-ECONSENT" in failing_ids(evaluate(ctx))


def test_nyc_requires_asking_for_the_language_preference():
    ctx = with_person(_nyc(flag=False), language_pref_requested_at=None)
    assert "NYC-LANG" in failing_ids(evaluate(ctx))
    asked = with_content(
        ctx, "Fairway Recovery LLC, a debt collector.", language_pref_question=True
    )
    assert "NYC-LANG" not in failing_ids(evaluate(asked))


def test_nyc_time_barred_letter_needs_the_city_disclosure_when_enabled():
    ctx = with_debt(_nyc(), time_barred=True)
    ctx = with_proposal(ctx, channel="letter", endpoint_id=None, template_type="REMINDER")
    ctx = with_content(
        ctx,
        "Fairway Recovery LLC is a debt collector.",
        envelope_items=[],
        state_notices=["NYS_TB"],
    )
    assert "NYC-TB" in failing_ids(evaluate(ctx))


def test_nys_initial_disclosure_is_a_duty_within_five_days():
    ctx = with_debt(
        _nyc(flag=False),
        nys_initial_disclosure_sent_at=None,
        initial_communication_at=T0 - timedelta(days=2),
    )
    decision = evaluate(ctx)
    assert any(o.code == "nys_1_2:d-1" for o in decision.obligations)
    late = with_debt(ctx, initial_communication_at=T0 - timedelta(days=6))
    assert "NYS-INIT-DISC" in failing_ids(evaluate(late))


def test_nys_time_barred_letter_needs_the_state_notice():
    ctx = with_debt(_nyc(flag=False), time_barred=True)
    ctx = with_proposal(ctx, channel="letter", endpoint_id=None, template_type="REMINDER")
    ctx = with_content(ctx, "Fairway Recovery LLC is a debt collector.", envelope_items=[])
    assert "NYS-TB" in failing_ids(evaluate(ctx))
    noticed = with_content(
        ctx,
        "Fairway Recovery LLC is a debt collector. We are not permitted to sue you.",
        envelope_items=[],
    )
    assert "NYS-TB" not in failing_ids(evaluate(noticed))


def test_nys_email_needs_written_consent_for_this_debt():
    ctx = with_proposal(
        _nyc(flag=False), channel="email", endpoint_id="em-1", template_type="REMINDER"
    )
    ctx = with_content(ctx, EMAIL_TEXT)
    assert "NYS-EMAIL" in failing_ids(evaluate(ctx))
    consent = Consent(
        consent_id="e-1",
        kind=ConsentKind.EMAIL,
        given_at=utc(2026, 10, 1),
        given_directly_to_collector=True,
        written=True,
        endpoint_id="em-1",
        debt_ids=frozenset({"d-1"}),
    )
    ctx = rebuild(ctx, endpoints=[phone("+12125550100"), email(consumer_provided_voluntarily=True)])
    assert "NYS-EMAIL" not in failing_ids(evaluate(with_person(ctx, consents=[consent])))


def test_nys_gbl601_reviews_heavy_calling_by_a_principal_creditor():
    ctx = with_collector(_nyc(flag=False), role="creditor_own_name")
    calls = [call(T0 - timedelta(hours=20 * (i + 1)), connected=False) for i in range(7)]
    decision = evaluate(with_history(ctx, *calls))
    assert result(decision, "NYS-GBL601").outcome is Outcome.REVIEW


# --- California -----------------------------------------------------------------------------


def _ca(**collector_kw):  # type: ignore[no-untyped-def]
    ctx = in_state(fine(), "CA", "America/Los_Angeles")
    ctx = rebuild(ctx, endpoints=[phone("+13105550100"), email()])
    ctx = with_collector(ctx, licences=[Licence(state="CA", number="CFL-12345")], **collector_kw)
    return with_proposal(
        ctx, intended_send_at=local(ZoneInfo("America/Los_Angeles"), 2026, 11, 18, 11, 0)
    )


def _ca_letter(text: str, **meta):  # type: ignore[no-untyped-def]
    ctx = with_proposal(_ca(), channel="letter", endpoint_id=None, template_type="REMINDER")
    return with_content(ctx, text, envelope_items=[], **meta)


def test_ca_letter_must_show_the_licence_number():
    decision = evaluate(
        _ca_letter("Fairway Recovery LLC is a debt collector.", state_notices=["CA_1812_700"])
    )
    assert "CA-ID-LICENSE" in failing_ids(decision)
    ok = _ca_letter(
        "Fairway Recovery LLC is a debt collector. CA licence CFL-12345.",
        state_notices=["CA_1812_700"],
    )
    assert evaluate(ok).outcome is DecisionOutcome.ALLOW


def test_ca_third_party_collector_without_a_licence_on_file_is_missing_data():
    ctx = with_collector(_ca_letter("Fairway Recovery LLC is a debt collector."), licences=[])
    assert "DATA_MISSING:collector.licences[CA]" in evaluate(ctx).reasons


def test_ca_first_written_notice_needs_the_rights_paragraph():
    text = "Fairway Recovery LLC is a debt collector. CA licence CFL-12345."
    assert "CA-1812.700" in failing_ids(evaluate(_ca_letter(text)))
    prior = message(T0 - timedelta(days=3), channel="letter")
    assert "CA-1812.700" not in failing_ids(evaluate(with_history(_ca_letter(text), prior)))


def test_ca_time_barred_letter_needs_the_statutory_notice():
    text = "Fairway Recovery LLC is a debt collector. CA licence CFL-12345."
    ctx = with_debt(
        _ca_letter(text, state_notices=["CA_1812_700"]), time_barred=True, past_obsolescence=False
    )
    assert "CA-TB" in failing_ids(evaluate(ctx))
    noticed = text + " The law limits how long you can be sued on a debt. We will not sue you."
    ok = with_debt(
        _ca_letter(noticed, state_notices=["CA_1812_700"]),
        time_barred=True,
        past_obsolescence=False,
    )
    assert "CA-TB" not in failing_ids(evaluate(ok))


def test_ca_attorney_written_notice_blocks_all_but_statements_of_account():
    rep = AttorneyRep(
        known_at=utc(2026, 11, 1),
        name="J. Doe",
        address="1 Main",
        written_notice_at=utc(2026, 11, 1),
    )
    ctx = with_debt(_ca(), attorney=rep)
    assert "CA-ATTY" in failing_ids(evaluate(ctx))
    inquiry = with_proposal(ctx, responding_to_consumer_request=True)
    assert "CA-ATTY" not in failing_ids(evaluate(inquiry))


def test_ca_first_party_creditor_runs_the_fed_pack_and_reviews_missing_validation():
    ctx = with_debt(
        with_collector(_ca(), role="creditor_own_name"), validation_notice_provided_at=None
    )
    decision = evaluate(ctx)
    assert "FED" in decision.packs
    assert result(decision, "CA-SCOPE").outcome is Outcome.REVIEW


def test_ca_frequency_reviews_many_calls():
    calls = [call(T0 - timedelta(hours=20 * (i + 1)), connected=False) for i in range(7)]
    assert result(evaluate(with_history(_ca(), *calls)), "CA-FREQ").outcome is Outcome.REVIEW


# --- Washington, West Virginia, District of Columbia -----------------------------------------


def _wa():  # type: ignore[no-untyped-def]
    ctx = in_state(fine(), "WA", "America/Los_Angeles")
    ctx = rebuild(ctx, endpoints=[phone("+12065550100"), email()])
    return with_proposal(
        ctx, intended_send_at=local(ZoneInfo("America/Los_Angeles"), 2026, 11, 18, 11, 0)
    )


def test_wa_blocks_the_fourth_communication_in_a_rolling_week():
    events = [message(T0 - timedelta(days=i + 1), channel="email") for i in range(3)]
    assert "WA-3PW" in failing_ids(evaluate(with_history(_wa(), *events)))
    assert "WA-3PW" not in failing_ids(evaluate(with_history(_wa(), *events[:2])))


def test_wa_blocks_a_second_workplace_contact_in_a_week():
    ctx = rebuild(
        _wa(), endpoints=[phone("+12065550100", phone_type="work", place="work"), email()]
    )
    earlier = call(T0 - timedelta(days=2))
    assert "WA-3PW" in failing_ids(evaluate(with_history(ctx, earlier)))


def test_wv_blocks_the_thirty_first_call_in_a_week():
    ctx = in_state(fine(), "WV", "America/New_York")
    ctx = rebuild(ctx, endpoints=[phone("+13045550100"), email()])
    calls = [call(T0 - timedelta(hours=5 * (i + 1)), connected=False) for i in range(30)]
    assert "WV-30-10" in failing_ids(evaluate(with_history(ctx, *calls)))


def test_wv_blocks_after_ten_conversations_in_a_week():
    ctx = in_state(fine(), "WV", "America/New_York")
    ctx = rebuild(ctx, endpoints=[phone("+13045550100"), email()])
    talks = [
        call(T0 - timedelta(hours=15 * (i + 1)), conversation=True, debt_ids={"d-9"})
        for i in range(10)
    ]
    assert "WV-30-10" in failing_ids(evaluate(with_history(ctx, *talks)))


def _dc_email(consented: bool = True):  # type: ignore[no-untyped-def]
    ctx = in_state(fine(), "DC", "America/New_York")
    ctx = rebuild(ctx, endpoints=[phone("+12025550100"), email()])
    ctx = with_proposal(ctx, channel="email", endpoint_id="em-1", template_type="REMINDER")
    ctx = with_content(ctx, EMAIL_TEXT)
    if consented:
        consent = Consent(
            consent_id="dc-1",
            kind=ConsentKind.DC_ECONSENT,
            given_at=utc(2026, 10, 1),
            given_directly_to_collector=True,
        )
        ctx = with_person(ctx, consents=[consent])
    return ctx


def test_dc_email_needs_prior_consent():
    assert "DC-5E7" in failing_ids(evaluate(_dc_email(consented=False)))
    assert evaluate(_dc_email()).outcome is DecisionOutcome.ALLOW


def test_dc_blocks_the_sixth_electronic_message_in_seven_days():
    events = [message(T0 - timedelta(hours=20 * (i + 1)), channel="email") for i in range(5)]
    assert "DC-5E7" in failing_ids(evaluate(with_history(_dc_email(), *events)))


def test_dc_allows_only_one_consent_request_per_week():
    ctx = with_proposal(_dc_email(consented=False), template_type="CONSENT_REQUEST")
    assert "DC-5E7" not in failing_ids(evaluate(ctx))
    asked = message(T0 - timedelta(days=2), channel="email", consent_request=True)
    assert "DC-5E7" in failing_ids(evaluate(with_history(ctx, asked)))
