"""Reference section 2a: time, place, representation, cease, third parties (pack FED)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from types import MappingProxyType

from compliance.domain.context import (
    ConsentKind,
    Debt,
    InconvenientTime,
    PersonRole,
    PhoneEndpoint,
    PhoneType,
    PlaceKind,
    RpcState,
    TemplateType,
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
    inbound = [c.at for c in f.own_contacts() if not c.collector_initiated and c.at <= f.t]
    return _inbound_was_inconvenient(f, max(inbound))


def _tp_exception(f: Facts) -> str | None:
    consent = f.live_consent(ConsentKind.TIME_PLACE, endpoint_id=f.proposal.endpoint_id)
    if consent is not None and consent.obtained_in_compliant_communication:
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
    # decisions.md D-03: strictly after 08:00:00 and strictly before 21:00:00 local time.
    exception = tp_exception(f)
    if exception is not None:
        return TIME_WINDOW.allow(f"Outside-hours limits lifted: {exception}.")
    missing = zones_missing(f)
    if missing:
        return TIME_WINDOW.missing_data(*missing)
    outside, retry = window_breach(f, f.policy.window_start, f.policy.window_end)
    if outside:
        inputs = {"send_at": f.t, "candidate_tz": f.tz.names}
        return TIME_WINDOW.block(
            "Blocked: the contact would fall outside 8 a.m. to 9 p.m. local time in "
            + ", ".join(outside)
            + ". The limits are strict: 08:00:00 and 21:00:00 exactly are outside.",
            {**inputs, "outside_in": outside},
            retry_at=retry,
        )
    return TIME_WINDOW.ok("Between 8 a.m. and 9 p.m. in every candidate time zone.")


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
    for z in f.zones:
        local = at.astimezone(z)
        if d.weekdays and local.weekday() not in d.weekdays:
            continue
        if _in_range(local.time().replace(tzinfo=None), d.start, d.end):
            end_day = local.date() + timedelta(days=1 if local.time() >= d.end else 0)
            ends.append(datetime.combine(end_day, d.end, tzinfo=z).astimezone(UTC))
    return ends


@TIME_DESIGNATED.check
def check_time_designated(f: Facts) -> RuleResult:
    # Designations bind in every candidate zone (conservative reading of FED-TZ-ALL).
    exception = tp_exception(f)
    if exception is not None:
        return TIME_DESIGNATED.allow(f"Designated-time limit lifted: {exception}.")
    missing = zones_missing(f)
    if missing:
        return TIME_DESIGNATED.missing_data(*missing)
    ends = [end for d in live_designations(f, f.t) for end in designation_hits(f, d, f.t)]
    if ends:
        return TIME_DESIGNATED.block(
            "Blocked: the person told us this time is inconvenient for them.",
            {"send_at": f.t.isoformat()},
            retry_at=max(ends),
        )
    return TIME_DESIGNATED.ok("Not inside any time the person designated inconvenient.")


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
            and any(d.cease is not None and d.cease.written for d in f.proposal_debts)
        ),
    ),
)


@CEASE.check
def check_cease(f: Facts) -> RuleResult:
    # Only a written notice is 1692c(c); it takes effect on receipt (reference FED-CEASE).
    ceased = debts_with(
        f, lambda d: d.cease is not None and d.cease.written and d.cease.received_at <= f.t
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
    return LOC.require(
        {
            "location_script": (
                "identify the caller by name, say we are confirming location information, "
                "name the employer only if asked",
                f.proposal.content.meta.location_script,
            )
        }
    )


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
