"""Reference section 2b: call frequency and harassment (pack FED).

The counting itself lives in `compliance.domain.caps`, shared with the live gate.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from compliance.domain import caps
from compliance.domain.caps import (
    ELECTRONIC_CHANNELS,
    Breach,
    Contact,
    ProposedContact,
)
from compliance.domain.context import Channel
from compliance.domain.facts import Facts
from compliance.domain.results import RuleDef, RuleResult
from compliance.domain.rules import scope
from compliance.domain.rules.common import cap_breach, fed_call, fed_electronic, memo, zones_missing
from compliance.domain.timezones import local_midnight

FED = "FED"


class CallCounts:
    """FED-FREQ-EXCL applied to the history and approvals: which calls count, which do not."""

    def __init__(self, f: Facts) -> None:
        everything = f.near(7)
        # decisions.md D-57: 2026.12.2 tests a consent as in force, prior, in scope and not used
        # up by frequency group; 2026.12.1 (keys None) did not.
        keys = f.keys_of if f.policy.freq_consent_in_force else None
        self.counted: list[Contact] = []
        self.excluded: dict[str, str] = {}
        for c in f.initiated_calls:
            if c.connected is not False and not c.consent_id and c.recipient_role not in _EXCLUDED:
                self.counted.append(c)  # caps.fed_exclusion answers None at once for these
                continue
            why = caps.fed_exclusion(c, f.consents, everything, f.zones, keys=keys)
            if why is None:
                self.counted.append(c)
            else:
                self.excluded[c.key] = why
        self.proposal_exclusion = (
            caps.fed_exclusion(_proposal_as_contact(f), f.consents, everything, f.zones, keys=keys)
            if f.proposal.consent_id or f.ctx.person.role in caps.EXCLUDED_RECIPIENTS
            else None  # connection unknown, recipient counted, no consent: it counts
        )

    def calls_about(self, f: Facts, key: str) -> list[Contact]:
        # A call about D1 and D2 counts toward both (reference FED-7IN7 edge cases). From
        # 2026.12.2 a call recorded without debts counts toward every debt (D-60).
        if f.policy.unknown_debts_all:
            return [c for c in self.counted if not c.debt_ids or key in f.keys_of(c.debt_ids)]
        return [c for c in self.counted if key in f.keys_of(c.debt_ids)]


_EXCLUDED = caps.EXCLUDED_RECIPIENTS


def _proposal_as_contact(f: Facts) -> Contact:
    p = f.proposal
    return ProposedContact(
        p.request_id,
        f.t,
        f.channel or Channel.CALL,
        p.endpoint_id,
        f.ctx.person.person_id,
        f.ctx.person.role,
        p.debt_ids,
        responding=p.responding_to_consumer_request,
        consent_id=p.consent_id,
    )


def call_counts(f: Facts) -> CallCounts:
    return memo(f, "call_counts", CallCounts)


FREQ_EXCL = RuleDef(
    "FED-FREQ-EXCL",
    pack=FED,
    citation="1006.14(b)(3)(i),(ii) [V]; (iii) [S]",
    reads=("history", "approvals", "person.consents", "proposal.consent_id"),
    applies=fed_call,
    channels=scope.CALLS,
)


@FREQ_EXCL.check
def check_freq_excl(f: Facts) -> RuleResult:
    counts = call_counts(f)
    if not counts.excluded and counts.proposal_exclusion is None:
        return FREQ_EXCL.ok("No call in the counting span is excluded from the Reg F counts.")
    inputs = {"excluded_calls": dict(counts.excluded), "proposal": counts.proposal_exclusion}
    if counts.proposal_exclusion is not None:
        return FREQ_EXCL.allow(
            f"This call is excluded from the Reg F call counts: {counts.proposal_exclusion}.",
            inputs,
        )
    return FREQ_EXCL.allow(
        f"{len(counts.excluded)} earlier call(s) are excluded from the counts; "
        f"{len(counts.counted)} count.",
        inputs,
    )


def per_debt_breaches(
    f: Facts, calls_about: Callable[[str], list[Contact]], *, days: int, cap: int
) -> dict[str, Breach]:
    found = {}
    for key in sorted(f.proposal_debt_keys):
        breach = cap_breach(f, calls_about(key), days=days, cap=cap)
        if breach is not None:
            found[key] = breach
    return found


def latest_retry(breaches: list[Breach]) -> datetime | None:
    retries = [b.retry_at for b in breaches]
    if not retries or any(r is None for r in retries):
        return None
    return max(r for r in retries if r is not None)


SEVEN_IN_SEVEN = RuleDef(
    "FED-7IN7",
    pack=FED,
    citation="1006.14(b)(2)(i)(A),(ii) [V]",
    reads=("history", "approvals", "candidate_tz", "proposal.debt_ids"),
    applies=fed_call,
    channels=scope.CALLS,
)


def seven_in_seven(rule: RuleDef, f: Facts, cap: int) -> RuleResult:
    counts = call_counts(f)
    if counts.proposal_exclusion is not None:
        return rule.allow(f"Not counted: {counts.proposal_exclusion}.")
    missing = zones_missing(f)
    if missing:
        return rule.missing_data(*missing)
    if len(counts.counted) < cap:
        return rule.ok("Fewer counted calls around this day than the cap allows.")
    breaches = per_debt_breaches(f, lambda key: counts.calls_about(f, key), days=7, cap=cap)
    if breaches:
        return rule.block(
            f"Blocked: {cap} calls about debt(s) "
            + ", ".join(sorted(breaches))
            + " were already placed to this person within 7 days (unanswered calls count).",
            {key: {"zone": b.zone, "count": b.peak} for key, b in breaches.items()},
            retry_at=latest_retry(list(breaches.values())),
        )
    return rule.allow(f"Fewer than {cap} counted calls per debt in every 7-day window.")


@SEVEN_IN_SEVEN.check
def check_seven_in_seven(f: Facts) -> RuleResult:
    # decisions.md D-06: local days, every candidate zone, every window containing the day.
    return seven_in_seven(SEVEN_IN_SEVEN, f, 7)


COOLDOWN = RuleDef(
    "FED-CONV-COOLDOWN",
    pack=FED,
    citation="1006.14(b)(2)(i)(B),(ii) [V]",
    reads=("history", "candidate_tz", "proposal.debt_ids"),
    applies=fed_call,
    channels=scope.CALLS,
)


def _cooldown_retry(f: Facts, conversations: list[Contact]) -> datetime | None:
    """Local midnight starting day c+7 (the conversation day is day 1; decisions.md D-08),
    in the zone where that comes last; None when no conversation blocks the send day."""
    retry: datetime | None = None
    for c in conversations:
        for z, day, send_day in zip(f.zones, f.days_of(c), f.send_days, strict=True):
            if 0 <= (send_day - day).days <= 6:
                end = local_midnight(day + timedelta(days=7), z)
                retry = end if retry is None or end > retry else retry
    return retry


def cooldown(rule: RuleDef, f: Facts) -> RuleResult:
    counts = call_counts(f)
    if counts.proposal_exclusion is not None:
        return rule.allow(f"Not counted: {counts.proposal_exclusion}.")
    missing = zones_missing(f)
    if missing:
        return rule.missing_data(*missing)
    keys = f.proposal_debt_keys
    # decisions.md D-60 (2026.12.2): a conversation recorded without debts is about every debt
    # of the person (fail closed); 2026.12.1 let it start no cooldown at all.
    unknown_all = f.policy.unknown_debts_all
    talks = [
        c
        for c in f.near(7)
        if c.conversation
        and c.channel is Channel.CALL
        and ((unknown_all and not c.debt_ids) or f.keys_of(c.debt_ids) & keys)
    ]
    retry = _cooldown_retry(f, talks)
    if retry is not None:
        return rule.block(
            "Blocked: we had a telephone conversation with this person about this debt within "
            "the last 7 days (the conversation day is day 1).",
            {"conversations": [c.at.isoformat() for c in talks]},
            retry_at=retry,
        )
    return rule.ok("No telephone conversation about this debt in the last 7 days.")


@COOLDOWN.check
def check_cooldown(f: Facts) -> RuleResult:
    return cooldown(COOLDOWN, f)


HARASS = RuleDef(
    "FED-HARASS-GENERAL",
    pack=FED,
    citation="1692d [V]; 1006.14(a) [V]; comment 14(a)-1.i [V]",
    reads=("history", "approvals", "policy.soft_caps"),
    applies=fed_electronic,
    channels=scope.ELECTRONIC,
)


def soft_cap(rule: RuleDef, f: Facts) -> RuleResult:
    """Policy soft caps for texts and electronic messages: exceeding one routes to a human."""
    missing = zones_missing(f)
    if missing:
        return rule.missing_data(*missing)
    own = [c for c in f.near(7) if c.collector_initiated]
    texts = [c for c in own if c.channel is Channel.SMS]
    electronic = [c for c in own if c.channel in ELECTRONIC_CHANNELS]
    p = f.policy
    problems = []
    if f.channel is Channel.SMS and cap_breach(f, texts, days=1, cap=p.soft_cap_texts_per_day):
        problems.append(f"more than {p.soft_cap_texts_per_day} texts in a day")
    if cap_breach(f, electronic, days=7, cap=p.soft_cap_electronic_per_7_days):
        problems.append(
            f"more than {p.soft_cap_electronic_per_7_days} electronic messages in 7 days"
        )
    if problems:
        return rule.review(
            "Human review: this would mean " + " and ".join(problems) + ", which may be harassment."
        )
    return rule.ok("Within the policy soft caps for electronic messages.")


@HARASS.check
def check_harass(f: Facts) -> RuleResult:
    return soft_cap(HARASS, f)


RULES = (FREQ_EXCL, SEVEN_IN_SEVEN, COOLDOWN, HARASS)


# 2026.12.1 rule -> its 2026.12.2 replacement (same position in the pack; packs.V2026_12_2).
REPLACED_IN_2026_12_2: dict[RuleDef, RuleDef] = {}
