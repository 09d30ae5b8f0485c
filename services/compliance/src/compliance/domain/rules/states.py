"""Reference section 4: state and local overlays (packs MA, NYC, NYS, CA, WA, WV, DC).

Each overlay adds BLOCK conditions; numeric caps run in parallel with Reg F and the stricter
one wins (15 U.S.C. 1692n). Caps use the same counting as the federal rules (caps.py): local
days in every candidate zone, every window that contains the send day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import time, timedelta

from compliance.domain.caps import CALL_CHANNELS, ELECTRONIC_CHANNELS, Breach, Contact, ContactLike
from compliance.domain.context import (
    Channel,
    CollectorRole,
    ConsentKind,
    EmailEndpoint,
    PersonRole,
    PhoneEndpoint,
    PhoneType,
    PlaceKind,
    TemplateType,
)
from compliance.domain.facts import WRITTEN_CHANNELS, Facts
from compliance.domain.lexicon import mentions
from compliance.domain.results import (
    STATIC_PREDICATES,
    Obligation,
    ObligationKind,
    RuleDef,
    RuleResult,
    always,
    guarded,
    static,
)
from compliance.domain.rules import scope
from compliance.domain.rules.common import (
    cap_breach,
    contact,
    endpoint_place,
    memo,
    timed_contact,
    window_breach,
    zones_missing,
)
from compliance.domain.rules.frequency import latest_retry
from compliance.domain.rules.policy import harassment_review
from compliance.domain.rules.time_place import (
    at_work,
    endpoint_at_work,
    endpoint_field,
    workplace,
    workplace_field,
)
from compliance.domain.rules.validation import NON_COLLECTION
from compliance.domain.timezones import outside_window, zone


# Collectors other than a creditor in its own name (third parties, debt buyers, ...).
def _collector_role(f: Facts) -> bool:
    return f.ctx.collector.role is not CollectorRole.CREDITOR_OWN_NAME


def _pack(pack: str, extra: Callable[[Facts], bool] = always) -> Callable[[Facts], bool]:
    def applies(f: Facts) -> bool:
        return pack in f.packs and contact(f) and extra(f)

    if extra in STATIC_PREDICATES:
        return static(applies)

    @static
    def selected(f: Facts) -> bool:
        return pack in f.packs and contact(f)

    return guarded(selected, extra)


def _initiated(f: Facts, keep: Callable[[Contact], bool], days: int = 7) -> list[Contact]:
    """Collector-initiated contacts with this person that can share a `days`-day window with
    the proposal, excluding replies the person asked for."""
    return [c for c in f.near(days) if c.collector_initiated and not c.responding and keep(c)]


def _cap(
    rule: RuleDef, f: Facts, contacts: Iterable[ContactLike], *, days: int, cap: int, what: str
) -> RuleResult | None:
    missing = zones_missing(f)
    if missing:
        return rule.missing_data(*missing)
    breach = cap_breach(f, contacts, days=days, cap=cap)
    if breach is None:
        return None
    return _blocked(rule, [breach], f"{what}: at most {cap} in any {days}-day period")


def _blocked(rule: RuleDef, breaches: list[Breach], text: str) -> RuleResult:
    return rule.block(
        f"Blocked: {text}; this contact would exceed it.",
        {"peaks": {b.zone: b.peak for b in breaches}},
        retry_at=latest_retry(breaches),
    )


# --- the household's contacts (2026.12.1) -----------------------------------------------------

# Where the debtor's own contacts would be: history (and approvals) entries of another person
# whose recipient is the debtor. A household member's or spouse's record holds only their own
# contacts, so the debtor's are known only when the context carries them (decisions.md D-48).
DEBTOR_HISTORY = "history[recipient_role=consumer]"


def _household_near(f: Facts, days: int) -> tuple[Contact, ...]:
    """Every contact in the context within `days` + 1 days either side of the send instant,
    whoever it was with (Facts.near keeps only this person's)."""

    def compute(f: Facts) -> tuple[Contact, ...]:
        span = timedelta(days=days + 1)
        low, high = f.t - span, f.t + span
        return tuple([c for c in f.contacts if low <= c.at <= high])

    return memo(f, f"states.household_near:{days}", compute)


def _others(f: Facts, days: int, roles: frozenset[PersonRole]) -> list[Contact]:
    """Collector-initiated contacts with other persons of the household (`roles`), excluding
    replies they asked for."""
    pid = f.ctx.person.person_id
    return [
        c
        for c in _household_near(f, days)
        if c.person_id != pid
        and c.recipient_role in roles
        and c.collector_initiated
        and not c.responding
    ]


def _debtor_record_known(f: Facts) -> bool:
    """Whether the context carries the debtor's contacts: it says so (a household record of
    the debtor, decisions.md D-55), or one of them shows it (D-48)."""
    if any(h.role is PersonRole.CONSUMER for h in f.ctx.household):
        return True
    pid = f.ctx.person.person_id
    return any(c.person_id != pid and c.recipient_role is PersonRole.CONSUMER for c in f.contacts)


# === Massachusetts ===========================================================================

MA = "MA"
_MA_TEXT_OR_CALL = frozenset({Channel.CALL, Channel.VOICEMAIL, Channel.SMS})


def _phone_type(f: Facts, endpoint_id: str | None) -> PhoneType:
    endpoint = f.endpoints.get(endpoint_id) if endpoint_id else None
    return endpoint.phone_type if isinstance(endpoint, PhoneEndpoint) else PhoneType.UNKNOWN


def _personal(t: PhoneType) -> bool:
    return t in (PhoneType.CELL, PhoneType.LANDLINE, PhoneType.UNKNOWN)


def _other(t: PhoneType) -> bool:
    return t in (PhoneType.WORK, PhoneType.UNKNOWN)


MA_2IN7 = RuleDef(
    "MA-2IN7",
    pack=MA,
    citation="940 CMR 7.04(1)(f) (creditors) [S: text quoted in *Armata v. Target*, 480 Mass. 14 "
    "(2018)]; 209 CMR 18.16(1)(d) (licensed debt collectors) [V partial]",
    reads=("history", "approvals", "endpoints[phone].phone_type", "proposal.debt_ids"),
    applies=_pack(MA, lambda f: f.channel in _MA_TEXT_OR_CALL),
    channels=scope.CALLS_AND_TEXTS,
)


def _ma_buckets(f: Facts) -> list[tuple[Callable[[PhoneType], bool], int, str]]:
    # decisions.md D-09: aggregate over personal numbers, per debt; an unknown number type is
    # counted as both personal and other (the stricter of the two caps applies).
    kind = _phone_type(f, f.proposal.endpoint_id)
    buckets: list[tuple[Callable[[PhoneType], bool], int, str]] = []
    if _personal(kind):
        buckets.append((_personal, 7, "calls and texts to personal numbers"))
    if _other(kind):
        buckets.append((_other, 30, "calls and texts to other numbers"))
    return buckets


@MA_2IN7.check
def check_ma_2in7(f: Facts) -> RuleResult:
    if f.proposal.responding_to_consumer_request:
        return MA_2IN7.ok("A contact the person asked for is not collector-initiated.")
    # Armata: unanswered calls count, so connection status is ignored here (decisions.md D-09).
    for key in sorted(f.proposal_debt_keys):
        for in_bucket, days, what in _ma_buckets(f):
            moments = [
                c
                for c in _initiated(f, lambda c: c.channel in _MA_TEXT_OR_CALL, days=30)
                if key in f.keys_of(c.debt_ids) and in_bucket(_phone_type(f, c.endpoint_id))
            ]
            found = _cap(MA_2IN7, f, moments, days=days, cap=2, what=f"{what} about {key}")
            if found is not None:
                return found
    return MA_2IN7.ok("Within 2 calls or texts per 7 days (personal) and per 30 days (other).")


MA_WORK_REQ = RuleDef(
    "MA-WORK-REQ",
    pack=MA,
    citation="209 CMR 18.16(1)(c) [V]; 940 CMR 7.04(1)(h) [S]",
    reads=("person.employer_prohibits", "person.inconvenient_places"),
    applies=_pack(MA, lambda f: f.channel in (Channel.CALL, Channel.VOICEMAIL) and at_work(f)),
    channels=scope.CALLS,
)


def _ma_work_request_live(f: Facts, *, revoked_by_send: bool = False) -> bool:
    """A written request, or an oral one <= 10 days old or confirmed in writing within 7 days.
    2026.11.1 drops a request with any revocation; 2026.12.1 (`revoked_by_send`) only one
    revoked by the send instant: a request revoked later was live then (decisions.md D-52)."""
    for d in f.ctx.person.inconvenient_places:
        revoked = d.revoked_at is not None and (not revoked_by_send or d.revoked_at <= f.t)
        if d.place is not PlaceKind.WORK or d.designated_at > f.t or revoked:
            continue
        confirmed = d.confirmed_in_writing_at
        if d.written or (
            confirmed is not None and confirmed <= d.designated_at + timedelta(days=7)
        ):
            return True
        if f.t - d.designated_at <= timedelta(days=10):
            return True
    return False


@MA_WORK_REQ.check
def check_ma_work_req(f: Facts) -> RuleResult:
    if f.ctx.person.employer_prohibits or _ma_work_request_live(f):
        return MA_WORK_REQ.block(
            "Blocked: the person or their employer asked that we not call them at work."
        )
    return MA_WORK_REQ.ok("No live request against calls at work.")


def _ma_work_relevant(f: Facts) -> bool:
    """2026.12.1: the rule runs for a number known to be at work, as before, and also for one
    of unknown type when a request or prohibition would bind it (decisions.md D-45)."""
    found = workplace(f)
    if found is None:
        return f.ctx.person.employer_prohibits or _ma_work_request_live(f, revoked_by_send=True)
    return found


MA_WORK_REQ_V2 = RuleDef(
    "MA-WORK-REQ",
    pack=MA,
    citation=MA_WORK_REQ.citation,
    reads=(*MA_WORK_REQ.reads, "endpoints[phone].phone_type", "endpoints[].place"),
    applies=_pack(
        MA, lambda f: f.channel in (Channel.CALL, Channel.VOICEMAIL) and _ma_work_relevant(f)
    ),
    channels=scope.CALLS,
)


@MA_WORK_REQ_V2.check
def check_ma_work_req_v2(f: Facts) -> RuleResult:
    if not (f.ctx.person.employer_prohibits or _ma_work_request_live(f, revoked_by_send=True)):
        return MA_WORK_REQ_V2.ok("No live request against calls at work.")
    if workplace(f) is None:
        return MA_WORK_REQ_V2.missing_data(
            workplace_field(f),
            explanation="Blocked: the person or their employer asked that we not call them at "
            "work, and nobody recorded whether this number is a work number (decisions.md D-45).",
        )
    return MA_WORK_REQ_V2.block(
        "Blocked: the person or their employer asked that we not call them at work."
    )


MA_TIME = RuleDef(
    "MA-TIME",
    pack=MA,
    citation="209 CMR 18.16(1)(a) [V]; 940 CMR 7.05(3)(e) [V]",
    reads=("proposal.intended_send_at", "candidate_tz", "person.role"),
    applies=lambda f: MA in f.packs and timed_contact(f),
    channels=scope.TIMED,
)

_EASTERN = zone("America/New_York")
_HOUSEHOLD = frozenset({PersonRole.SPOUSE, PersonRole.THIRD_PARTY})


@MA_TIME.check
def check_ma_time(f: Facts) -> RuleResult:
    missing = zones_missing(f)
    if missing:
        return MA_TIME.missing_data(*missing)
    outside, retry = window_breach(f, time(8), time(21))
    if outside:
        return MA_TIME.block(
            "Blocked: outside 8 a.m. to 9 p.m. at the consumer's location ("
            + ", ".join(outside)
            + ").",
            retry_at=retry,
        )
    household = f.first_party and f.ctx.person.role in _HOUSEHOLD and _EASTERN is not None
    if household and _EASTERN and outside_window(f.t, (_EASTERN,), time(8), time(21)):
        return MA_TIME.block(
            "Blocked: a creditor may contact household members only between 8 a.m. and "
            "9 p.m. Eastern time when their waking hours are unknown."
        )
    return MA_TIME.ok("Inside 8 a.m. to 9 p.m. at the consumer's location.")


MA_HOUSEHOLD = RuleDef(
    "MA-HOUSEHOLD",
    pack=MA,
    citation="940 CMR 7.05(2),(3)(d) [V]; 7.06(2)(a) [V]",
    reads=("person.role", "proposal.content"),
    applies=_pack(MA, lambda f: f.first_party and f.ctx.person.role in _HOUSEHOLD),
)


@MA_HOUSEHOLD.check
def check_ma_household(f: Facts) -> RuleResult:
    if f.ctx.person.role is PersonRole.SPOUSE:
        return MA_HOUSEHOLD.review(
            "Human review: whether a spouse counts as the debtor under 940 CMR 7 is not settled."
        )
    if f.content.debt_words:
        return MA_HOUSEHOLD.block(
            "Blocked: the message to a household member implies the debt ("
            + ", ".join(f.content.debt_words)
            + ")."
        )
    return MA_HOUSEHOLD.require(
        {
            "household_script": (
                "only the caller's name (or first name and ID) and a callback number",
                f.proposal.content.meta.household_script,
            )
        }
    )


MA_HOUSEHOLD_V2 = RuleDef(
    "MA-HOUSEHOLD",
    pack=MA,
    citation=MA_HOUSEHOLD.citation,
    reads=(
        *MA_HOUSEHOLD.reads,
        "history",
        "approvals",
        "endpoints[phone].phone_type",
        "proposal.debt_ids",
    ),
    applies=MA_HOUSEHOLD.applies,
)


def _ma_household_cap(f: Facts) -> RuleResult | None:
    """2026.12.1: at most 2 calls or texts per 7 days at the residence (personal numbers) and 2
    per 30 days elsewhere, per debt, counted over every contact in the context about the debt,
    whoever it reached (the residence line is the household's); then, since the debtor's own
    contacts are not in a household member's record, DATA_MISSING unless the context carries
    them (decisions.md D-49)."""
    for key in sorted(f.proposal_debt_keys):
        for in_bucket, days, what in _ma_buckets(f):
            moments = [
                c
                for c in _household_near(f, 30)
                if c.collector_initiated
                and not c.responding
                and c.channel in _MA_TEXT_OR_CALL
                and key in f.keys_of(c.debt_ids)
                and in_bucket(_phone_type(f, c.endpoint_id))
            ]
            found = _cap(
                MA_HOUSEHOLD_V2, f, moments, days=days, cap=2, what=f"household {what} about {key}"
            )
            if found is not None:
                return found
    if not _debtor_record_known(f):
        return MA_HOUSEHOLD_V2.missing_data(
            DEBTOR_HISTORY,
            explanation="Blocked: a creditor may call or text the debtor's household at most 2 "
            "times in 7 days at the residence and 2 in 30 days elsewhere, per debt, and the "
            "debtor's own calls and texts are not in this record (decisions.md D-49).",
        )
    return None


@MA_HOUSEHOLD_V2.check
def check_ma_household_v2(f: Facts) -> RuleResult:
    if f.ctx.person.role is not PersonRole.SPOUSE and f.content.debt_words:
        return check_ma_household(f)  # a known breach first: the message implies the debt
    if f.channel in _MA_TEXT_OR_CALL and not f.proposal.responding_to_consumer_request:
        found = _ma_household_cap(f)
        if found is not None:
            return found
    return check_ma_household(f)


MA_VISIT = RuleDef(
    "MA-VISIT",
    pack=MA,
    citation="209 CMR 18.17(6) [V]",
    reads=("history", "endpoints[in_person].repossession"),
    applies=_pack(
        MA,
        lambda f: f.channel is Channel.VISIT and not getattr(f.endpoint, "repossession", False),
    ),
    channels=scope.VISIT,
)


@MA_VISIT.check
def check_ma_visit(f: Facts) -> RuleResult:
    for key in sorted(f.proposal_debt_keys):
        visits = [
            c
            for c in _initiated(
                f, lambda c: c.channel is Channel.VISIT and c.contacted_someone, days=30
            )
            if key in f.keys_of(c.debt_ids)
        ]
        found = _cap(MA_VISIT, f, visits, days=30, cap=1, what=f"household visits about {key}")
        if found is not None:
            return found
    duty = Obligation(
        "ma_visit_outside", "stay outside the home unless invited in", ObligationKind.DUTY, False
    )
    return MA_VISIT.require({}, duties=(duty,))


# === New York City ===========================================================================

NYC = "NYC"


def _nyc_flag(f: Facts) -> bool:
    return f.ctx.collector.nyc_amended_rules_effective


def _flag_off(rule: RuleDef) -> RuleResult:
    # decisions.md D-07: effective date postponed indefinitely; enable only on notice.
    return rule.na("The amended NYC rules are not in effect (flag nyc_amended_rules_effective).")


NYC_3IN7 = RuleDef(
    "NYC-3IN7",
    pack=NYC,
    citation="NYC DCWP amended debt-collection rules, 6 RCNY 5-77 et seq. (City Record Aug. 12, "
    "2024) [S]",
    reads=("history", "approvals", "collector.nyc_amended_rules_effective"),
    applies=_pack(NYC),
)


@NYC_3IN7.check
def check_nyc_3in7(f: Facts) -> RuleResult:
    if not _nyc_flag(f):
        return _flag_off(NYC_3IN7)
    # Per person, across all channels and debts; the multiple-creditor exception is not
    # implemented (conservative).
    moments = [c for c in f.near(7) if c.collector_initiated]
    found = _cap(NYC_3IN7, f, moments, days=7, cap=3, what="contacts and attempts in NYC")
    return found or NYC_3IN7.ok("At most 3 contacts or attempts in any 7 days.")


NYC_ECONSENT = RuleDef(
    "NYC-ECONSENT",
    pack=NYC,
    citation="NYC DCWP amended debt-collection rules [S]",
    reads=("person.consents[nyc_econsent]", "proposal.content"),
    applies=_pack(NYC, lambda f: f.is_electronic),
    channels=scope.ELECTRONIC,
)


@NYC_ECONSENT.check
def check_nyc_econsent(f: Facts) -> RuleResult:
    if not _nyc_flag(f):
        return _flag_off(NYC_ECONSENT)
    consent = f.live_consent(
        ConsentKind.NYC_ECONSENT, endpoint_id=f.proposal.endpoint_id, written=True
    )
    if consent is None:
        # Reference: whether a consumer who emails first has consented is unclear -> BLOCK.
        return NYC_ECONSENT.block(
            "Blocked: NYC requires the person's written, revocable consent to email, text or "
            "social-media contact."
        )
    return NYC_ECONSENT.require(
        {
            "one_word_opt_out": (
                "a no-cost one-word opt-out such as STOP",
                f.content.opt_out_statement,
            )
        }
    )


NYC_LANG = RuleDef(
    "NYC-LANG",
    pack=NYC,
    citation="6 RCNY 2-193(b)(5) (2020 rules, in force) [S]; 6 RCNY 5-77 translation rules [S]",
    reads=("person.language_pref_requested_at", "proposal.content.meta.language_pref_question"),
    applies=_pack(NYC, lambda f: _collector_role(f) and f.to_consumer),
)


@NYC_LANG.check
def check_nyc_lang(f: Facts) -> RuleResult:
    asked = f.ctx.person.language_pref_requested_at is not None
    elements = {
        "language_pref_requested": (
            "ask for and record the person's language preference",
            asked or f.proposal.content.meta.language_pref_question,
        )
    }
    if f.template is TemplateType.VN:
        elements["nyc_language_access"] = (
            "the NYC language-access disclosures on the validation notice",
            "NYC_LANGUAGE_ACCESS" in f.proposal.content.meta.state_notices,
        )
    return NYC_LANG.require(elements)


NYC_TB = RuleDef(
    "NYC-TB",
    pack=NYC,
    citation="amended rules [S]",
    reads=("debts[].time_barred", "proposal.content.meta.state_notices"),
    applies=_pack(NYC, lambda f: f.channel in WRITTEN_CHANNELS),
    channels=scope.WRITTEN,
)


@NYC_TB.check
def check_nyc_tb(f: Facts) -> RuleResult:
    if not _nyc_flag(f):
        return _flag_off(NYC_TB)
    return _time_barred_notice(
        NYC_TB,
        f,
        "the NYC time-barred debt disclosure",
        "NYC_TB" in f.proposal.content.meta.state_notices,
    )


# decisions.md D-26: unknown limitations status fails closed.
def _time_barred_notice(rule: RuleDef, f: Facts, what: str, present: bool) -> RuleResult:
    unknown = [d.debt_id for d in f.proposal_debts if d.time_barred == "unknown"]
    if unknown:
        return rule.missing_data(
            *(f"debts[{i}].time_barred" for i in unknown),
            explanation=f"Blocked: {what} may be required, but the limitations status is unknown.",
        )
    if not any(d.time_barred is True for d in f.proposal_debts):
        return rule.ok("The debt is not time-barred: no time-barred notice is required.")
    return rule.require({"time_barred_notice": (what, present)})


# === New York State ==========================================================================

NYS = "NYS"

NYS_INIT_DISC = RuleDef(
    "NYS-INIT-DISC",
    pack=NYS,
    citation="23 NYCRR 1.2(a),(b) [V]",
    reads=("debts[].initial_communication_at", "debts[].nys_initial_disclosure_sent_at"),
    applies=_pack(NYS, lambda f: _collector_role(f) and f.to_consumer),
)


def _nys_duty(f: Facts) -> tuple[list[str], list[Obligation]]:
    overdue, duties = [], []
    included = "NYS_1_2" in f.proposal.content.meta.state_notices
    for debt in f.proposal_debts:
        if debt.nys_initial_disclosure_sent_at is not None or debt.paid_in_full or included:
            continue
        first = debt.initial_communication_at
        due = (first if first is not None and first < f.t else f.t) + timedelta(days=5)
        if f.t > due:
            overdue.append(debt.debt_id)
            continue
        extra = " with the original creditor and itemisation" if debt.charged_off else ""
        text = f"send the 23 NYCRR 1.2 notice{extra} for {debt.debt_id} by {due.isoformat()}"
        duties.append(Obligation(f"nys_1_2:{debt.debt_id}", text, ObligationKind.DUTY, False, due))
    return overdue, duties


@NYS_INIT_DISC.check
def check_nys_init_disc(f: Facts) -> RuleResult:
    overdue, duties = _nys_duty(f)
    if overdue and f.template not in NON_COLLECTION:
        return NYS_INIT_DISC.block(
            "Blocked (policy): the New York initial disclosure for "
            + ", ".join(overdue)
            + " is more than 5 days overdue."
        )
    if duties:
        return NYS_INIT_DISC.require({}, duties=tuple(duties))
    return NYS_INIT_DISC.ok("The New York initial disclosure is sent or included.")


NYS_TB = RuleDef(
    "NYS-TB",
    pack=NYS,
    citation="23 NYCRR 1.3 [M]",
    reads=("debts[].time_barred", "proposal.content"),
    applies=_pack(NYS, lambda f: _collector_role(f) and f.channel in WRITTEN_CHANNELS),
    channels=scope.WRITTEN,
)


@NYS_TB.check
def check_nys_tb(f: Facts) -> RuleResult:
    present = f.content.ny_time_barred_notice or "NYS_TB" in f.proposal.content.meta.state_notices
    return _time_barred_notice(NYS_TB, f, "the New York time-barred debt notice", present)


NYS_EMAIL = RuleDef(
    "NYS-EMAIL",
    pack=NYS,
    citation="23 NYCRR 1.6 [M]",
    reads=("endpoints[email]", "person.consents[email]"),
    applies=_pack(NYS, lambda f: _collector_role(f) and f.channel is Channel.EMAIL),
    channels=scope.EMAIL,
)


@NYS_EMAIL.check
def check_nys_email(f: Facts) -> RuleResult:
    return _nys_email(NYS_EMAIL, f, named_address=False)


def _nys_email(rule: RuleDef, f: Facts, *, named_address: bool) -> RuleResult:
    """`named_address` (2026.12.2, D-99): the consent must name this address."""
    email = f.endpoint if isinstance(f.endpoint, EmailEndpoint) else None
    if email is None:
        return rule.missing_data("proposal.endpoint_id")
    if named_address:  # any written consent for this debt that names this address will do
        scoped = any(c.debt_ids and c.endpoint_id == email.endpoint_id
                     for c in f.live_consents(ConsentKind.EMAIL, endpoint_id=email.endpoint_id,
                                              written=True))
    else:
        consent = f.live_consent(ConsentKind.EMAIL, endpoint_id=email.endpoint_id, written=True)
        scoped = consent is not None and bool(consent.debt_ids)
    if email.employer_provided or not email.consumer_provided_voluntarily or not scoped:
        return rule.block(
            "Blocked: New York allows email only to an address the person gave voluntarily, "
            "with written consent for this debt, and not provided by an employer."
        )
    return rule.ok("The person gave this address and consented in writing for this debt.")


NYS_GBL601 = RuleDef(
    "NYS-GBL601",
    pack=NYS,
    citation="N.Y. Gen. Bus. Law 601(6) [V]",
    reads=("history", "approvals", "policy"),
    applies=_pack(NYS),
)


@NYS_GBL601.check
def check_nys_gbl601(f: Facts) -> RuleResult:
    return harassment_review(NYS_GBL601, f)


# === California ==============================================================================

CA = "CA"

CA_SCOPE = RuleDef(
    "CA-SCOPE",
    pack=CA,
    citation="Cal. Civ. Code 1788.2(c) [M]; 1788.17 [M]",
    reads=("collector.role", "debts[].validation_notice_provided_at"),
    applies=_pack(CA),
)


@CA_SCOPE.check
def check_ca_scope(f: Facts) -> RuleResult:
    if not f.first_party:
        return CA_SCOPE.ok("Rosenthal applies alongside the FDCPA.")
    # decisions.md D-10: 1788.17 imports 1692b-1692j, so pack FED runs for CA creditors too;
    # whether it imports 1692g validation is unsettled, so a missing notice goes to a human.
    no_vn = [d.debt_id for d in f.proposal_debts if d.validation_notice_provided_at is None]
    if no_vn and f.template is not TemplateType.VN:
        return CA_SCOPE.review(
            "Human review: courts disagree whether a creditor must send a validation notice "
            "under Civ. Code 1788.17; none is recorded for " + ", ".join(no_vn) + "."
        )
    return CA_SCOPE.ok("Rosenthal covers this creditor; the FDCPA conduct rules are applied.")


CA_FREQ = RuleDef(
    "CA-FREQ",
    pack=CA,
    citation="Civ. Code 1788.11(d),(e) [V]",
    reads=("history", "approvals", "policy"),
    applies=_pack(CA),
)


@CA_FREQ.check
def check_ca_freq(f: Facts) -> RuleResult:
    return harassment_review(CA_FREQ, f)


CA_ID_LICENSE = RuleDef(
    "CA-ID-LICENSE",
    pack=CA,
    citation="Civ. Code 1788.11(b),(f) [V]",
    reads=("collector.licences", "collector.business_name", "proposal.content"),
    applies=_pack(CA, lambda f: f.is_call or f.channel in WRITTEN_CHANNELS),
)


@CA_ID_LICENSE.check
def check_ca_id_license(f: Facts) -> RuleResult:
    collector, text = f.ctx.collector, f.proposal.content.text
    if f.is_call:
        present = (
            mentions(collector.business_name, text)
            if text is not None
            else f.proposal.content.meta.caller_identity
        )
        return CA_ID_LICENSE.require({"caller_identity": ("the caller's identity", present)})
    number = collector.licence_number("CA")
    if number is None:
        if f.first_party:
            return CA_ID_LICENSE.ok("A creditor in its own name holds no CA collector licence.")
        return CA_ID_LICENSE.missing_data("collector.licences[CA]")
    return CA_ID_LICENSE.require(
        {"ca_license_number": (f"the California licence number {number}", mentions(number, text))}
    )


CA_ATTY = RuleDef(
    "CA-ATTY",
    pack=CA,
    citation="Civ. Code 1788.14(c) [V]",
    reads=("debts[].attorney.written_notice_at", "proposal.responding_to_consumer_request"),
    applies=_pack(
        CA,
        lambda f: (
            f.to_consumer
            and any(
                d.attorney is not None
                and d.attorney.written_notice_at is not None
                and d.attorney.written_notice_at <= f.t
                for d in f.proposal_debts
            )
        ),
    ),
)


@CA_ATTY.check
def check_ca_atty(f: Facts) -> RuleResult:
    reps = [d.attorney for d in f.proposal_debts if d.attorney is not None]
    if f.template is TemplateType.STATEMENT_OF_ACCOUNT:
        return CA_ATTY.ok("Statements of account may still go to the debtor.")
    if f.proposal.responding_to_consumer_request:
        return CA_ATTY.ok("A response in the ordinary course to the debtor's own inquiry.")
    if all(r.consented_to_direct_contact for r in reps):
        return CA_ATTY.ok("The attorney approved direct contact.")
    if any(r.failed_to_respond for r in reps):
        return CA_ATTY.review("Human review: the attorney is said to have failed to answer.")
    return CA_ATTY.block(
        "Blocked: the debtor's attorney asked in writing that communications go through them."
    )


CA_TB = RuleDef(
    "CA-TB",
    pack=CA,
    citation="Civ. Code 1788.14(d) [V partial]; CCP 337 (AB 1526, 2018) [S]",
    reads=("debts[].time_barred", "debts[].past_obsolescence", "proposal.content"),
    applies=_pack(CA, lambda f: f.channel in WRITTEN_CHANNELS),
    channels=scope.WRITTEN,
)


@CA_TB.check
def check_ca_tb(f: Facts) -> RuleResult:
    barred = [d for d in f.proposal_debts if d.time_barred is True]
    unclear = [d.debt_id for d in barred if d.past_obsolescence is None]
    if unclear:
        return CA_TB.missing_data(*(f"debts[{i}].past_obsolescence" for i in unclear))
    meta = f.proposal.content.meta
    if any(d.past_obsolescence for d in barred):
        present = "CA_TB_OBSOLETE" in meta.state_notices
        what = "the California time-barred notice (will-not-report version)"
    else:
        present = f.content.ca_time_barred_notice or "CA_TB" in meta.state_notices
        what = "the California time-barred notice"
    return _time_barred_notice(CA_TB, f, what, present)


CA_1812_700 = RuleDef(
    "CA-1812.700",
    pack=CA,
    citation="Civ. Code 1812.700 [M]",
    reads=("history", "proposal.content"),
    applies=_pack(CA, lambda f: _collector_role(f) and f.channel in WRITTEN_CHANNELS),
    channels=scope.WRITTEN,
)


@CA_1812_700.check
def check_ca_1812_700(f: Facts) -> RuleResult:
    return _ca_1812_700(CA_1812_700, f, returned=frozenset())


def _ca_1812_700(rule: RuleDef, f: Facts, returned: frozenset[str]) -> RuleResult:
    """`returned`: history keys of written notices that came back undelivered (2026.12.2)."""
    prior = any(
        c.channel in WRITTEN_CHANNELS
        and not c.pending
        and c.at < f.t
        and c.debt_ids & f.proposal.debt_ids
        and c.key not in returned
        for c in f.own_contacts()
        if c.collector_initiated
    )
    if prior:
        return rule.ok("Not the first written notice.")
    present = f.content.ca_rights_notice or "CA_1812_700" in f.proposal.content.meta.state_notices
    return rule.require(
        {
            "ca_rights_notice": (
                "the California consumer-rights paragraph of Civ. Code 1812.700",
                present,
            )
        }
    )


# === Washington, West Virginia, District of Columbia ==========================================

WA = "WA"

WA_3PW = RuleDef(
    "WA-3PW",
    pack=WA,
    citation="RCW 19.16.250 (harassment presumptions) [S: WA DFI consumer page; parallel text in "
    "RCW 31.45.082(3) V]",
    reads=("history", "approvals", "endpoints[].place", "candidate_tz"),
    applies=_pack(
        WA,
        lambda f: (
            _collector_role(f) and f.ctx.person.role in (PersonRole.CONSUMER, PersonRole.SPOUSE)
        ),
    ),
)


def _wa_residence_time(f: Facts, at_home: bool | None = None) -> RuleResult | None:
    if at_home is None:  # 2026.11.1: only an endpoint whose place is HOME
        at_home = f.channel in (Channel.CALL, Channel.VOICEMAIL, Channel.VISIT) and (
            endpoint_place(f) is PlaceKind.HOME
        )
    if not at_home:
        return None
    # "between 9 p.m. and 7:30 a.m.": both boundary instants are inside the forbidden period.
    outside, retry = window_breach(f, time(7, 30), time(21))
    if outside:
        return WA_3PW.block(
            "Blocked: no communication at the residence between 9 p.m. and 7:30 a.m.",
            retry_at=retry,
        )
    return None


@WA_3PW.check
def check_wa_3pw(f: Facts) -> RuleResult:
    missing = zones_missing(f)
    if missing:
        return WA_3PW.missing_data(*missing)
    if f.proposal.responding_to_consumer_request:
        return WA_3PW.ok("Responding to the debtor does not count.")
    found = _wa_residence_time(f)
    # decisions.md D-11: rolling 7 days; attempts count as communications (conservative).
    found = found or _cap(
        WA_3PW,
        f,
        [c for c in _initiated(f, lambda c: True)],
        days=7,
        cap=3,
        what="communications with the debtor or spouse",
    )
    if found is None and at_work(f):
        work = [c for c in _initiated(f, lambda c: _place_of(f, c) is PlaceKind.WORK)]
        found = _cap(WA_3PW, f, work, days=7, cap=1, what="communications at the workplace")
    return found or WA_3PW.ok("Within the Washington harassment presumptions.")


def _place_of(f: Facts, c: Contact) -> PlaceKind | None:
    endpoint = f.endpoints.get(c.endpoint_id) if c.endpoint_id else None
    return endpoint.place if endpoint is not None else None


WA_3PW_V2 = RuleDef(
    "WA-3PW",
    pack=WA,
    citation=WA_3PW.citation,
    reads=(
        *WA_3PW.reads,
        "history[].recipient_role",
        "endpoints[phone].phone_type",
        "person.addresses[].kind",
    ),
    applies=WA_3PW.applies,
)

_WA_HOUSEHOLD = frozenset({PersonRole.CONSUMER, PersonRole.SPOUSE})


def _wa_household(f: Facts) -> list[Contact]:
    """D-11 as written (2026.12.1, decisions.md D-48): communications with the debtor or spouse.
    This person's own contacts, as before, plus the contacts the context carries of the other
    of the two (another person's entries whose recipient is the debtor or a spouse)."""
    return [*_initiated(f, lambda c: True), *_others(f, 7, _WA_HOUSEHOLD)]


def _wa_at_residence(f: Facts) -> bool:
    """2026.12.1 (decisions.md D-51): a call, voicemail or visit is at the residence unless its
    endpoint is known to be elsewhere; no endpoint (or one the person does not have) is not."""
    if f.channel not in (Channel.CALL, Channel.VOICEMAIL, Channel.VISIT):
        return False
    endpoint = f.endpoint
    return endpoint is None or endpoint.place is PlaceKind.HOME


def _contact_at_work(f: Facts, c: Contact) -> tuple[bool | None, str]:
    """Whether a past contact was at the person's place of employment, and the field that
    would settle it when that is unknown."""
    if not c.endpoint_id:
        return None, f"history[{c.key}].endpoint_id"
    endpoint = f.endpoints.get(c.endpoint_id)
    at = None if endpoint is None else endpoint_at_work(f, endpoint)
    return at, endpoint_field(c.endpoint_id, endpoint)


def _wa_work_cap(f: Facts) -> RuleResult | None:
    """At most one communication a week at the place of employment (decisions.md D-50): the
    proposal and the week's contacts may each be at work, not, or unknown (D-45). A breach of
    the known ones blocks as WA-3PW; one that needs an unknown place blocks as DATA_MISSING."""
    here = workplace(f)
    if here is False:
        return None
    known: list[Contact] = []
    unknown: list[Contact] = []
    paths: set[str] = set()
    for c in _initiated(f, lambda c: True):
        at, path = _contact_at_work(f, c)
        if at:
            known.append(c)
        elif at is None:
            unknown.append(c)
            paths.add(path)
    what = "communications at the workplace"
    if here:
        found = _cap(WA_3PW_V2, f, known, days=7, cap=1, what=what)
        if found is not None:
            return found
    needed = [] if here else [workplace_field(f)]
    if cap_breach(f, known, days=7, cap=1) is not None:
        return _work_unknown(f, needed)
    if cap_breach(f, [*known, *unknown], days=7, cap=1) is not None:
        return _work_unknown(f, [*needed, *sorted(paths)])
    return None


def _work_unknown(f: Facts, paths: list[str]) -> RuleResult:
    return WA_3PW_V2.missing_data(
        *paths,
        explanation="Blocked: Washington presumes harassment at the place of employment more "
        "than once a week, and nobody recorded whether this contact or one this week was at "
        "work (decisions.md D-45, D-50).",
    )


@WA_3PW_V2.check
def check_wa_3pw_v2(f: Facts) -> RuleResult:
    missing = zones_missing(f)
    if missing:
        return WA_3PW_V2.missing_data(*missing)
    if f.proposal.responding_to_consumer_request:
        return WA_3PW_V2.ok("Responding to the debtor does not count.")
    found = _wa_residence_time(f, _wa_at_residence(f))
    found = found or _cap(
        WA_3PW_V2,
        f,
        _wa_household(f),
        days=7,
        cap=3,
        what="communications with the debtor or spouse",
    )
    if found is None and f.ctx.person.role is PersonRole.SPOUSE and not _debtor_record_known(f):
        # A spouse's record does not hold the debtor's contacts (decisions.md D-48).
        found = WA_3PW_V2.missing_data(
            DEBTOR_HISTORY,
            explanation="Blocked: Washington counts communications with the debtor and the "
            "spouse together (at most 3 a week), and the debtor's are not in this record.",
        )
    found = found or _wa_work_cap(f)
    return found or WA_3PW_V2.ok("Within the Washington harassment presumptions.")


WV = "WV"

WV_30_10 = RuleDef(
    "WV-30-10",
    pack=WV,
    citation="W. Va. Code 46A-2-125(d) [V]",
    reads=("history", "approvals", "candidate_tz"),
    applies=_pack(WV, lambda f: f.is_call),
    channels=scope.CALLS,
)


@WV_30_10.check
def check_wv_30_10(f: Facts) -> RuleResult:
    # decisions.md D-22: volume alone does not prove intent (Lenahan), but the gate caps anyway.
    calls = [c for c in _initiated(f, lambda c: c.channel in CALL_CHANNELS)]
    found = _cap(WV_30_10, f, calls, days=7, cap=30, what="calls to this person")
    talks = [c for c in f.near(7) if c.conversation and c.channel is Channel.CALL]
    found = found or _cap(WV_30_10, f, talks, days=7, cap=10, what="telephone conversations")
    return found or WV_30_10.ok("Within 30 calls and 10 conversations per week.")


DC = "DC"

DC_5E7 = RuleDef(
    "DC-5E7",
    pack=DC,
    citation="D.C. Code 28-3814 (amended 2022, applicable Jan. 1, 2023) [S]",
    reads=("person.consents[dc_econsent]", "history", "approvals"),
    applies=_pack(DC, lambda f: f.is_electronic),
    channels=scope.ELECTRONIC,
)


def _electronic(c: Contact) -> bool:
    return c.channel in ELECTRONIC_CHANNELS


@DC_5E7.check
def check_dc_5e7(f: Facts) -> RuleResult:
    # decisions.md D-15: secondary source only; per account means per debt.
    asking = f.template is TemplateType.CONSENT_REQUEST
    consent = f.live_consent(ConsentKind.DC_ECONSENT, endpoint_id=f.proposal.endpoint_id)
    if consent is None and not asking:
        return DC_5E7.block("Blocked: D.C. requires prior consent to electronic communications.")
    if asking:
        requests = [c for c in _initiated(f, lambda c: _electronic(c) and c.consent_request)]
        found = _cap(DC_5E7, f, requests, days=7, cap=1, what="consent-seeking electronic messages")
        if found is not None:
            return found
    for key in sorted(f.proposal_debt_keys):
        sent = [
            c
            for c in f.near(7)
            if c.collector_initiated and _electronic(c) and key in f.keys_of(c.debt_ids)
        ]
        found = _cap(DC_5E7, f, sent, days=7, cap=5, what=f"electronic communications about {key}")
        if found is not None:
            return found
    return DC_5E7.ok("Consent on file and within 5 electronic communications in 7 days.")


# 2026.11.1 rule -> its 2026.12.1 replacement (same position in the pack).
REPLACED_IN_2026_12_1 = {
    MA_WORK_REQ: MA_WORK_REQ_V2,
    MA_HOUSEHOLD: MA_HOUSEHOLD_V2,
    WA_3PW: WA_3PW_V2,
}

RULES = (
    MA_2IN7,
    MA_WORK_REQ,
    MA_TIME,
    MA_HOUSEHOLD,
    MA_VISIT,
    NYC_3IN7,
    NYC_ECONSENT,
    NYC_LANG,
    NYC_TB,
    NYS_INIT_DISC,
    NYS_TB,
    NYS_EMAIL,
    NYS_GBL601,
    CA_SCOPE,
    CA_FREQ,
    CA_ID_LICENSE,
    CA_ATTY,
    CA_TB,
    CA_1812_700,
    WA_3PW,
    WV_30_10,
    DC_5E7,
)


# --- Pack version 2026.12.2 -----------------------------------------------------------------

WA_3PW_V3 = RuleDef(
    "WA-3PW",
    pack=WA,
    citation=WA_3PW.citation,
    reads=(*WA_3PW_V2.reads, "proposal.responding_to_consumer_request"),
    applies=WA_3PW.applies,
)


@WA_3PW_V3.check
def check_wa_3pw_v3(f: Facts) -> RuleResult:
    """decisions.md D-96: "unless responding to them" excuses the counts (D-11), not the
    residence hours: a reply the debtor asked for still may not reach the residence between
    9 p.m. and 7:30 a.m. (2026.12.1 let a reply skip the whole rule)."""
    if not f.proposal.responding_to_consumer_request:
        return check_wa_3pw_v2(f)
    missing = zones_missing(f)
    if missing:
        return WA_3PW_V3.missing_data(*missing)
    found = _wa_residence_time(f, _wa_at_residence(f))
    return found or WA_3PW_V3.ok(
        "A response the debtor asked for: not counted, and outside the residence's night hours.")


CA_1812_700_V2 = RuleDef(
    "CA-1812.700",
    pack=CA,
    citation=CA_1812_700.citation,
    reads=(*CA_1812_700.reads, "history[].undeliverable_at"),
    applies=CA_1812_700.applies,
    channels=scope.WRITTEN,
)


@CA_1812_700_V2.check
def check_ca_1812_700_v2(f: Facts) -> RuleResult:
    """decisions.md D-97: a notice that came back undelivered told the debtor nothing, so the
    next written notice is still the first and carries the paragraph."""
    returned = frozenset(e.event_id for e in f.ctx.history if e.undeliverable_at is not None)
    return _ca_1812_700(CA_1812_700_V2, f, returned)


NYS_EMAIL_V2 = RuleDef(
    "NYS-EMAIL",
    pack=NYS,
    citation=NYS_EMAIL.citation,
    reads=(*NYS_EMAIL.reads, "person.consents[email].endpoint_id"),
    applies=NYS_EMAIL.applies,
    channels=scope.EMAIL,
)


@NYS_EMAIL_V2.check
def check_nys_email_v2(f: Facts) -> RuleResult:
    """decisions.md D-99: the written consent must name the address used, as D-70 asks of the
    federal email consent."""
    return _nys_email(NYS_EMAIL_V2, f, named_address=True)


# 2026.12.1 rule -> its 2026.12.2 replacement (same position in the pack; packs.V2026_12_2).
REPLACED_IN_2026_12_2: dict[RuleDef, RuleDef] = {
    WA_3PW_V2: WA_3PW_V3,
    CA_1812_700: CA_1812_700_V2,
    NYS_EMAIL: NYS_EMAIL_V2,
}
