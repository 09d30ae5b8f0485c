"""Reference section 2a: time, place, representation, cease, third parties (pack FED)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from types import MappingProxyType
from typing import NamedTuple

from compliance.domain.context import (
    CHANNEL_MEDIUM,
    AddressKind,
    CeaseNotice,
    Consent,
    ConsentKind,
    Debt,
    EmailEndpoint,
    Endpoint,
    InconvenientPlace,
    InconvenientTime,
    InPersonEndpoint,
    Medium,
    PersonRole,
    PhoneEndpoint,
    PhoneType,
    PlaceKind,
    PostalEndpoint,
    RpcState,
    TemplateType,
    TimePlaceLimit,
)
from compliance.domain.facts import CONSUMER_ROLES, Facts
from compliance.domain.results import RuleDef, RuleResult, guarded, static
from compliance.domain.rules import scope
from compliance.domain.rules.common import (
    debts_with,
    endpoint_place,
    fed_contact,
    memo,
    one_reply_open,
    revealing_creditor,
    timed_contact,
    window_breach,
    zones_missing,
)
from compliance.domain.timezones import outside_window

FED = "FED"


@static
def _fed_timed(f: Facts) -> bool:
    return f.fed and timed_contact(f)


# --- FED-TP-EXCEPT: a helper the four time/place rules call, recorded in the trace ----------

TP_EXCEPT = RuleDef(
    "FED-TP-EXCEPT",
    pack=FED,
    citation="1006.6(b)(4)(i),(ii) [V]; comment 6(b)(1)-2 [S]",
    reads=("person.consents", "person.court_permits_contact", "history", "proposal"),
    applies=fed_contact,
)


def _inbound_was_inconvenient(f: Facts, at: datetime) -> bool:
    designated = any(designation_hits(f, d, at) for d in live_designations(f, at))
    start, end = f.policy.window_start, f.policy.window_end
    return designated or bool(outside_window(at, f.zones, start, end))


def _consumer_initiated_reply(f: Facts) -> bool:
    if not one_reply_open(f, f.medium):
        return False
    p = f.policy
    # decisions.md D-56 (2026.12.2): the inbound contact that made the time or place
    # acceptable is the one in the reply's medium (one_reply_open found at least one);
    # 2026.12.1 took the latest inbound contact of any medium.
    same = p.one_reply_same_medium
    inbound = [
        c.at
        for c in f.own_contacts()
        if not c.collector_initiated
        and c.at <= f.t
        and (not same or CHANNEL_MEDIUM[c.channel] is f.medium)
    ]
    last_in = max(inbound)
    # decisions.md D-63 (2026.12.2): the reply answers "at that time or place" (comment
    # 6(b)(1)-2), so it must follow the inbound contact closely; 0 (2026.12.1) is no bound.
    if p.one_reply_max_minutes and f.t - last_in > timedelta(minutes=p.one_reply_max_minutes):
        return False
    return _inbound_was_inconvenient(f, last_in)


def _tp_exception(f: Facts) -> str | None:
    consent = f.live_consent(ConsentKind.TIME_PLACE, endpoint_id=f.proposal.endpoint_id)
    # 2026.11.1: an unrecorded value (None) is read as the field's former default, True.
    if consent is not None and consent.obtained_in_compliant_communication is not False:
        return f"prior consent {consent.consent_id} given directly to the collector"
    if f.ctx.person.court_permits_contact:
        return "a court expressly permitted the contact"
    if _consumer_initiated_reply(f):
        return "one reply, in the same medium, to contact the person initiated at that time"
    return None


def tp_exception(f: Facts) -> str | None:
    """FED-TP-EXCEPT: the reason FED-TIME-WINDOW/-DESIGNATED/PLACE/EMPLOYER are lifted."""
    return memo(f, "tp_exception", _tp_exception)


@TP_EXCEPT.check
def check_tp_except(f: Facts) -> RuleResult:
    reason = tp_exception(f)
    if reason is None:
        return TP_EXCEPT.na("No consent, court order or consumer-initiated reply lifts the limits.")
    return TP_EXCEPT.allow(
        f"The time and place limits are lifted for this contact: {reason}.", {"reason": reason}
    )


# --- FED-TZ-ALL and FED-TIME-WINDOW ---------------------------------------------------------

TZ_ALL = RuleDef(
    "FED-TZ-ALL",
    pack=FED,
    citation='Official commentary to 1006.6(b)(1)(i) ("conflicting or ambiguous information … '
    'convenient in all of the locations") [M: comment 6(b)(1)(i)-1; not retrieved verbatim]',
    reads=("person.addresses", "person.stated_locations", "endpoints[].e164"),
    applies=_fed_timed,
    channels=scope.TIMED,
)


@TZ_ALL.check
def check_tz_all(f: Facts) -> RuleResult:
    tz = f.tz
    if tz.invalid:
        return TZ_ALL.missing_data(
            *tz.invalid,
            explanation="Blocked: a recorded time zone is not a known IANA zone, so the local "
            "time cannot be established in every location.",
        )
    missing = zones_missing(f)
    if missing:
        return TZ_ALL.missing_data(
            *missing, explanation="Blocked: no time zone is known for this person."
        )
    if tz.unknown_phones:
        return _tz_allow(tz.names, tz.unknown_phones)
    # Most decisions: every phone has a zone. The result depends on the zone names alone, so
    # one shared result per set of names (like RuleDef.ok) instead of a new one each time.
    found = _TZ_ALLOWED.get(tz.names)
    if found is None:
        found = _tz_allow(tz.names, ())
        if len(_TZ_ALLOWED) < 4096:  # a few dozen zone combinations exist in practice
            _TZ_ALLOWED[tz.names] = found
    return found


_TZ_ALLOWED: dict[tuple[str, ...], RuleResult] = {}


def _tz_allow(names: tuple[str, ...], unknown_phones: tuple[str, ...]) -> RuleResult:
    return TZ_ALL.allow(
        "The contact is judged in every candidate time zone: " + ", ".join(names) + ".",
        MappingProxyType({"candidate_tz": names, "phones_without_zone": unknown_phones}),
    )


TIME_WINDOW = RuleDef(
    "FED-TIME-WINDOW",
    pack=FED,
    citation="15 U.S.C. 1692c(a)(1) [V]; 12 CFR 1006.6(b)(1)(i) [V]",
    reads=("proposal.intended_send_at", "candidate_tz", "FED-TP-EXCEPT"),
    applies=_fed_timed,
    channels=scope.TIMED,
)


@TIME_WINDOW.check
def check_time_window(f: Facts) -> RuleResult:
    return _time_window(TIME_WINDOW, f, tp_exception(f))


def _time_window(rule: RuleDef, f: Facts, exception: str | None) -> RuleResult:
    # decisions.md D-03: strictly after 08:00:00 and strictly before 21:00:00 local time.
    if exception is not None:
        return rule.allow(f"Outside-hours limits lifted: {exception}.")
    missing = zones_missing(f)
    if missing:
        return rule.missing_data(*missing)
    outside, retry = window_breach(f, f.policy.window_start, f.policy.window_end)
    if outside:
        inputs = {"send_at": f.t, "candidate_tz": f.tz.names}
        return rule.block(
            "Blocked: the contact would fall outside 8 a.m. to 9 p.m. local time in "
            + ", ".join(outside)
            + ". The limits are strict: 08:00:00 and 21:00:00 exactly are outside.",
            {**inputs, "outside_in": outside},
            retry_at=retry,
        )
    return rule.ok("Between 8 a.m. and 9 p.m. in every candidate time zone.")


# --- FED-TIME-DESIGNATED -------------------------------------------------------------------

TIME_DESIGNATED = RuleDef(
    "FED-TIME-DESIGNATED",
    pack=FED,
    citation="1006.6(b)(1)(i) [V]; comment 6(b)(1)-1 [S]",
    reads=("person.inconvenient_times", "proposal.intended_send_at", "candidate_tz"),
    applies=guarded(_fed_timed, lambda f: bool(f.ctx.person.inconvenient_times)),
    channels=scope.TIMED,
)


def live_designations(f: Facts, at: datetime) -> list[InconvenientTime]:
    return [
        d
        for d in f.ctx.person.inconvenient_times
        if d.designated_at <= at and (d.revoked_at is None or d.revoked_at > at)
    ]


def _in_range(local: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # wraps midnight ("I work nights")


# decisions.md D-25: designations bind in every candidate zone, on the local weekday.
def designation_hits(f: Facts, d: InconvenientTime, at: datetime) -> list[datetime]:
    """Per zone in which `at` falls inside the designation: the UTC end of that range."""
    ends = []
    # decisions.md D-59 (2026.12.2): start == end ("never on Sundays", 00:00-00:00) is the
    # whole local day, blocked until the next local midnight; 2026.12.1 read an empty range.
    whole_day = d.start == d.end and f.policy.designation_equal_ends_whole_day
    for z in f.zones:
        local = at.astimezone(z)
        if d.weekdays and local.weekday() not in d.weekdays:
            continue
        if whole_day:
            midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=z)
            ends.append(midnight.astimezone(UTC))
        elif _in_range(local.time().replace(tzinfo=None), d.start, d.end):
            end_day = local.date() + timedelta(days=1 if local.time() >= d.end else 0)
            ends.append(datetime.combine(end_day, d.end, tzinfo=z).astimezone(UTC))
    return ends


@TIME_DESIGNATED.check
def check_time_designated(f: Facts) -> RuleResult:
    return _time_designated(TIME_DESIGNATED, f, tp_exception(f))


def _time_designated(rule: RuleDef, f: Facts, exception: str | None) -> RuleResult:
    # Designations bind in every candidate zone (conservative reading of FED-TZ-ALL).
    if exception is not None:
        return rule.allow(f"Designated-time limit lifted: {exception}.")
    missing = zones_missing(f)
    if missing:
        return rule.missing_data(*missing)
    ends = [end for d in live_designations(f, f.t) for end in designation_hits(f, d, f.t)]
    if ends:
        return rule.block(
            "Blocked: the person told us this time is inconvenient for them.",
            {"send_at": f.t.isoformat()},
            retry_at=max(ends),
        )
    return rule.ok("Not inside any time the person designated inconvenient.")


# --- FED-PLACE and FED-EMPLOYER ------------------------------------------------------------

PLACE = RuleDef(
    "FED-PLACE",
    pack=FED,
    citation="1006.6(b)(1)(ii) [V]",
    reads=("person.inconvenient_places", "endpoints[].place", "proposal.endpoint_id"),
    # Work email is judged by FED-WORK-EMAIL (reference FED-PLACE edge cases).
    applies=guarded(fed_contact, lambda f: f.to_consumer and f.channel != "email"),
)


@PLACE.check
def check_place(f: Facts) -> RuleResult:
    exception = tp_exception(f)
    if exception is not None:
        return PLACE.allow(f"Designated-place limit lifted: {exception}.")
    place = endpoint_place(f)
    eid = f.proposal.endpoint_id
    for d in f.ctx.person.inconvenient_places:
        live = d.designated_at <= f.t and (d.revoked_at is None or d.revoked_at > f.t)
        if live and (d.endpoint_id == eid if d.endpoint_id else d.place is place):
            return PLACE.block(
                f"Blocked: the person designated this place ({d.place.value}) as inconvenient.",
                {"endpoint_id": eid, "place": d.place.value},
            )
    return PLACE.allow("The place has not been designated inconvenient.", {"place": place})


EMPLOYER = RuleDef(
    "FED-EMPLOYER",
    pack=FED,
    citation="1692c(a)(3) [V]; 1006.6(b)(3) [V]",
    reads=("person.employer_prohibits", "endpoints[].place", "endpoints[].phone_type"),
    applies=guarded(fed_contact, lambda f: f.to_consumer and f.ctx.person.employer_prohibits),
)


def at_work(f: Facts) -> bool:
    endpoint = f.endpoint
    if isinstance(endpoint, PhoneEndpoint) and endpoint.phone_type is PhoneType.WORK:
        return True
    return endpoint_place(f) is PlaceKind.WORK


@EMPLOYER.check
def check_employer(f: Facts) -> RuleResult:
    exception = tp_exception(f)
    if exception is not None:
        return EMPLOYER.allow(f"Workplace limit lifted: {exception}.")
    if at_work(f):
        return EMPLOYER.block(
            "Blocked: the person's employer prohibits this kind of contact at work.",
            {"endpoint_id": f.proposal.endpoint_id},
        )
    return EMPLOYER.ok("The endpoint is not at the person's place of employment.")


# --- FED-ATTY -------------------------------------------------------------------------------

ATTY = RuleDef(
    "FED-ATTY",
    pack=FED,
    citation="1692c(a)(2) [V]; 1006.6(b)(2)(i),(ii) [V]; 1692b(6)/1006.10(b)(5) [V]",
    reads=("debts[].attorney", "proposal.responding_to_consumer_request"),
    applies=guarded(
        fed_contact,
        lambda f: (
            f.to_consumer
            and "attorney" in f.debt_marks
            and any(d.attorney is not None and d.attorney.known_at <= f.t for d in f.proposal_debts)
        ),
    ),
)


def _attorney_outcome(f: Facts, debt: Debt) -> tuple[str, str] | None:
    rep = debt.attorney
    if rep is None or rep.consented_to_direct_contact:
        return None
    if not (rep.name and rep.address) and not rep.readily_ascertainable:
        return "REVIEW", f"an attorney represents the person on {debt.debt_id} but is unidentified"
    if rep.failed_to_respond:
        # decisions.md D-16: "reasonable period" is a judgement, never a hard-coded number.
        return "REVIEW", f"the attorney on {debt.debt_id} is said not to have responded"
    if f.proposal.responding_to_consumer_request:
        return "REVIEW", "the person contacted us, but the federal rule has no such exception"
    return "BLOCK", f"an attorney represents the person on {debt.debt_id}; contact the attorney"


@ATTY.check
def check_atty(f: Facts) -> RuleResult:
    found = [o for d in f.proposal_debts if (o := _attorney_outcome(f, d)) is not None]
    blocks = [why for kind, why in found if kind == "BLOCK"]
    if blocks:
        return ATTY.block("Blocked: " + "; ".join(blocks) + ".")
    if found:
        return ATTY.review("Human review needed: " + "; ".join(why for _, why in found) + ".")
    return ATTY.ok("The attorney consented to direct contact with the person.")


# --- FED-CEASE -----------------------------------------------------------------------------

CEASE_ALLOWED = frozenset(
    {
        TemplateType.TERMINATION_NOTICE,
        TemplateType.MAY_INVOKE_REMEDIES,
        TemplateType.INTENDS_TO_INVOKE_SPECIFIED_REMEDY,
    }
)

# Media through which a notice can only arrive in writing. Reference FED-CEASE: "Electronic
# notice through a channel the collector accepts (email, portal) counts as writing [M]".
WRITTEN_MEDIA = frozenset({Medium.MAIL, Medium.EMAIL, Medium.TEXT, Medium.SOCIAL})


def written_notice(f: Facts, notice: CeaseNotice | None) -> bool:
    """Whether a cease notice is a written one (1692c(c)). From 2026.12.1 (switch
    `cease_written_by_medium`, decisions.md D-53) a notice received by mail, email, text or
    social message is written whatever its flag says: it cannot have been oral. 2026.11.1
    reads the flag alone."""
    if notice is None:
        return False
    if notice.written:
        return True
    return f.policy.cease_written_by_medium and notice.medium in WRITTEN_MEDIA


CEASE = RuleDef(
    "FED-CEASE",
    pack=FED,
    citation="1692c(c) [V]; 1006.6(c)(1),(2) [V]",
    reads=("debts[].cease", "proposal.template_type"),
    applies=guarded(
        fed_contact,
        lambda f: (
            f.to_consumer
            and "cease" in f.debt_marks
            and any(written_notice(f, d.cease) for d in f.proposal_debts)
        ),
    ),
)


@CEASE.check
def check_cease(f: Facts) -> RuleResult:
    # Only a written notice is 1692c(c); it takes effect on receipt (reference FED-CEASE).
    ceased = debts_with(
        f,
        lambda d: d.cease is not None and written_notice(f, d.cease) and d.cease.received_at <= f.t,
    )
    if not ceased:
        return CEASE.ok("The written cease notice is not yet received at the send instant.")
    ids = [d.debt_id for d in ceased]
    if f.template in CEASE_ALLOWED:
        return CEASE.allow(
            f"A written cease notice is on file, but a {f.template} notice is one of the three "
            "communications 1692c(c) still permits.",
            {"debts": ids},
        )
    return CEASE.pause(
        "Paused: the person asked in writing that we stop contacting them about debt(s) "
        + ", ".join(ids)
        + ". Only a termination notice or a remedy notice may be sent.",
        {"debts": ids, "template_type": f.template},
    )


# --- FED-3P and FED-LOC ---------------------------------------------------------------------

_ALLOWED_NON_CONSUMERS = frozenset(
    {
        PersonRole.CONSUMER_ATTORNEY,
        PersonRole.CONSUMER_REPORTING_AGENCY,
        PersonRole.CREDITOR,
        PersonRole.CREDITOR_ATTORNEY,
        PersonRole.COLLECTOR_ATTORNEY,
    }
)

# The fixed ALLOW explanation per consumer role, so the common answer is a shared result.
_CONSUMER_RECIPIENT = {
    role: f"The recipient is the consumer ({role.value})." for role in PersonRole
}

THIRD_PARTY = RuleDef(
    "FED-3P",
    pack=FED,
    citation="1692c(b) [V]; 1006.6(d)(1),(2) [V partial]",
    reads=("person.role", "person.rpc", "person.consents", "debts[].judgment"),
    applies=fed_contact,
)


# decisions.md D-29: how consent, court orders and location contacts are recognised.
def _third_party_exception(f: Facts) -> str | None:
    # A THIRD_PARTY consent on the recipient's record is the consumer's consent to talk to them.
    if f.live_consent(ConsentKind.THIRD_PARTY) is not None:
        return "the consumer consented directly to this contact"
    if f.ctx.person.court_permits_contact:
        return "a court permitted it"
    remedy = f.proposal.content.meta.post_judgment_remedy
    if remedy and any(d.judgment is not None for d in f.proposal_debts):
        return "reasonably necessary to effectuate a post-judgment remedy"
    if f.proposal.location_inquiry:
        return "location-only contact, judged by FED-LOC"
    return None


@THIRD_PARTY.check
def check_third_party(f: Facts) -> RuleResult:
    role = f.ctx.person.role
    if role in CONSUMER_ROLES:
        if f.ctx.person.rpc is RpcState.FAILED:
            return THIRD_PARTY.block(
                "Blocked: this endpoint reached someone other than the consumer (wrong party)."
            )
        if f.is_call and f.ctx.person.rpc is not RpcState.VERIFIED:
            return THIRD_PARTY.require(
                {
                    "rpc_verification": (
                        "verify the right party before disclosing the debt",
                        f.proposal.content.meta.rpc_verification_script,
                    )
                },
                {"rpc": f.ctx.person.rpc.value},
            )
        return THIRD_PARTY.ok(_CONSUMER_RECIPIENT[role])
    if role in _ALLOWED_NON_CONSUMERS:
        return THIRD_PARTY.allow(f"1692c(b) permits communicating with the {role.value}.")
    exception = _third_party_exception(f)
    if exception is not None:
        return THIRD_PARTY.allow(f"Third-party contact permitted: {exception}.")
    return THIRD_PARTY.block(
        "Blocked: the recipient is a third party; the debt may not be disclosed to them.",
        {"role": role.value},
    )


LOC = RuleDef(
    "FED-LOC",
    pack=FED,
    citation="1692b [V]; 1006.10(b),(c) [V]",
    reads=("proposal.location_inquiry", "history", "debts[].attorney", "proposal.content"),
    applies=guarded(fed_contact, lambda f: f.proposal.location_inquiry and not f.to_consumer),
)


def _location_problem(f: Facts) -> str | None:
    if any(d.attorney is not None for d in f.proposal_debts):
        return "an attorney represents the consumer, so location contacts are not allowed"
    prior = any(
        c.location_contact and c.collector_initiated and c.at < f.t for c in f.own_contacts()
    )
    if prior and not f.proposal.location_followup_allowed:
        return "this person was already contacted for location information"
    words = f.content.debt_words
    if words:
        return "the message reveals a debt (" + ", ".join(words) + ")"
    if f.proposal.content.meta.postcard:
        return "postcards may not be used"
    return None


@LOC.check
def check_loc(f: Facts) -> RuleResult:
    problem = _location_problem(f)
    if problem is not None:
        return LOC.block(f"Blocked location contact: {problem}.")
    return _location_script_required(LOC, f)


def _location_script_required(rule: RuleDef, f: Facts) -> RuleResult:
    """The script 1692b(1) allows; shared by both versions of the rule."""
    return rule.require(
        {
            "location_script": (
                "identify the caller by name, say we are confirming location information, "
                "name the employer only if asked",
                f.proposal.content.meta.location_script,
            )
        }
    )


# === Pack version 2026.12.1 ===================================================================
# The rules below replace those of the same id in 2026.11.1 (packs.py, decisions.md D-35); the
# 2026.11.1 ones above stay as released so recorded decisions replay.

# --- FED-TP-EXCEPT with scopes (decisions.md D-46, D-47) ----------------------------------

_TP_READS = ("person.consents[].scope", "person.consents[].obtained_in_compliant_communication")

TP_EXCEPT_V2 = RuleDef(
    "FED-TP-EXCEPT",
    pack=FED,
    citation=TP_EXCEPT.citation,
    reads=(*TP_EXCEPT.reads, *_TP_READS),
    applies=fed_contact,
)


def consent_gap(consent: Consent, limit: TimePlaceLimit | None = None) -> str | None:
    """Why a live TIME_PLACE consent does not lift `limit` (any limit when None), or None when
    it does. Fail closed: an unrecorded fact is never read as the favourable one (D-46, D-47)."""
    lawful = consent.obtained_in_compliant_communication
    if lawful is None:
        return "nobody recorded whether it was obtained in a lawful communication"
    if not lawful:
        return "it was obtained in a communication that breached 1006.6(b)"
    if not consent.scope:
        return "it has no recorded scope"
    if limit is not None and limit not in consent.scope:
        return f"its scope does not include {limit.value}"
    return None


class _TpFacts(NamedTuple):
    consents: tuple[Consent, ...]  # live TIME_PLACE consents for this endpoint
    # A court order or the one reply to a consumer-initiated contact: lifts all four limits,
    # as in 2026.11.1 (reference FED-TP-EXCEPT (ii), (iii)).
    general: str | None


def _tp_facts(f: Facts) -> _TpFacts:
    consents: tuple[Consent, ...] = ()
    if f.ctx.person.consents:
        eid = f.proposal.endpoint_id
        consents = tuple(f.live_consents(ConsentKind.TIME_PLACE, endpoint_id=eid))
    general = None
    if f.ctx.person.court_permits_contact:
        general = "a court expressly permitted the contact"
    elif _consumer_initiated_reply(f):
        general = "one reply, in the same medium, to contact the person initiated at that time"
    return _TpFacts(consents, general)


def scoped_tp_exception(f: Facts, limit: TimePlaceLimit) -> str | None:
    """FED-TP-EXCEPT from 2026.12.1: the reason `limit` is lifted, or None. A consent lifts
    only the limits in its scope; it is tried before a court order or a reply, as before."""
    found = memo(f, "tp_facts", _tp_facts)
    for consent in found.consents:
        if consent_gap(consent, limit) is None:
            return f"prior consent {consent.consent_id} given directly to the collector"
    return found.general


_NOTHING_LIFTED = TP_EXCEPT_V2.na(
    "No consent, court order or consumer-initiated reply lifts the limits."
)


@TP_EXCEPT_V2.check
def check_tp_except_v2(f: Facts) -> RuleResult:
    found = memo(f, "tp_facts", _tp_facts)
    if not found.consents:  # the common case: the 2026.11.1 answers
        return _NOTHING_LIFTED if found.general is None else _all_lifted(found.general)
    lifted = {
        limit.value: reason
        for limit in TimePlaceLimit
        if (reason := scoped_tp_exception(f, limit)) is not None
    }
    unused = {c.consent_id: gap for c in found.consents if (gap := consent_gap(c)) is not None}
    reasons = set(lifted.values())
    if not unused and len(lifted) == len(TimePlaceLimit) and len(reasons) == 1:
        # One consent (or order) lifts all four: the 2026.11.1 wording and inputs.
        return _all_lifted(reasons.pop())
    inputs = {"lifted": lifted, "consents_not_used": unused}
    not_used = "; ".join(f"consent {cid} lifts nothing: {gap}" for cid, gap in unused.items())
    if not lifted:
        return TP_EXCEPT_V2.na(f"No limit is lifted: {not_used} (decisions.md D-46, D-47).", inputs)
    text = "; ".join(f"{limit} ({reason})" for limit, reason in lifted.items())
    extra = f" Not used: {not_used}." if unused else ""
    return TP_EXCEPT_V2.allow(f"Lifted for this contact: {text}.{extra}", inputs)


def _all_lifted(reason: str) -> RuleResult:
    return TP_EXCEPT_V2.allow(
        f"The time and place limits are lifted for this contact: {reason}.", {"reason": reason}
    )


# --- FED-TZ-ALL: an address without a zone (decisions.md D-43) -----------------------------

TZ_ALL_V2 = RuleDef(
    "FED-TZ-ALL",
    pack=FED,
    citation=TZ_ALL.citation,
    reads=TZ_ALL.reads,
    applies=_fed_timed,
    channels=scope.TIMED,
)


@TZ_ALL_V2.check
def check_tz_all_v2(f: Facts) -> RuleResult:
    tz = f.tz
    if not tz.missing:
        # Same answers as 2026.11.1 (same rule id and citation, so equal results).
        return check_tz_all(f)
    paths = tuple(dict.fromkeys(tz.invalid + zones_missing(f)))
    return TZ_ALL_V2.missing_data(
        *paths,
        explanation="Blocked: an address on file has no time zone, so the local time at that "
        "location is unknown; the contact must be convenient in every location (FED-TZ-ALL).",
    )


# --- FED-TIME-WINDOW and FED-TIME-DESIGNATED: scoped consent --------------------------------

TIME_WINDOW_V2 = RuleDef(
    "FED-TIME-WINDOW",
    pack=FED,
    citation=TIME_WINDOW.citation,
    reads=(*TIME_WINDOW.reads, *_TP_READS),
    applies=_fed_timed,
    channels=scope.TIMED,
)


@TIME_WINDOW_V2.check
def check_time_window_v2(f: Facts) -> RuleResult:
    return _time_window(TIME_WINDOW_V2, f, scoped_tp_exception(f, TimePlaceLimit.TIME_WINDOW))


TIME_DESIGNATED_V2 = RuleDef(
    "FED-TIME-DESIGNATED",
    pack=FED,
    citation=TIME_DESIGNATED.citation,
    reads=(*TIME_DESIGNATED.reads, *_TP_READS),
    applies=guarded(_fed_timed, lambda f: bool(f.ctx.person.inconvenient_times)),
    channels=scope.TIMED,
)


@TIME_DESIGNATED_V2.check
def check_time_designated_v2(f: Facts) -> RuleResult:
    exception = scoped_tp_exception(f, TimePlaceLimit.DESIGNATED_TIME)
    return _time_designated(TIME_DESIGNATED_V2, f, exception)


# --- FED-PLACE and FED-EMPLOYER: unknown workplace (decisions.md D-45) ----------------------


def workplace(f: Facts) -> bool | None:
    """Whether the proposal's endpoint is at the person's place of employment; None when
    nobody knows. A phone of unknown type is unknown (its place defaults to HOME, so HOME says
    nothing); a letter or visit is at work when its address is a work address."""
    endpoint = f.endpoint
    return None if endpoint is None else endpoint_at_work(f, endpoint)


def endpoint_at_work(f: Facts, endpoint: Endpoint) -> bool | None:
    """`workplace` for any of the person's endpoints (a past contact's too: WA-3PW, D-50)."""
    if endpoint.place is PlaceKind.WORK:
        return True
    if isinstance(endpoint, PhoneEndpoint):
        if endpoint.phone_type is PhoneType.UNKNOWN:
            return None
        return endpoint.phone_type is PhoneType.WORK
    if isinstance(endpoint, EmailEndpoint):
        return endpoint.employer_provided
    if isinstance(endpoint, PostalEndpoint | InPersonEndpoint):
        return _work_address(f, endpoint.address_id)
    return False


def _work_address(f: Facts, address_id: str) -> bool | None:
    for a in f.ctx.person.addresses:
        if a.address_id == address_id:
            return a.kind is AddressKind.WORK
    return None


def workplace_field(f: Facts) -> str:
    """The field that would settle `workplace(f)` when it is None."""
    eid = f.proposal.endpoint_id
    return "proposal.endpoint_id" if eid is None else endpoint_field(eid, f.endpoint)


def endpoint_field(endpoint_id: str, endpoint: Endpoint | None) -> str:
    """The field that would settle `endpoint_at_work` for an endpoint of unknown place."""
    if endpoint is None:
        return f"endpoints[{endpoint_id}]"
    field = "phone_type" if isinstance(endpoint, PhoneEndpoint) else "address_id"
    return f"endpoints[{endpoint_id}].{field}"


_WORK_UNKNOWN = (
    "Blocked: {who} and nobody recorded whether this endpoint is at the person's place of "
    "employment (a work number?); the data owner or a human must say (decisions.md D-45)."
)

PLACE_V2 = RuleDef(
    "FED-PLACE",
    pack=FED,
    citation=PLACE.citation,
    reads=(*PLACE.reads, "endpoints[].phone_type", "person.addresses[].kind", *_TP_READS),
    applies=guarded(fed_contact, lambda f: f.to_consumer and f.channel != "email"),
)


def _live_places(f: Facts) -> list[InconvenientPlace]:
    return [
        d
        for d in f.ctx.person.inconvenient_places
        if d.designated_at <= f.t and (d.revoked_at is None or d.revoked_at > f.t)
    ]


@PLACE_V2.check
def check_place_v2(f: Facts) -> RuleResult:
    exception = scoped_tp_exception(f, TimePlaceLimit.DESIGNATED_PLACE)
    if exception is not None:
        return PLACE_V2.allow(f"Designated-place limit lifted: {exception}.")
    live = _live_places(f)
    eid, status = f.proposal.endpoint_id, (workplace(f) if live else False)
    # The endpoint's own place, plus WORK when it is known to be at work (never fewer places).
    places = {endpoint_place(f), PlaceKind.WORK if status else None}
    unknown = False
    for d in live:
        if d.endpoint_id == eid if d.endpoint_id else d.place in places:
            return PLACE_V2.block(
                f"Blocked: the person designated this place ({d.place.value}) as inconvenient.",
                {"endpoint_id": eid, "place": d.place.value},
            )
        unknown = unknown or (not d.endpoint_id and d.place is PlaceKind.WORK and status is None)
    if unknown:
        who = "the person designated their workplace inconvenient"
        return PLACE_V2.missing_data(workplace_field(f), explanation=_WORK_UNKNOWN.format(who=who))
    return PLACE_V2.allow(
        "The place has not been designated inconvenient.", {"place": endpoint_place(f)}
    )


EMPLOYER_V2 = RuleDef(
    "FED-EMPLOYER",
    pack=FED,
    citation=EMPLOYER.citation,
    reads=(*EMPLOYER.reads, "endpoints[].employer_provided", "person.addresses[].kind"),
    applies=guarded(fed_contact, lambda f: f.to_consumer and f.ctx.person.employer_prohibits),
)


@EMPLOYER_V2.check
def check_employer_v2(f: Facts) -> RuleResult:
    exception = scoped_tp_exception(f, TimePlaceLimit.WORKPLACE)
    if exception is not None:
        return EMPLOYER_V2.allow(f"Workplace limit lifted: {exception}.")
    status = workplace(f)
    if status is None:
        who = "the person's employer prohibits this kind of contact at work"
        return EMPLOYER_V2.missing_data(
            workplace_field(f), explanation=_WORK_UNKNOWN.format(who=who)
        )
    if status:
        return EMPLOYER_V2.block(
            "Blocked: the person's employer prohibits this kind of contact at work.",
            {"endpoint_id": f.proposal.endpoint_id},
        )
    return EMPLOYER_V2.ok("The endpoint is not at the person's place of employment.")


# 2026.11.1 rule -> its 2026.12.1 replacement (same position in the pack).
REPLACED_IN_2026_12_1 = {
    TP_EXCEPT: TP_EXCEPT_V2,
    TZ_ALL: TZ_ALL_V2,
    TIME_WINDOW: TIME_WINDOW_V2,
    TIME_DESIGNATED: TIME_DESIGNATED_V2,
    PLACE: PLACE_V2,
    EMPLOYER: EMPLOYER_V2,
}

RULES = (
    TP_EXCEPT,
    TZ_ALL,
    TIME_WINDOW,
    TIME_DESIGNATED,
    PLACE,
    EMPLOYER,
    ATTY,
    CEASE,
    THIRD_PARTY,
    LOC,
)


# === Pack version 2026.12.2 ===================================================================
# The rules below replace those of the same id in 2026.12.1 (decisions.md Part 3); the ones
# above stay as released so recorded decisions replay.

# --- FED-PLACE: no endpoint to judge (decisions.md D-61) ------------------------------------

PLACE_V3 = RuleDef(
    "FED-PLACE",
    pack=FED,
    citation=PLACE.citation,
    reads=PLACE_V2.reads,
    applies=guarded(fed_contact, lambda f: f.to_consumer and f.channel != "email"),
)

_PLACE_UNKNOWN = (
    "Blocked: the person designated a place as inconvenient and this contact names no endpoint "
    "the person has, so nobody can tell whether it reaches that place (decisions.md D-61)."
)


@PLACE_V3.check
def check_place_v3(f: Facts) -> RuleResult:
    # 2026.12.1 matched an unknown endpoint against no designation but `work` (D-45) and let
    # a visit or call to "somewhere" through a home designation. Unknown place: fail closed.
    if (
        f.endpoint is None
        and f.ctx.person.inconvenient_places
        and _live_places(f)
        and scoped_tp_exception(f, TimePlaceLimit.DESIGNATED_PLACE) is None
    ):
        return PLACE_V3.missing_data(workplace_field(f), explanation=_PLACE_UNKNOWN)
    return check_place_v2(f)  # same rule id and citation: the same results as 2026.12.1


# --- FED-LOC: outstanding approvals and the employer's name (decisions.md D-62, D-64) -------

LOC_V3 = RuleDef(
    "FED-LOC",
    pack=FED,
    citation=LOC.citation,
    reads=(
        *LOC.reads,
        "approvals",
        "collector.business_name",
        "collector.lcm_business_name",
        "collector.creditor_name",
    ),
    applies=guarded(fed_contact, lambda f: f.proposal.location_inquiry and not f.to_consumer),
)


def _earlier_location_contact(f: Facts) -> str | None:
    """Why a location communication with this person precedes the proposal (1006.10(c)), or
    None. From 2026.12.2 an outstanding approval for this person counts whatever its instant:
    it was granted first and counts from its grant (D-23). GrantedApproval does not record
    whether it was a location inquiry, so every outstanding approval for this third party
    counts (fail closed, D-62)."""
    own = [c for c in f.own_contacts() if c.collector_initiated]
    # D-103: a location call that never connected (busy, network error) communicated nothing.
    if any(c.location_contact and c.connected is not False and c.at < f.t for c in own):
        return "this person was already contacted for location information"
    # An expired approval never became a contact and can no longer become one: not counted.
    if any(c.pending and getattr(c, "expires_at", f.t) > f.t for c in own):
        return (
            "a contact with this person is already approved and not yet made, and only one "
            "location communication is allowed"
        )
    return None


# Legal-form words dropped before a business name is looked for in a script.
_LEGAL_FORMS = frozenset(
    {"llc", "l", "c", "p", "inc", "co", "corp", "corporation", "ltd", "lp", "llp", "pc", "pllc"}
)
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def _words(text: str) -> str:
    return " " + " ".join(_NOT_WORD.sub(" ", text.casefold()).split()) + " "


def _business_name_words(name: str) -> str | None:
    """The name as words, without a trailing legal form unless that would leave one word: a
    caller's own surname ("Mary Smith" of "Smith & Co.") must not read as the business name."""
    whole = _NOT_WORD.sub(" ", name.casefold()).split()
    words = list(whole)
    while words and words[-1] in _LEGAL_FORMS:
        words.pop()
    if len(words) < 2 <= len(whole):
        words = whole
    return " " + " ".join(words) + " " if words else None


def names_employer(f: Facts) -> str | None:
    """The collector's name (business or LCM name) if the location script says it: 1692b(1)
    lets the caller identify the employer "only if expressly requested", which a script
    prepared before the call cannot know (decisions.md D-64)."""
    text = f.proposal.content.text
    if not text:
        return None
    said = _words(text)
    c = f.ctx.collector
    for name in (c.business_name, c.lcm_business_name):
        words = _business_name_words(name) if name else None
        if words is not None and words in said:
            return name
    return None


def _location_problem_v3(f: Facts) -> str | None:
    if any(d.attorney is not None for d in f.proposal_debts):
        return "an attorney represents the consumer, so location contacts are not allowed"
    earlier = _earlier_location_contact(f)
    if earlier is not None and not f.proposal.location_followup_allowed:
        return earlier
    # D-103: with the extended words (D-87) the creditor's name counts too: "calling on behalf
    # of Acme Bank" tells the third party that the consumer owes Acme Bank (1692b(2)).
    found = f.content
    words = (
        found.reveals_debt(revealing_creditor(f.ctx.collector))
        if f.policy.debt_words_v2
        else found.debt_words
    )
    if words:
        return "the message reveals a debt (" + ", ".join(words) + ")"
    if f.proposal.content.meta.postcard:
        return "postcards may not be used"
    employer = names_employer(f)
    if employer is not None:
        return (
            f"the script names the employer ({employer}); the caller may name it only if the "
            "person expressly asks"
        )
    return None


@LOC_V3.check
def check_loc_v3(f: Facts) -> RuleResult:
    problem = _location_problem_v3(f)
    if problem is not None:
        return LOC_V3.block(f"Blocked location contact: {problem}.")
    # The REQUIRE(location_script) of 2026.12.1, not its check: that one would judge the
    # earlier contacts again by 2026.12.1's test (D-103).
    return _location_script_required(LOC_V3, f)


# 2026.12.1 rule -> its 2026.12.2 replacement (same position in the pack; packs.V2026_12_2).
REPLACED_IN_2026_12_2: dict[RuleDef, RuleDef] = {PLACE_V2: PLACE_V3, LOC: LOC_V3}
