"""FED section 2a: time window, time zones, designations, place, employer, attorney, cease,
third parties, location contacts."""

from __future__ import annotations

from datetime import time, timedelta

from compliance.domain import DecisionOutcome, evaluate
from compliance.domain.context import (
    AttorneyRep,
    CeaseNotice,
    Consent,
    ConsentKind,
    InconvenientPlace,
    InconvenientTime,
    PersonRole,
    PlaceKind,
    RpcState,
    StatedLocation,
    TimePlaceLimit,
)
from compliance.domain.results import Outcome

from .factories import (
    CHICAGO,
    LOS_ANGELES,
    NEW_YORK,
    T0,
    address,
    call,
    failing_ids,
    fine,
    local,
    phone,
    result,
    utc,
    with_content,
    with_debt,
    with_history,
    with_person,
    with_proposal,
)


def _at(zone, *args):  # type: ignore[no-untyped-def]
    return with_proposal(fine(), intended_send_at=local(zone, *args))


# --- FED-TIME-WINDOW ------------------------------------------------------------------------


def test_allows_the_default_call_at_ten_in_the_morning():
    assert evaluate(fine()).outcome is DecisionOutcome.ALLOW


def test_blocks_exactly_eight_oclock():
    decision = evaluate(_at(CHICAGO, 2026, 11, 18, 8, 0, 0))
    assert "FED-TIME-WINDOW" in failing_ids(decision)


def test_allows_one_second_after_eight():
    decision = evaluate(_at(CHICAGO, 2026, 11, 18, 8, 0, 1))
    assert decision.outcome is DecisionOutcome.ALLOW


def test_blocks_exactly_nine_in_the_evening_for_an_email():
    ctx = with_proposal(
        fine(),
        channel="email",
        endpoint_id="em-1",
        template_type="REMINDER",
        intended_send_at=local(CHICAGO, 2026, 11, 18, 21, 0, 0),
    )
    ctx = with_content(
        ctx, "Fairway Recovery LLC, a debt collector, writes. Reply STOP to opt out."
    )
    decision = evaluate(ctx)
    assert "FED-TIME-WINDOW" in failing_ids(decision)


def test_allows_an_email_one_second_before_nine():
    ctx = with_proposal(
        fine(),
        channel="email",
        endpoint_id="em-1",
        template_type="REMINDER",
        intended_send_at=local(CHICAGO, 2026, 11, 18, 20, 59, 59),
    )
    ctx = with_content(
        ctx, "Fairway Recovery LLC, a debt collector, writes. Reply STOP to opt out."
    )
    assert evaluate(ctx).outcome is DecisionOutcome.ALLOW


def test_retry_after_a_block_before_eight_is_just_after_eight_local():
    decision = evaluate(_at(CHICAGO, 2026, 11, 18, 6, 30))
    retry = decision.retry_at
    assert retry is not None
    assert (
        retry.astimezone(CHICAGO).time()
        > time(8)
        > (retry - timedelta(seconds=1)).astimezone(CHICAGO).time()
    )


def test_letters_are_not_judged_by_the_send_time_window():
    ctx = with_proposal(
        fine(),
        channel="letter",
        endpoint_id=None,
        template_type="REMINDER",
        intended_send_at=local(CHICAGO, 2026, 11, 18, 23, 0),
    )
    ctx = with_content(ctx, "From a debt collector: Fairway Recovery LLC.", envelope_items=[])
    decision = evaluate(ctx)
    assert result(decision, "FED-TIME-WINDOW").outcome is Outcome.NOT_APPLICABLE
    assert decision.outcome is DecisionOutcome.ALLOW


# --- FED-TZ-ALL -------------------------------------------------------------------------------


def _la_with_212_cell():  # type: ignore[no-untyped-def]
    ctx = with_person(fine(), addresses=[address("CA", "America/Los_Angeles")])
    return rebuild_endpoints(ctx, phone("+12125550100"))


def rebuild_endpoints(ctx, *endpoints):  # type: ignore[no-untyped-def]
    from .factories import email, rebuild

    return rebuild(ctx, endpoints=[*endpoints, email()])


def test_los_angeles_address_and_212_cell_block_before_eleven_eastern():
    ctx = with_proposal(_la_with_212_cell(), intended_send_at=local(NEW_YORK, 2026, 11, 18, 10, 30))
    decision = evaluate(ctx)
    assert "FED-TIME-WINDOW" in failing_ids(decision)
    assert result(decision, "FED-TZ-ALL").inputs["candidate_tz"] == (
        "America/Los_Angeles",
        "America/New_York",
    )


def test_los_angeles_address_and_212_cell_allow_after_eleven_eastern():
    ctx = with_proposal(
        _la_with_212_cell(), intended_send_at=local(NEW_YORK, 2026, 11, 18, 11, 0, 1)
    )
    assert "FED-TIME-WINDOW" not in failing_ids(evaluate(ctx))


def test_los_angeles_address_and_212_cell_block_at_six_pacific():
    ctx = with_proposal(
        _la_with_212_cell(), intended_send_at=local(LOS_ANGELES, 2026, 11, 18, 18, 0, 0)
    )
    assert "FED-TIME-WINDOW" in failing_ids(evaluate(ctx))


def test_retry_for_two_zones_is_when_the_later_zone_opens():
    ctx = with_proposal(_la_with_212_cell(), intended_send_at=local(NEW_YORK, 2026, 11, 18, 9, 0))
    retry = evaluate(ctx).retry_at
    assert retry is not None
    assert retry.astimezone(LOS_ANGELES).time() == time(8, 0, 0, 1)


def test_a_stated_location_adds_a_zone():
    stated = StatedLocation(tz="Pacific/Honolulu", stated_at=utc(2026, 11, 1))
    ctx = with_person(fine(), stated_locations=[stated])
    decision = evaluate(ctx)  # 10:00 Chicago is 06:00 in Honolulu
    assert "FED-TIME-WINDOW" in failing_ids(decision)


def test_unknown_zone_blocks_as_missing_data_without_raising():
    ctx = with_person(fine(), addresses=[address("IL", "Mars/Olympus_Mons")])
    decision = evaluate(ctx)
    assert decision.outcome is DecisionOutcome.BLOCK
    assert "DATA_MISSING:person.addresses[0].tz" in decision.reasons
    assert "FED-TZ-ALL" in failing_ids(decision)


def test_no_zone_at_all_blocks_as_missing_data():
    ctx = with_person(fine(), addresses=[address("IL", None)])
    ctx = rebuild_endpoints(ctx)
    decision = evaluate(ctx, pack_version="2026.11.1")
    assert "DATA_MISSING:person.addresses[].tz" in decision.reasons
    # 2026.12.1 names the address without a zone (decisions.md D-43).
    assert "DATA_MISSING:person.addresses[0].tz" in evaluate(ctx).reasons


def test_a_toll_free_number_adds_no_zone():
    ctx = rebuild_endpoints(fine(), phone(), phone("+18005550100", endpoint_id="ph-2"))
    assert result(evaluate(ctx), "FED-TZ-ALL").inputs["candidate_tz"] == ("America/Chicago",)


def test_phoenix_has_no_daylight_saving_time():
    ctx = with_person(fine(), addresses=[address("AZ", "America/Phoenix")])
    ctx = rebuild_endpoints(ctx, phone("+16025550100"))
    # 15:00 UTC in July is 08:00 in Phoenix (UTC-7 all year): blocked; 15:00:01 allowed.
    assert "FED-TIME-WINDOW" in failing_ids(
        evaluate(with_proposal(ctx, intended_send_at=utc(2026, 7, 1, 15)))
    )
    ok = with_proposal(ctx, intended_send_at=utc(2026, 7, 1, 15, 0, 1))
    assert "FED-TIME-WINDOW" not in failing_ids(evaluate(ok))


def test_spring_forward_day_uses_daylight_time():
    # 2026-03-08: Chicago moves to CDT (UTC-5). 13:00 UTC is 08:00 CDT: blocked.
    ctx = with_proposal(fine(), intended_send_at=utc(2026, 3, 8, 13, 0))
    assert "FED-TIME-WINDOW" in failing_ids(evaluate(ctx))
    ok = with_proposal(fine(), intended_send_at=utc(2026, 3, 8, 13, 0, 1))
    assert "FED-TIME-WINDOW" not in failing_ids(evaluate(ok))


def test_fall_back_day_uses_standard_time():
    # 2026-11-01: Chicago returns to CST (UTC-6). 14:00 UTC is 08:00 CST: blocked.
    ctx = with_proposal(fine(), intended_send_at=utc(2026, 11, 1, 14, 0))
    assert "FED-TIME-WINDOW" in failing_ids(evaluate(ctx))
    ok = with_proposal(fine(), intended_send_at=utc(2026, 11, 1, 14, 0, 1))
    assert "FED-TIME-WINDOW" not in failing_ids(evaluate(ok))


# --- FED-TIME-DESIGNATED and FED-TP-EXCEPT --------------------------------------------------


def _works_nights():  # type: ignore[no-untyped-def]
    nights = InconvenientTime(start=time(0), end=time(12), designated_at=utc(2026, 11, 1))
    return with_person(fine(), inconvenient_times=[nights])


def test_blocks_a_call_before_noon_when_the_person_works_nights():
    decision = evaluate(_works_nights())
    assert "FED-TIME-DESIGNATED" in failing_ids(decision)
    assert decision.retry_at == local(CHICAGO, 2026, 11, 18, 12, 0)


def test_allows_a_call_after_the_designated_window():
    ctx = with_proposal(_works_nights(), intended_send_at=local(CHICAGO, 2026, 11, 18, 12, 0))
    assert evaluate(ctx).outcome is DecisionOutcome.ALLOW


def test_designation_limited_to_weekdays_does_not_bind_on_other_days():
    mondays = InconvenientTime(
        weekdays=frozenset({0}), start=time(9), end=time(17), designated_at=utc(2026, 11, 1)
    )
    ctx = with_person(fine(), inconvenient_times=[mondays])  # T0 is a Wednesday
    assert evaluate(ctx).outcome is DecisionOutcome.ALLOW


def test_prior_consent_lifts_the_designated_time():
    consent = Consent(
        consent_id="c-1",
        kind=ConsentKind.TIME_PLACE,
        given_at=utc(2026, 11, 17),
        given_directly_to_collector=True,
        obtained_in_compliant_communication=True,
        scope=frozenset({TimePlaceLimit.DESIGNATED_TIME}),
    )
    ctx = with_person(_works_nights(), consents=[consent])
    decision = evaluate(ctx)
    assert decision.outcome is DecisionOutcome.ALLOW
    assert result(decision, "FED-TP-EXCEPT").outcome is Outcome.ALLOW


def test_in_2026_11_1_an_unscoped_consent_with_unrecorded_facts_lifts_the_limit():
    # The released behaviour, kept for replay; 2026.12.1 fails closed (test_pack_2026_12_1).
    consent = Consent(
        consent_id="c-1",
        kind=ConsentKind.TIME_PLACE,
        given_at=utc(2026, 11, 17),
        given_directly_to_collector=True,
    )
    ctx = with_person(_works_nights(), consents=[consent])
    decision = evaluate(ctx, pack_version="2026.11.1")
    assert decision.outcome is DecisionOutcome.ALLOW
    assert result(decision, "FED-TP-EXCEPT").outcome is Outcome.ALLOW


def test_consent_obtained_in_an_unlawful_communication_does_not_lift_the_limit():
    consent = Consent(
        consent_id="c-1",
        kind=ConsentKind.TIME_PLACE,
        given_at=utc(2026, 11, 17),
        given_directly_to_collector=True,
        obtained_in_compliant_communication=False,
    )
    ctx = with_person(_works_nights(), consents=[consent])
    assert "FED-TIME-DESIGNATED" in failing_ids(evaluate(ctx))


def test_one_reply_to_a_consumer_initiated_call_at_a_designated_time_is_allowed():
    inbound = call(
        T0 - timedelta(minutes=20), direction="inbound", initiated_by="consumer", connected=True
    )
    ctx = with_history(_works_nights(), inbound)
    ctx = with_proposal(ctx, responding_to_consumer_request=True)
    decision = evaluate(ctx)
    assert result(decision, "FED-TP-EXCEPT").outcome is Outcome.ALLOW
    assert "FED-TIME-DESIGNATED" not in failing_ids(decision)


def test_a_second_reply_is_not_covered_by_the_exception():
    inbound = call(T0 - timedelta(minutes=20), direction="inbound", initiated_by="consumer")
    reply = call(T0 - timedelta(minutes=10))
    ctx = with_history(_works_nights(), inbound, reply)
    ctx = with_proposal(ctx, responding_to_consumer_request=True)
    assert "FED-TIME-DESIGNATED" in failing_ids(evaluate(ctx))


def test_court_permission_lifts_the_time_window():
    ctx = with_person(fine(), court_permits_contact=True)
    ctx = with_proposal(ctx, intended_send_at=local(CHICAGO, 2026, 11, 18, 7, 0))
    assert "FED-TIME-WINDOW" not in failing_ids(evaluate(ctx))


# --- FED-PLACE and FED-EMPLOYER --------------------------------------------------------------


def _work_phone(ctx):  # type: ignore[no-untyped-def]
    return rebuild_endpoints(ctx, phone(phone_type="work", place=PlaceKind.WORK))


def test_blocks_a_call_to_a_place_the_person_designated_inconvenient():
    place = InconvenientPlace(place=PlaceKind.WORK, designated_at=utc(2026, 11, 1))
    ctx = with_person(_work_phone(fine()), inconvenient_places=[place])
    assert "FED-PLACE" in failing_ids(evaluate(ctx))


def test_allows_a_call_to_the_home_when_only_work_is_designated():
    place = InconvenientPlace(place=PlaceKind.WORK, designated_at=utc(2026, 11, 1))
    ctx = with_person(fine(), inconvenient_places=[place])
    assert evaluate(ctx).outcome is DecisionOutcome.ALLOW


def test_blocks_a_call_at_work_when_the_employer_prohibits_it():
    ctx = with_person(_work_phone(fine()), employer_prohibits=True)
    assert "FED-EMPLOYER" in failing_ids(evaluate(ctx))


def test_employer_prohibition_does_not_affect_the_cell_phone():
    ctx = with_person(fine(), employer_prohibits=True)
    assert evaluate(ctx).outcome is DecisionOutcome.ALLOW


# --- FED-ATTY -------------------------------------------------------------------------------


def _represented(**kw):  # type: ignore[no-untyped-def]
    rep = AttorneyRep(known_at=utc(2026, 11, 1), name="J. Doe", address="1 Main St", **kw)
    return with_debt(fine(), attorney=rep)


def test_blocks_contact_with_a_consumer_represented_on_this_debt():
    assert "FED-ATTY" in failing_ids(evaluate(_represented()))


def test_allows_contact_when_the_attorney_consents():
    assert evaluate(_represented(consented_to_direct_contact=True)).outcome is DecisionOutcome.ALLOW


def test_attorney_failing_to_respond_goes_to_review_not_a_number_of_days():
    decision = evaluate(_represented(failed_to_respond=True))
    assert decision.outcome is DecisionOutcome.REVIEW
    assert "FED-ATTY" in failing_ids(decision)


def test_representation_on_another_debt_does_not_block_this_one():
    from .factories import debt, rebuild

    rep = AttorneyRep(known_at=utc(2026, 11, 1), name="J. Doe", address="1 Main St")
    ctx = rebuild(fine(), debts=[debt(), debt("d-2", attorney=rep)])
    assert evaluate(ctx).outcome is DecisionOutcome.ALLOW


# --- FED-CEASE ------------------------------------------------------------------------------


def _ceased():  # type: ignore[no-untyped-def]
    notice = CeaseNotice(received_at=utc(2026, 11, 10), medium="mail", written=True)
    return with_debt(fine(), cease=notice)


def test_written_cease_pauses_collection_calls():
    decision = evaluate(_ceased())
    assert decision.outcome is DecisionOutcome.BLOCK
    assert result(decision, "FED-CEASE").outcome is Outcome.PAUSE
    assert decision.retry_at is None


def _letter(ctx, template):  # type: ignore[no-untyped-def]
    ctx = with_proposal(ctx, channel="letter", endpoint_id=None, template_type=template)
    return with_content(ctx, "Fairway Recovery LLC is a debt collector.", envelope_items=[])


def test_cease_allows_the_termination_notice():
    decision = evaluate(_letter(_ceased(), "TERMINATION_NOTICE"))
    assert result(decision, "FED-CEASE").outcome is Outcome.ALLOW
    assert decision.outcome is DecisionOutcome.ALLOW


def test_cease_allows_a_notice_of_remedies_ordinarily_invoked():
    assert result(evaluate(_letter(_ceased(), "MAY_INVOKE_REMEDIES")), "FED-CEASE").outcome is (
        Outcome.ALLOW
    )


def test_cease_allows_a_notice_of_a_specified_remedy():
    decision = evaluate(_letter(_ceased(), "INTENDS_TO_INVOKE_SPECIFIED_REMEDY"))
    assert result(decision, "FED-CEASE").outcome is Outcome.ALLOW


def test_cease_blocks_a_reminder_letter():
    assert "FED-CEASE" in failing_ids(evaluate(_letter(_ceased(), "REMINDER")))


def test_oral_stop_request_is_not_a_written_cease():
    notice = CeaseNotice(received_at=utc(2026, 11, 10), medium="telephone", written=False)
    assert evaluate(with_debt(fine(), cease=notice)).outcome is DecisionOutcome.ALLOW


def test_cease_takes_effect_on_receipt_not_before():
    notice = CeaseNotice(received_at=T0 + timedelta(days=1), medium="mail", written=True)
    assert evaluate(with_debt(fine(), cease=notice)).outcome is DecisionOutcome.ALLOW


# --- FED-3P and FED-LOC ---------------------------------------------------------------------


def test_blocks_a_collection_call_to_a_third_party():
    decision = evaluate(with_person(fine(), role=PersonRole.THIRD_PARTY))
    assert "FED-3P" in failing_ids(decision)


def test_allows_a_call_to_the_consumers_spouse():
    assert evaluate(with_person(fine(), role=PersonRole.SPOUSE)).outcome is DecisionOutcome.ALLOW


def test_blocks_when_the_number_reached_the_wrong_party():
    assert "FED-3P" in failing_ids(evaluate(with_person(fine(), rpc=RpcState.FAILED)))


def test_an_unverified_call_requires_a_right_party_script():
    ctx = with_person(fine(), rpc=RpcState.UNVERIFIED)
    assert "FED-3P" in failing_ids(evaluate(ctx))
    ok = with_content(ctx, "Fairway Recovery LLC, a debt collector.", rpc_verification_script=True)
    assert evaluate(ok).outcome is DecisionOutcome.ALLOW


def _location_call(**kw):  # type: ignore[no-untyped-def]
    ctx = with_person(fine(), role=PersonRole.THIRD_PARTY)
    ctx = with_proposal(ctx, location_inquiry=True, template_type="LOCATION_INQUIRY", **kw)
    return with_content(
        ctx,
        "Hi, this is Sam Lee. I am trying to confirm contact information for Pat.",
        location_script=True,
    )


def test_allows_a_scripted_location_call_to_a_third_party():
    assert evaluate(_location_call()).outcome is DecisionOutcome.ALLOW


def test_blocks_a_second_location_call_to_the_same_person():
    ctx = with_history(_location_call(), call(T0 - timedelta(days=3), location_contact=True))
    assert "FED-LOC" in failing_ids(evaluate(ctx))


def test_a_follow_up_location_call_the_person_asked_for_is_allowed():
    ctx = with_history(
        _location_call(location_followup_allowed=True),
        call(T0 - timedelta(days=3), location_contact=True),
    )
    assert evaluate(ctx).outcome is DecisionOutcome.ALLOW


def test_blocks_a_location_call_that_mentions_the_debt():
    ctx = with_content(_location_call(), "Pat owes us a debt.", location_script=True)
    assert "FED-LOC" in failing_ids(evaluate(ctx))


def test_blocks_location_calls_once_an_attorney_is_known():
    rep = AttorneyRep(known_at=utc(2026, 11, 1), name="J. Doe", address="1 Main St")
    assert "FED-LOC" in failing_ids(evaluate(with_debt(_location_call(), attorney=rep)))
