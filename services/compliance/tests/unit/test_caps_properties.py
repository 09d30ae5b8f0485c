"""Property tests: whatever order and instants requests arrive in, feeding every approval back
as an outstanding approval (architecture step 5) never lets a cap be exceeded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.domain import DecisionOutcome, EvaluationContext, evaluate
from compliance.domain.context import Consent, ConsentKind, GrantedApproval

from .factories import (
    EMAIL_TEXT,
    approval,
    call,
    debt,
    email,
    fine,
    in_state,
    local,
    phone,
    rebuild,
    utc,
    with_collector,
    with_content,
    with_history,
    with_person,
    with_proposal,
)

START = utc(2026, 11, 2, 6)  # a window that spans the 2026-11-01 DST change is avoided on purpose
MINUTES = 20 * 24 * 60

instants = st.lists(st.integers(0, MINUTES), min_size=1, max_size=45).map(
    lambda xs: [START + timedelta(minutes=x) for x in xs]
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _run(
    base: EvaluationContext, requests: Sequence[tuple[datetime, str]]
) -> list[GrantedApproval]:
    """Serial gate: evaluate each request with every earlier approval outstanding."""
    granted: list[GrantedApproval] = []
    channel = base.proposal.channel or "call"
    endpoint = base.proposal.endpoint_id
    for at, debt_id in requests:
        ctx = rebuild(
            base,
            approvals=granted,
            proposal=rebuild(base.proposal, intended_send_at=at, debt_ids={debt_id}),
        )
        if evaluate(ctx).outcome is DecisionOutcome.ALLOW:
            granted.append(approval(at, channel=channel, endpoint_id=endpoint, debt_ids={debt_id}))
    return granted


def _max_in_window(moments: Sequence[datetime], zones: Sequence[ZoneInfo], days: int) -> int:
    worst = 0
    for z in zones:
        local_days = sorted(m.astimezone(z).date() for m in moments)
        for start in local_days:
            end = start + timedelta(days=days - 1)
            worst = max(worst, sum(1 for d in local_days if start <= d <= end))
    return worst


def _one_debt(requests: list[datetime]) -> list[tuple[datetime, str]]:
    return [(t, "d-1") for t in requests]


CHICAGO = ZoneInfo("America/Chicago")
NEW_YORK = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")


@SETTINGS
@given(instants)
def test_never_more_than_seven_calls_per_debt_in_seven_days(requests: list[datetime]):
    granted = _run(fine(), _one_debt(requests))
    assert _max_in_window([a.at for a in granted], [CHICAGO], 7) <= 7


@SETTINGS
@given(instants)
def test_seven_in_seven_holds_in_every_candidate_zone(requests: list[datetime]):
    base = rebuild(fine(), endpoints=[phone(), phone("+12125550100", endpoint_id="ph-2"), email()])
    granted = _run(base, _one_debt(requests))
    assert _max_in_window([a.at for a in granted], [CHICAGO, NEW_YORK], 7) <= 7


@SETTINGS
@given(instants, st.integers(0, MINUTES))
def test_no_counted_call_in_the_seven_days_starting_with_a_conversation(
    requests: list[datetime], talk_minute: int
):
    talk = START + timedelta(minutes=talk_minute)
    base = with_history(fine(), call(talk, conversation=True))
    granted = _run(base, _one_debt(requests))
    talk_day: date = talk.astimezone(CHICAGO).date()
    for a in granted:
        assert not 0 <= (a.at.astimezone(CHICAGO).date() - talk_day).days <= 6


@SETTINGS
@given(instants)
def test_massachusetts_two_calls_in_seven_days(requests: list[datetime]):
    base = rebuild(
        in_state(fine(), "MA", "America/New_York"), endpoints=[phone("+16175550100"), email()]
    )
    granted = _run(base, _one_debt(requests))
    assert _max_in_window([a.at for a in granted], [NEW_YORK], 7) <= 2


@SETTINGS
@given(instants)
def test_washington_three_communications_per_rolling_week(requests: list[datetime]):
    base = rebuild(
        in_state(fine(), "WA", "America/Los_Angeles"), endpoints=[phone("+12065550100"), email()]
    )
    granted = _run(base, _one_debt(requests))
    assert _max_in_window([a.at for a in granted], [LA], 7) <= 3


@SETTINGS
@given(instants)
def test_new_york_city_three_in_seven_when_enabled(requests: list[datetime]):
    base = in_state(fine(), "NY", "America/New_York", in_nyc=True)
    base = rebuild(base, endpoints=[phone("+12125550100"), email()])
    base = with_person(
        with_collector(base, nyc_amended_rules_effective=True),
        language_pref_requested_at=utc(2026, 10, 1),
    )
    granted = _run(base, _one_debt(requests))
    assert _max_in_window([a.at for a in granted], [NEW_YORK], 7) <= 3


@SETTINGS
@given(instants)
def test_district_of_columbia_five_electronic_messages_in_seven_days(requests: list[datetime]):
    base = rebuild(
        in_state(fine(), "DC", "America/New_York"), endpoints=[phone("+12025550100"), email()]
    )
    consent = Consent(
        consent_id="dc",
        kind=ConsentKind.DC_ECONSENT,
        given_at=utc(2026, 10, 1),
        given_directly_to_collector=True,
    )
    base = with_person(base, consents=[consent])
    base = with_content(
        with_proposal(base, channel="email", endpoint_id="em-1", template_type="REMINDER"),
        EMAIL_TEXT,
    )
    granted = _run(base, _one_debt(requests))
    assert _max_in_window([a.at for a in granted], [NEW_YORK], 7) <= 5


many_debt_requests = st.lists(
    st.tuples(st.integers(0, 7 * 24 * 60), st.integers(0, 9)), min_size=25, max_size=70
).map(lambda xs: [(START + timedelta(minutes=m), f"d-{d}") for m, d in xs])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(many_debt_requests)
def test_west_virginia_thirty_calls_per_week_across_debts(requests: list[tuple[datetime, str]]):
    base = in_state(fine(), "WV", "America/New_York")
    debts = [debt(f"d-{i}", governing_state="WV") for i in range(10)]
    base = rebuild(base, endpoints=[phone("+13045550100"), email()], debts=debts)
    granted = _run(base, requests)
    assert _max_in_window([a.at for a in granted], [NEW_YORK], 7) <= 30


def test_the_serial_gate_approves_exactly_seven_of_ten_daytime_calls():
    # Non-vacuity check for the properties above: the cap is reached, and it binds.
    requests = [(utc(2026, 11, 10, 15) + timedelta(hours=i), "d-1") for i in range(10)]
    granted = _run(fine(), requests)
    assert len(granted) == 7


def test_without_feeding_approvals_back_the_cap_would_be_exceeded():
    # The reason approvals are counted when granted: evaluated alone, all ten would pass.
    requests = [utc(2026, 11, 10, 15) + timedelta(hours=i) for i in range(10)]
    alone = [t for t in requests if evaluate(with_proposal(fine(), intended_send_at=t)).allowed]
    assert len(alone) == 10


def test_caps_contacts_merges_history_and_unconsumed_approvals():
    from compliance.domain import caps

    used, pending = approval(utc(2026, 11, 10, 15)), approval(utc(2026, 11, 11, 15))
    history = [call(utc(2026, 11, 10, 15), approval_id=used.approval_id)]
    merged = caps.contacts(history, [used, pending])
    assert [c.key for c in merged] == [history[0].event_id, pending.approval_id]
    assert merged[1].pending and merged[1].connected


def test_caps_check_window_reports_the_retry_at_local_midnight():
    from compliance.domain import caps

    seven = [utc(2026, 11, 10 + i, 15) for i in range(7)]
    breach = caps.check_window(seven, utc(2026, 11, 16, 20), [CHICAGO], length_days=7, cap=7)
    assert breach is not None and breach.peak == 7
    assert breach.retry_at == local(CHICAGO, 2026, 11, 17, 0, 0)
    six = caps.check_window(seven[:6], utc(2026, 11, 16, 20), [CHICAGO], length_days=7, cap=7)
    assert six is None
