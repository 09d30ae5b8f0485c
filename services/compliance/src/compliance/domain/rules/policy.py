"""Pack POL: our own policy, kept apart from law so audit logs show which is which.

It applies the strict FED time window and the Reg F call caps to first-party creditors (who are
outside the FDCPA), a last-dial buffer for every collector, and soft cross-channel caps.
"""

from __future__ import annotations

from datetime import time
from functools import cache

from compliance.domain.caps import CALL_CHANNELS
from compliance.domain.context import Channel
from compliance.domain.facts import Facts
from compliance.domain.results import RuleDef, RuleResult, static
from compliance.domain.rules import scope
from compliance.domain.rules.common import cap_breach, timed_contact, window_breach, zones_missing
from compliance.domain.rules.frequency import cooldown, seven_in_seven, soft_cap

POL = "POL"


@static
def _pol(f: Facts) -> bool:
    return POL in f.packs


@static
def _first_party_timed(f: Facts) -> bool:
    return _pol(f) and not f.fed and timed_contact(f)


@static
def _call_or_visit(f: Facts) -> bool:
    return _pol(f) and f.is_contact and f.channel in (Channel.CALL, Channel.VISIT)


@static
def _first_party_call(f: Facts) -> bool:
    return _pol(f) and not f.fed and f.is_contact and f.is_call


TIME_WINDOW = RuleDef(
    "POL-TIME-WINDOW",
    pack=POL,
    citation="Policy (reference section 0, POL): FED window applied to first-party outreach",
    reads=("proposal.intended_send_at", "candidate_tz", "policy.window"),
    applies=_first_party_timed,
    channels=scope.TIMED,
)


@TIME_WINDOW.check
def check_time_window(f: Facts) -> RuleResult:
    missing = zones_missing(f)
    if missing:
        return TIME_WINDOW.missing_data(*missing)
    p = f.policy
    outside, retry = window_breach(f, p.window_start, p.window_end)
    if outside:
        return TIME_WINDOW.block(
            f"Blocked by policy: outside {p.window_start:%H:%M}-{p.window_end:%H:%M} local time "
            "in " + ", ".join(outside) + ".",
            {"outside_in": outside},
            retry_at=retry,
        )
    return TIME_WINDOW.ok("Inside the policy window in every candidate time zone.")


LAST_DIAL = RuleDef(
    "POL-LAST-DIAL",
    pack=POL,
    citation="Policy: last-dial buffer (reference FED-TIME-WINDOW edge cases)",
    reads=("proposal.intended_send_at", "candidate_tz", "policy.last_dial"),
    applies=_call_or_visit,
    channels=scope.CALL_OR_VISIT,
)


@LAST_DIAL.check
def check_last_dial(f: Facts) -> RuleResult:
    missing = zones_missing(f)
    if missing:
        return LAST_DIAL.missing_data(*missing)
    p = f.policy
    outside, retry = window_breach(f, p.window_start, p.last_dial)
    if outside:
        return LAST_DIAL.block(
            f"Blocked by policy: calls must start before {p.last_dial:%H:%M} local time so they "
            "end before 9 p.m. (" + ", ".join(outside) + ").",
            {"outside_in": outside},
            retry_at=retry,
        )
    return LAST_DIAL.ok(_last_dial_ok(p.last_dial))


@cache
def _last_dial_ok(last_dial: time) -> str:
    # A policy number, not an input: formatting it once per pack version is enough.
    return f"Starts before the {last_dial:%H:%M} last-dial time everywhere."


CALL_CAP = RuleDef(
    "POL-CALL-CAP",
    pack=POL,
    citation="Policy: Reg F 1006.14(b) call caps applied to first-party creditors",
    reads=("history", "approvals", "candidate_tz", "policy.first_party_calls_per_7_days"),
    applies=_first_party_call,
    channels=scope.CALLS,
)


@CALL_CAP.check
def check_call_cap(f: Facts) -> RuleResult:
    capped = seven_in_seven(CALL_CAP, f, f.policy.first_party_calls_per_7_days)
    if capped.blocks:
        return capped
    return cooldown(CALL_CAP, f)


SOFT_CAP = RuleDef(
    "POL-SOFT-CAP",
    pack=POL,
    citation="Policy: soft cross-channel caps (comment 14(a)-1.i as guidance)",
    reads=("history", "approvals", "policy.soft_caps"),
    applies=lambda f: _pol(f) and not f.fed and f.is_contact and f.is_electronic,
    channels=scope.ELECTRONIC,
)


@SOFT_CAP.check
def check_soft_cap(f: Facts) -> RuleResult:
    return soft_cap(SOFT_CAP, f)


def harassment_review(rule: RuleDef, f: Facts) -> RuleResult:
    """For state standards with no number (NY GBL 601(6), Cal. Civ. Code 1788.11(d),(e)):
    the policy caps decide when a human must look."""
    if f.is_electronic:
        return soft_cap(rule, f)
    if f.channel not in CALL_CHANNELS:
        return rule.ok("No frequency concern for this channel.")
    missing = zones_missing(f)
    if missing:
        return rule.missing_data(*missing)
    calls = f.initiated_calls
    cap = f.policy.first_party_calls_per_7_days
    if cap_breach(f, calls, days=7, cap=cap):
        return rule.review(
            f"Human review: {cap} or more calls to this person in 7 days may be harassment."
        )
    return rule.ok("Call frequency is within the policy cap.")


RULES = (TIME_WINDOW, LAST_DIAL, CALL_CAP, SOFT_CAP)
