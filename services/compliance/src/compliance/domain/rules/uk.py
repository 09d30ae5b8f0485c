"""Reference section 5: UK, FCA CONC 7 (pack UK). Principles without numeric caps; the
numbers used here (the default window) are our configuration, not the FCA's."""

from __future__ import annotations

import re

from compliance.domain.context import PersonRole, UkFlags
from compliance.domain.facts import Facts
from compliance.domain.results import Obligation, ObligationKind, RuleDef, RuleResult, static
from compliance.domain.rules import scope
from compliance.domain.rules.common import contact, timed_contact, window_breach, zones_missing
from compliance.domain.rules.time_place import designation_hits, live_designations
from compliance.domain.rules.validation import NON_COLLECTION

UK = "UK"
# UK premium-rate numbers start 09 (and 087/084 are service-charged); conservative.
_PREMIUM = re.compile(r"(?<!\d)(?:\+44\s?|0)(?:9\d|87|84)\d[\s\d]{6,9}")


@static
def _uk(f: Facts) -> bool:
    return UK in f.packs and contact(f)


def _flags(f: Facts) -> UkFlags:
    return f.ctx.person.uk or UkFlags()


# decisions.md D-34: the default UK window is our configuration.
TIME = RuleDef(
    "UK-TIME",
    pack=UK,
    citation="CONC 7.9 [V text; paragraph number likely 7.9.4R, not confirmed]",
    reads=("proposal.intended_send_at", "candidate_tz", "person.inconvenient_times"),
    applies=lambda f: UK in f.packs and timed_contact(f),
    channels=scope.TIMED,
)


@TIME.check
def check_time(f: Facts) -> RuleResult:
    missing = zones_missing(f)
    if missing:
        return TIME.missing_data(*missing)
    p = f.policy
    outside, retry = window_breach(f, p.uk_window_start, p.uk_window_end)
    if outside:
        return TIME.block("Blocked: an unreasonable time for the customer.", retry_at=retry)
    ends = [e for d in live_designations(f, f.t) for e in designation_hits(f, d, f.t)]
    if ends:
        return TIME.block(
            "Blocked: the customer asked not to be contacted at this time.", retry_at=max(ends)
        )
    return TIME.ok("A reasonable time that the customer has not asked us to avoid.")


PRIVACY = RuleDef(
    "UK-PRIVACY",
    pack=UK,
    citation='CONC 7.9 ("must ensure that it does not act in a way likely to be publicly '
    'embarrassing … reasonable steps to ensure that third parties do not become aware") [V text]',
    reads=("person.role", "proposal.content.meta.occupier_addressed"),
    applies=_uk,
)


@PRIVACY.check
def check_privacy(f: Facts) -> RuleResult:
    if f.ctx.person.role is PersonRole.THIRD_PARTY:
        return PRIVACY.block("Blocked: the debt must not be disclosed to a third party.")
    if f.proposal.content.meta.occupier_addressed:
        return PRIVACY.block("Blocked: no demands addressed to 'the occupier' (CONC 7.9.11G).")
    return PRIVACY.ok("Addressed to the customer only.")


MISLEAD = RuleDef(
    "UK-MISLEAD",
    pack=UK,
    citation="CONC 7.9.2R [V]",
    reads=("proposal.content.meta.misleading_contact_reason",),
    applies=_uk,
)


@MISLEAD.check
def check_mislead(f: Facts) -> RuleResult:
    if f.proposal.content.meta.misleading_contact_reason:
        return MISLEAD.block("Blocked: the message misleads about why the customer should reply.")
    return MISLEAD.ok("No misleading reason for contact is flagged.")


PREMIUM = RuleDef(
    "UK-PREMIUM",
    pack=UK,
    citation="CONC 7.9 [V text]",
    reads=("proposal.content",),
    applies=_uk,
)


@PREMIUM.check
def check_premium(f: Facts) -> RuleResult:
    text = f.proposal.content.text or ""
    if f.proposal.content.meta.premium_rate_number or _PREMIUM.search(text):
        return PREMIUM.block("Blocked: the customer must not be required to call a premium number.")
    return PREMIUM.ok("No premium-rate number.")


VULN = RuleDef(
    "UK-VULN",
    pack=UK,
    citation="CONC 7.3 (fair treatment, forbearance), 7.2 / 7.10 (vulnerability, mental "
    "capacity) [S]",
    reads=("person.uk.vulnerable", "person.uk.lacks_capacity"),
    applies=lambda f: _uk(f) and (_flags(f).vulnerable or _flags(f).lacks_capacity),
)


@VULN.check
def check_vuln(f: Facts) -> RuleResult:
    return VULN.review("Human review: the customer is flagged vulnerable or lacking capacity.")


FORBEAR = RuleDef(
    "UK-FORBEAR",
    pack=UK,
    citation="CONC 7.3 (fair treatment, forbearance), 7.2 / 7.10 (vulnerability, mental "
    "capacity) [S]",
    reads=("person.uk.financial_difficulty",),
    applies=lambda f: _uk(f) and _flags(f).financial_difficulty,
)


@FORBEAR.check
def check_forbear(f: Facts) -> RuleResult:
    return FORBEAR.review(
        "Human review: the customer is in financial difficulty; consider forbearance."
    )


STATUTE_BARRED = RuleDef(
    "UK-SB",
    pack=UK,
    citation="CONC 7.15 (statute-barred debts) [S]; Limitation Act 1980 s.5, 6 years in England "
    "& Wales [M]",
    reads=("person.uk.said_statute_barred", "debts[].time_barred", "proposal.content"),
    applies=_uk,
)


@STATUTE_BARRED.check
def check_statute_barred(f: Facts) -> RuleResult:
    if _flags(f).said_statute_barred and f.template not in NON_COLLECTION:
        return STATUTE_BARRED.block(
            "Blocked: the customer said they will not pay because the debt is statute-barred."
        )
    barred = any(d.time_barred is True for d in f.proposal_debts)
    if barred and f.content.legal_action:
        return STATUTE_BARRED.block("Blocked: legal action is mentioned on a statute-barred debt.")
    return STATUTE_BARRED.ok("No statute-barred concern.")


MORATORIUM = RuleDef(
    "UK-MORATORIUM",
    pack=UK,
    citation="Debt Respite Scheme (Breathing Space Moratorium and Mental Health Crisis "
    "Moratorium) (England and Wales) Regulations 2020 [M]",
    reads=("person.uk.moratorium_active",),
    applies=lambda f: _uk(f) and _flags(f).moratorium_active,
)


@MORATORIUM.check
def check_moratorium(f: Facts) -> RuleResult:
    if f.template in NON_COLLECTION:
        return MORATORIUM.ok("A non-collection message during a moratorium.")
    return MORATORIUM.pause("Paused: a breathing-space moratorium is active.")


ARREARS_INFO = RuleDef(
    "UK-ARREARS-INFO",
    pack=UK,
    citation="CONC 7.4; Consumer Credit Act 1974 ss.86B-86C [M]",
    reads=("person.uk.arrears_notice_due_at",),
    applies=lambda f: _uk(f) and _flags(f).arrears_notice_due_at is not None,
)


@ARREARS_INFO.check
def check_arrears_info(f: Facts) -> RuleResult:
    due = _flags(f).arrears_notice_due_at
    duty = Obligation(
        "uk_arrears_notice", "send the statutory arrears notice", ObligationKind.DUTY, False, due
    )
    return ARREARS_INFO.require({}, duties=(duty,))


RULES = (TIME, PRIVACY, MISLEAD, PREMIUM, VULN, FORBEAR, STATUTE_BARRED, MORATORIUM, ARREARS_INFO)
