"""Reference sections 2b (medium opt-outs) and 2c: electronic and physical channels (pack FED)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from compliance.domain.context import (
    CHANNEL_MEDIUM,
    Channel,
    Consent,
    ConsentKind,
    EmailEndpoint,
    EnvelopeItem,
    LcmItem,
    MediumOptOut,
    PhoneEndpoint,
    PlaceKind,
    RpcState,
    SocialEndpoint,
    TemplateType,
)
from compliance.domain.facts import Facts
from compliance.domain.lexicon import debt_words, debt_words_v2, mentions
from compliance.domain.results import RuleDef, RuleResult, guarded
from compliance.domain.rules import scope
from compliance.domain.rules.common import (
    fed_channel,
    fed_contact,
    fed_electronic,
    memo,
    one_reply_open,
    revealing_creditor,
)

FED = "FED"

# --- FED-MEDIUM-OPTOUT ----------------------------------------------------------------------

MEDIUM_OPTOUT = RuleDef(
    "FED-MEDIUM-OPTOUT",
    pack=FED,
    citation="1006.14(h)(1),(2)(i)-(iii) [V]",
    reads=("person.medium_optouts", "history", "proposal.template_type"),
    applies=guarded(
        fed_contact, lambda f: any(o.medium is f.medium for o in f.ctx.person.medium_optouts)
    ),
)


@MEDIUM_OPTOUT.check
def check_medium_optout(f: Facts) -> RuleResult:
    optouts = [
        o for o in f.ctx.person.medium_optouts if o.medium is f.medium and o.requested_at <= f.t
    ]
    if not optouts:
        return MEDIUM_OPTOUT.ok("The opt-out was requested after the send instant.")
    optout = min(optouts, key=lambda o: o.requested_at)
    if (
        f.template is TemplateType.OPT_OUT_CONFIRMATION
        and f.is_electronic
        and optout.confirmation_sent_at is None
    ):
        return MEDIUM_OPTOUT.ok("The single electronic confirmation of the opt-out is allowed.")
    if one_reply_open(f, f.medium, since=optout.requested_at):
        return MEDIUM_OPTOUT.ok("One reply through the medium the person used to contact us.")
    if f.proposal.required_by_law:
        return MEDIUM_OPTOUT.ok("Other applicable law requires this medium.")
    return MEDIUM_OPTOUT.block(
        f"Blocked: the person asked us not to contact them by {optout.medium.value}.",
        {"medium": optout.medium.value, "requested_at": optout.requested_at.isoformat()},
    )


# --- FED-EOPT-NOTICE ------------------------------------------------------------------------

EOPT_NOTICE = RuleDef(
    "FED-EOPT-NOTICE",
    pack=FED,
    citation="1006.6(e) [S, quoted]",
    reads=("person.address_optouts", "proposal.content"),
    applies=fed_electronic,
    channels=scope.ELECTRONIC,
)


@EOPT_NOTICE.check
def check_eopt_notice(f: Facts) -> RuleResult:
    eid = f.proposal.endpoint_id
    opted = [
        o for o in f.ctx.person.address_optouts if o.endpoint_id == eid and o.requested_at <= f.t
    ]
    confirmation = f.template is TemplateType.OPT_OUT_CONFIRMATION
    if opted and not confirmation:
        return EOPT_NOTICE.block(
            "Blocked: the person opted out of electronic messages to this address or number.",
            {"endpoint_id": eid},
        )
    if f.proposal.content.meta.opt_out_requires_extra_info:
        return EOPT_NOTICE.block(
            "Blocked: the opt-out method asks for a fee or information beyond the preference "
            "and the address or number."
        )
    if confirmation:
        # 1006.14(h)(2)(i): the confirmation may contain only the confirmation itself.
        return EOPT_NOTICE.ok("An opt-out confirmation carries no further opt-out notice.")
    return EOPT_NOTICE.require(
        {
            "opt_out_statement": (
                "a clear, simple way to opt out of further electronic messages to this address",
                f.content.opt_out_statement,
            )
        }
    )


# --- FED-EMAIL-PROC and FED-WORK-EMAIL -----------------------------------------------------


def _path_i(f: Facts, email: EmailEndpoint) -> str | None:
    if email.consumer_used_at is not None and email.consumer_used_at <= f.t:
        return "the person emailed us from this address"
    if f.policy.contact_consent_endpoint_required:
        for scoped in endpoint_consents(f, ConsentKind.EMAIL, email.endpoint_id):
            if _disclosed(f, scoped.disclosure_shown):
                return f"the person consented directly ({scoped.consent_id})"
        return None
    consent = f.live_consent(ConsentKind.EMAIL, endpoint_id=email.endpoint_id)
    if consent is not None and _disclosed(f, consent.disclosure_shown):
        return f"the person consented directly ({consent.consent_id})"
    return None


def endpoint_consents(f: Facts, kind: ConsentKind, endpoint_id: str) -> list[Consent]:
    """Live consents of `kind` tied to this very address or number (decisions.md D-70): the
    consent of 1006.6(d)(4)(i) and (d)(5)(ii) is consent to use THAT address or number."""
    if not f.ctx.person.consents:
        return []
    return [c for c in f.live_consents(kind, endpoint_id=endpoint_id) if c.endpoint_id]


def _unscoped_consent(f: Facts, kind: ConsentKind, endpoint_id: str) -> str | None:
    """The field to fill in when a live consent of `kind` would qualify the endpoint but is
    tied to no address or number (2026.12.2, decisions.md D-70); None otherwise."""
    if not f.policy.contact_consent_endpoint_required or not f.ctx.person.consents:
        return None
    for consent in f.live_consents(kind, endpoint_id=endpoint_id):
        if consent.endpoint_id is None:
            return f"person.consents[{consent.consent_id}].endpoint_id"
    return None


_UNSCOPED = (
    "Blocked: the person's {kind} consent is not tied to an address or number, so it does not "
    "show consent to use this one (decisions.md D-70); record the endpoint it was given for."
)


_UNDISCLOSED = (
    "Blocked: the person's email consent would qualify the address, but nobody recorded whether "
    "the disclosure was shown when it was given (decisions.md D-46)."
)


def _undisclosed_consent(f: Facts, email: EmailEndpoint) -> str | None:
    """The field to fill in when a live email consent failed only for want of a recorded
    disclosure (2026.12.1 only: the flag is off in 2026.11.1, where None counts as shown)."""
    if not f.policy.email_consent_disclosure_required:
        return None
    if f.policy.contact_consent_endpoint_required:
        for scoped in endpoint_consents(f, ConsentKind.EMAIL, email.endpoint_id):
            if scoped.disclosure_shown is None:
                return f"person.consents[{scoped.consent_id}].disclosure_shown"
        return None
    consent = f.live_consent(ConsentKind.EMAIL, endpoint_id=email.endpoint_id)
    if consent is None or consent.disclosure_shown is not None:
        return None
    return f"person.consents[{consent.consent_id}].disclosure_shown"


def _consent_gap(f: Facts, email: EmailEndpoint) -> tuple[str, str] | None:
    """(field, explanation) when a consent would qualify the address but for a missing record:
    its disclosure (D-46) or, from 2026.12.2, the address it was given for (D-70)."""
    unknown = _undisclosed_consent(f, email)
    if unknown is not None:
        return unknown, _UNDISCLOSED
    unscoped = _unscoped_consent(f, ConsentKind.EMAIL, email.endpoint_id)
    if unscoped is not None:
        return unscoped, _UNSCOPED.format(kind="email")
    return None


def _disclosed(f: Facts, shown: bool | None) -> bool:
    """Whether an email consent's disclosure counts as shown. An unrecorded value (None) is the
    field's former default, True, in 2026.11.1; from 2026.12.1 it is not shown (fail closed,
    decisions.md D-46)."""
    if shown is None:
        return not f.policy.email_consent_disclosure_required
    return shown


def _creditor_path(f: Facts, email: EmailEndpoint) -> str | None:
    n = email.creditor_notice
    if n is None or email.employer_provided or not email.public_domain:
        return None
    if f.policy.creditor_email_path_excludes_work and email.place is PlaceKind.WORK:
        # decisions.md D-73: an address recorded at work is one the collector should know may
        # be employer-provided; the creditor path never reaches it.
        return None
    complete = (
        n.discloses_transfer
        and n.discloses_address_and_use
        and n.discloses_others_may_see
        and n.gives_opt_out_instructions
    )
    deadline_ok = n.opt_out_deadline >= n.sent_at + timedelta(days=35)
    if (
        email.creditor_obtained_from_consumer
        and email.creditor_used_for_account
        and complete
        and deadline_ok
        and n.opt_out_deadline < f.t
        and n.opted_out_at is None
    ):
        return "the creditor's notice and 35-day opt-out period were completed"
    return None


def email_procedure(f: Facts, email: EmailEndpoint) -> str | None:
    found = _path_i(f, email) or _creditor_path(f, email)
    if found is None and email.prior_collector_qualified:
        found = "a prior collector's use of the address met the procedures"
    return found


def _email_endpoint(f: Facts) -> EmailEndpoint | None:
    return f.endpoint if isinstance(f.endpoint, EmailEndpoint) else None


EMAIL_PROC = RuleDef(
    "FED-EMAIL-PROC",
    pack=FED,
    citation="1006.6(d)(3),(d)(4)(i)-(iii) [V partial + S]",
    reads=("endpoints[email]", "person.consents"),
    applies=fed_channel(Channel.EMAIL),
    channels=scope.EMAIL,
)


@EMAIL_PROC.check
def check_email_proc(f: Facts) -> RuleResult:
    email = _email_endpoint(f)
    if email is None:
        return EMAIL_PROC.missing_data("proposal.endpoint_id")
    if email.third_party_disclosure_at is not None:
        return EMAIL_PROC.block("Blocked: an earlier email to this address reached a third party.")
    path = email_procedure(f, email)
    gap = _consent_gap(f, email) if path is None else None
    if gap is not None:
        return EMAIL_PROC.missing_data(gap[0], explanation=gap[1])
    if path is None:
        return EMAIL_PROC.block(
            "Blocked: the address meets none of the 1006.6(d)(4) procedures "
            "(consumer use or consent, creditor notice, prior collector)."
        )
    return EMAIL_PROC.allow(f"Email procedure met: {path}.")


WORK_EMAIL = RuleDef(
    "FED-WORK-EMAIL",
    pack=FED,
    citation="1006.22(f)(3) [V via official comment 22(f)(3)-1]",
    reads=("endpoints[email].employer_provided",),
    applies=lambda f: (
        fed_channel(Channel.EMAIL)(f)
        and isinstance(f.endpoint, EmailEndpoint)
        and f.endpoint.employer_provided
    ),
    channels=scope.EMAIL,
)


@WORK_EMAIL.check
def check_work_email(f: Facts) -> RuleResult:
    # decisions.md D-01: (f)(3) is employer-provided email; (f)(4) is social media.
    email = _email_endpoint(f)
    if email is None:
        return WORK_EMAIL.missing_data("proposal.endpoint_id")
    path = _path_i(f, email)
    if path is None and email.prior_collector_qualified:
        path = "a prior collector qualified the address"
    gap = _consent_gap(f, email) if path is None else None
    if gap is not None:
        return WORK_EMAIL.missing_data(gap[0], explanation=gap[1])
    if path is None:
        return WORK_EMAIL.block(
            "Blocked: the address is provided by the person's employer and the person has not "
            "used it with us or consented to it."
        )
    return WORK_EMAIL.allow(f"Employer-provided address usable: {path}.")


# --- FED-TEXT-PROC --------------------------------------------------------------------------

TEXT_PROC = RuleDef(
    "FED-TEXT-PROC",
    pack=FED,
    citation="1006.6(d)(5)(i),(ii) [V partial]",
    reads=(
        "endpoints[phone].last_inbound_text_at",
        "endpoints[phone].reassigned_check",
        "consents",
    ),
    applies=fed_channel(Channel.SMS),
    channels=scope.SMS,
)


def _recent(at: datetime | None, now: datetime) -> bool:
    return at is not None and now - timedelta(days=60) <= at <= now


def _db_clear_since(phone: PhoneEndpoint, since: datetime | None, now: datetime) -> bool:
    check = phone.reassigned_check
    return (
        check is not None
        and check.result == "no_reassignment"
        and _recent(check.checked_at, now)
        and (since is None or check.checked_at >= since)
    )


def _text_path(f: Facts, phone: PhoneEndpoint) -> str | None:
    last_in = phone.last_inbound_text_at
    if phone.first_inbound_text_at is not None and (
        _recent(last_in, f.t) or _db_clear_since(phone, last_in, f.t)
    ):
        return "the person texted us from this number and it is not reassigned"
    if f.policy.contact_consent_endpoint_required:
        for scoped in endpoint_consents(f, ConsentKind.TEXT, phone.endpoint_id):
            if _recent(scoped.renewed_at or scoped.given_at, f.t) or _db_clear_since(
                phone, None, f.t
            ):
                return f"consent {scoped.consent_id} is recent or the number was checked"
        return None
    consent = f.live_consent(ConsentKind.TEXT, endpoint_id=phone.endpoint_id)
    if consent is not None and (
        _recent(consent.renewed_at or consent.given_at, f.t) or _db_clear_since(phone, None, f.t)
    ):
        return f"consent {consent.consent_id} is recent or the number was checked"
    return None


@TEXT_PROC.check
def check_text_proc(f: Facts) -> RuleResult:
    # The prior-collector prong is [M] in the reference and is not implemented: fail closed.
    phone = f.endpoint if isinstance(f.endpoint, PhoneEndpoint) else None
    if phone is None:
        return TEXT_PROC.missing_data("proposal.endpoint_id")
    path = _text_path(f, phone)
    unscoped = _unscoped_consent(f, ConsentKind.TEXT, phone.endpoint_id) if path is None else None
    if unscoped is not None:
        return TEXT_PROC.missing_data(unscoped, explanation=_UNSCOPED.format(kind="text"))
    if path is None:
        return TEXT_PROC.block(
            "Blocked: no text in the last 60 days from this number, no recent consent, and no "
            "recent reassigned-number check."
        )
    return TEXT_PROC.allow(f"Text procedure met: {path}.")


# --- FED-SOCIAL and FED-MAIL-FORM -----------------------------------------------------------

SOCIAL = RuleDef(
    "FED-SOCIAL",
    pack=FED,
    citation="1006.22(f)(4) [V]",
    reads=("endpoints[social].visibility",),
    applies=fed_channel(Channel.SOCIAL_DM),
    channels=scope.SOCIAL,
)


@SOCIAL.check
def check_social(f: Facts) -> RuleResult:
    social = f.endpoint if isinstance(f.endpoint, SocialEndpoint) else None
    if social is None or social.visibility is None:
        return SOCIAL.missing_data("endpoints[social].visibility")
    if social.visibility != "private":
        return SOCIAL.block(
            f"Blocked: the message would be visible to the {social.visibility} on social media."
        )
    return SOCIAL.ok("A private message: not visible to the public or the person's contacts.")


_ENVELOPE_ALLOWED = frozenset(EnvelopeItem) - {EnvelopeItem.OTHER}

MAIL_FORM = RuleDef(
    "FED-MAIL-FORM",
    pack=FED,
    citation="1692f(7),(8) [V]; 1006.22(f)(1),(2) [S]; comment 22(f)(2)-1 [V]",
    reads=("proposal.content.meta.postcard", "proposal.content.meta.envelope_items"),
    applies=fed_channel(Channel.LETTER),
    channels=scope.LETTER,
)


@MAIL_FORM.check
def check_mail_form(f: Facts) -> RuleResult:
    meta = f.proposal.content.meta
    if meta.postcard:
        return MAIL_FORM.block("Blocked: debt collectors may not communicate by postcard.")
    if meta.envelope_items is None:
        return MAIL_FORM.missing_data("proposal.content.meta.envelope_items")
    extra = meta.envelope_items - _ENVELOPE_ALLOWED
    words = debt_words(meta.envelope_text)
    if extra or words:
        return MAIL_FORM.block(
            "Blocked: the envelope shows more than the collector's address, a neutral business "
            "name and the permitted postal items.",
            {"extra_items": sorted(extra), "debt_words": words},
        )
    return MAIL_FORM.ok("The envelope carries only permitted items.")


# --- FED-LCM --------------------------------------------------------------------------------

LCM_REQUIRED = frozenset(
    {
        LcmItem.BUSINESS_NAME,
        LcmItem.REPLY_REQUEST,
        LcmItem.NATURAL_PERSON_NAME,
        LcmItem.CALLBACK_NUMBER,
    }
)
LCM_OPTIONAL = frozenset(
    {
        LcmItem.SALUTATION,
        LcmItem.DATE_TIME,
        LcmItem.SUGGESTED_REPLY_TIMES,
        LcmItem.ANY_REPRESENTATIVE,
    }
)


def _lcm_defects(f: Facts) -> list[str]:
    """Why a voicemail is not a limited-content message (1006.2(j)); [] when it is one.

    The metadata declares the items; the text, when present, must agree: required items are
    found and no debt-revealing words appear (decisions.md D-17)."""
    meta, collector = f.proposal.content.meta, f.ctx.collector
    items = meta.lcm_items
    if items is None:
        return ["no LCM item list in the template metadata"]
    defects = [f"missing {i.value}" for i in sorted(LCM_REQUIRED - items)]
    defects += [f"extra item {i.value}" for i in sorted(items - LCM_REQUIRED - LCM_OPTIONAL)]
    name = collector.lcm_business_name or collector.business_name
    v2 = f.policy.debt_words_v2  # 2026.12.2: extended words and the creditor's name (D-76)
    if (debt_words_v2 if v2 else debt_words)(name):
        defects.append("the business name indicates debt collection")
    text = f.proposal.content.text
    if text is not None:
        found = f.content
        words = found.reveals_debt(revealing_creditor(collector)) if v2 else found.debt_words
        defects += [f"reveals the debt ({w})" for w in words]
        if not mentions(name, text):
            defects.append("the business name is not in the message")
        if not found.reply_request:
            defects.append("no request to reply")
        if not found.callback_number:
            defects.append("no callback number")
    return defects


def lcm_defects(f: Facts) -> list[str]:
    return memo(f, "lcm_defects", _lcm_defects)


def is_lcm(f: Facts) -> bool:
    return f.channel is Channel.VOICEMAIL and not lcm_defects(f)


LCM = RuleDef(
    "FED-LCM",
    pack=FED,
    citation="1006.2(j) [S]",
    reads=("proposal.content", "collector.lcm_business_name", "endpoints[phone].owner_confirmed"),
    applies=fed_channel(Channel.VOICEMAIL),
    channels=scope.VOICEMAIL,
)


@LCM.check
def check_lcm(f: Facts) -> RuleResult:
    defects = lcm_defects(f)
    if not defects:
        return LCM.ok("A limited-content message: an attempt, not a communication.")
    phone = f.endpoint if isinstance(f.endpoint, PhoneEndpoint) else None
    private_line = phone is not None and phone.owner_confirmed
    inputs = {"defects": defects}
    if private_line and f.ctx.person.rpc is RpcState.VERIFIED:
        return LCM.review(
            "Human review: the voicemail is not a limited-content message ("
            + "; ".join(defects)
            + "), so it is a communication; accept the third-party risk on this private line.",
            inputs,
        )
    return LCM.block(
        "Blocked: the voicemail is not a limited-content message (" + "; ".join(defects) + ").",
        inputs,
    )


RULES = (
    MEDIUM_OPTOUT,
    EOPT_NOTICE,
    EMAIL_PROC,
    TEXT_PROC,
    WORK_EMAIL,
    SOCIAL,
    MAIL_FORM,
    LCM,
)


# === Pack version 2026.12.2 ===================================================================
# The rules below replace those of the same id in 2026.12.1 (packs.V2026_12_2); the ones above
# stay as released so recorded decisions replay.

# --- FED-MEDIUM-OPTOUT: one confirmation, counted from the history (D-75) ------------------

MEDIUM_OPTOUT_V2 = RuleDef(
    "FED-MEDIUM-OPTOUT",
    pack=FED,
    citation=MEDIUM_OPTOUT.citation,
    reads=(*MEDIUM_OPTOUT.reads, "approvals"),
    applies=MEDIUM_OPTOUT.applies,
)


def confirmation_already_sent(f: Facts, optouts: list[MediumOptOut]) -> bool:
    """decisions.md D-75: whether the one confirmation of 1006.14(h)(2)(i) has gone out: a
    recorded `confirmation_sent_at`, an outbound OPT_OUT_CONFIRMATION in this medium since the
    earliest opt-out (not reported as failed to connect), or an outstanding approval in this
    medium since then (its template is unknown: fail closed)."""
    if any(o.confirmation_sent_at is not None and o.confirmation_sent_at <= f.t for o in optouts):
        return True
    since, medium, pid = min(o.requested_at for o in optouts), f.medium, f.ctx.person.person_id
    for e in f.ctx.history:
        if (
            e.template_type is TemplateType.OPT_OUT_CONFIRMATION
            and e.direction == "outbound"
            and e.connected is not False
            and since <= e.at <= f.t
            and e.person_id == pid
            and CHANNEL_MEDIUM.get(e.channel) is medium
        ):
            return True
    # An approval that expired unused by the send instant sent nothing (D-75).
    return any(
        since <= a.intended_send_at
        and a.expires_at > f.t
        and CHANNEL_MEDIUM.get(a.channel) is medium
        for a in f.ctx.approvals
        if a.person_id == pid
    )


@MEDIUM_OPTOUT_V2.check
def check_medium_optout_v2(f: Facts) -> RuleResult:
    if f.template is not TemplateType.OPT_OUT_CONFIRMATION or not f.is_electronic:
        return check_medium_optout(f)
    optouts = [
        o for o in f.ctx.person.medium_optouts if o.medium is f.medium and o.requested_at <= f.t
    ]
    if optouts and confirmation_already_sent(f, optouts):
        optout = min(optouts, key=lambda o: o.requested_at)
        if one_reply_open(f, f.medium, since=optout.requested_at):
            return MEDIUM_OPTOUT.ok("One reply through the medium the person used to contact us.")
        if f.proposal.required_by_law:
            return MEDIUM_OPTOUT.ok("Other applicable law requires this medium.")
        return MEDIUM_OPTOUT_V2.block(
            f"Blocked: the one confirmation of the {f.medium} opt-out has already been sent "
            "(or is approved); no further confirmation is allowed.",
            {"medium": optouts[0].medium.value},
        )
    return check_medium_optout(f)


# --- FED-EOPT-NOTICE: opt-outs by address, and the opt-out text itself (D-71, D-74) --------

EOPT_NOTICE_V2 = RuleDef(
    "FED-EOPT-NOTICE",
    pack=FED,
    citation=EOPT_NOTICE.citation,
    reads=(*EOPT_NOTICE.reads, "endpoints[].address", "endpoints[].e164"),
    applies=EOPT_NOTICE.applies,
    channels=scope.ELECTRONIC,
)


def _address_key(endpoint: object) -> str | None:
    """decisions.md D-71: the normalised value an address opt-out is about (email lower-case;
    phone numbers are E.164 already, by the model's pattern)."""
    if isinstance(endpoint, EmailEndpoint):
        return "email:" + endpoint.address.strip().lower()
    if isinstance(endpoint, PhoneEndpoint):
        return "phone:" + endpoint.e164
    return None


def _address_opted_out(f: Facts) -> bool:
    optouts = f.ctx.person.address_optouts
    if not optouts:
        return False
    eid = f.proposal.endpoint_id
    live = [o for o in optouts if o.requested_at <= f.t]
    if any(o.endpoint_id == eid for o in live):
        return True
    key = _address_key(f.endpoint)
    endpoints = f.endpoints
    return key is not None and any(_address_key(endpoints.get(o.endpoint_id)) == key for o in live)


# decisions.md D-74: an opt-out statement that explicitly requires more than the preference and
# the address or number in order to opt out (log in, provide an account number, date of birth,
# SSN or password, pay a fee), or that says the person cannot opt out. Narrow on purpose: an
# opt-out instruction that exists is what the rule needs, so when in doubt it does not block.
# Only the sentences around the opt-out words are read, each capped at _CAP characters either
# side, so the cost is linear in the text (a long one-line email stays fast).
_CAP = 300
# A sentence ends at "!", "?", a line break, or a "." that is not between two digits ("$120.00").
_END = re.compile(r"[!?\n]|\.(?!\d)|(?<!\d)\.")
_GAP = r"[^.!?\n]{0,60}?"
_OPTV_EN = r"(?:opt(?:ing)?[ -]?out|unsubscrib\w*|stop (?:receiving|these|our|all|future))"
_ITEM_EN = (
    r"(?:password|account (?:number|no\b|#)|date of birth|birth ?date|social security|"
    r"\bssn\b|\bpin\b)"
)
_MUST_EN = (
    r"(?:must|need to|needs to|will need to|have to|has to|are required to|is required to|"
    r"required to)"
)
_PROVIDE_EN = r"(?:provide|enter|give|include|send|submit|confirm|verify|supply|type)"
_DEMAND_EN = (
    r"(?:(?:log|sign)[ -]?in\b|create an account|pay\b|"
    + _PROVIDE_EN
    + r"\b"
    + _GAP
    + _ITEM_EN
    + ")"
)
_DEMANDS_EN = re.compile(
    "|".join(
        (
            # "To opt out[ of these emails], (you must|please) log in / provide your SSN"
            r"\bto " + _OPTV_EN + r"\b(?: (?:of|from) [\w ]{0,30}?)?,?\s*"
            r"(?:you " + _MUST_EN + r"\s+|please\s+|simply\s+|just\s+|first\s+)?" + _DEMAND_EN,
            # "You must log in / provide your date of birth / pay $5 to unsubscribe"
            r"\b" + _MUST_EN + r"\s+(?:first\s+)?" + _DEMAND_EN + _GAP + r"\bto " + _OPTV_EN,
            # "Your account number is required to opt out", "Opting out requires a login"
            r"\b(?:(?:log|sign)[ -]?in|" + _ITEM_EN + r"|fee|payment)s?\s+(?:is|are)\s+"
            r"(?:required|needed|necessary)\s+(?:to|for)\s+" + _OPTV_EN,
            _OPTV_EN
            + r"\s+requires?\s+(?:your\s+|a\s+|an\s+)?(?:(?:log|sign)[ -]?in|"
            + _ITEM_EN
            + r"|fee|payment)",
            # A fee for the opt-out itself: "a $2 fee applies", "a fee to unsubscribe"
            r"\b(?:a|an|the)\s+(?:\$?\d[\d.,]*\s+)?(?:(?:opt[ -]?out|unsubscribe|processing|"
            r"cancellation|service)\s+)?(?:fee|charge)\s+(?:applies|will apply|is required|"
            r"will be charged|is charged)",
            r"\b(?:fee|charge)s?\s+(?:to|for)\s+" + _OPTV_EN,
        )
    )
)
_NEG_EN = re.compile(
    r"\b(?:cannot|can ?not|can[\'\u2019]t|unable to|may not|not (?:be )?able to|no way to)\s+"
    r"(?:opt[ -]?out|unsubscribe)|\bopt(?:ing)?[ -]?out (?:is|are) not (?:possible|available)"
)
_OPTV_ES = r"(?:darse de baja|d[eé]se de baja|cancelar (?:la |su )?suscripci[oó]n|dejar de recibir)"
_ITEM_ES = r"(?:contrase[nñ]a|n[uú]mero de cuenta|fecha de nacimiento|seguro social)"
_PROVIDE_ES = (
    r"(?:indique|proporcione|ingrese|env[ií]e|escriba|d[eé]|confirme|verifique|indicar|"
    r"proporcionar|ingresar|enviar|dar|confirmar|verificar)"
)
_DEMAND_ES = (
    r"(?:inici(?:e|ar) sesi[oó]n|" + _PROVIDE_ES + r"\b" + _GAP + _ITEM_ES + r"|pag(?:ar|ue)\b)"
)
_MUST_ES = r"(?:debe|tiene que|necesita|deber[aá]|se requiere)"
_DEMANDS_ES = re.compile(
    r"\bpara "
    + _OPTV_ES
    + r"\b(?: de [\w ]{0,30}?)?,?\s*(?:(?:usted )?"
    + _MUST_ES
    + r"\s+)?"
    + _DEMAND_ES
    + r"|\b"
    + _MUST_ES
    + r"\s+"
    + _DEMAND_ES
    + _GAP
    + r"\bpara "
    + _OPTV_ES
    + r"|\b(?:un|una|el|la)\s+(?:cargo|tarifa|cuota)\s+(?:de\s+\$?\d[\d.,]*\s+)?(?:para|por)\s+"
    + _OPTV_ES
)
_NEG_ES = re.compile(r"\bno (?:puede|podr[aá]|es posible) (?:darse de baja|cancelar)")
# Where the opt-out words are (the sentences read), and the negations that lift a demand
# ("no login required", "you don't need to sign in", "sin cargo").
_OPT_AT = {
    "en": re.compile(_OPTV_EN + r"|\b(?:reply|text|send) stop"),
    "es": re.compile(_OPTV_ES + r"|\bresponda (?:stop|alto)"),
}
_OPT_NEEDLES = {
    "en": ("opt", "unsub", "stop"),
    "es": ("baja", "suscrip", "recibir", "stop", "alto"),
}
_DEMANDS = {"en": _DEMANDS_EN, "es": _DEMANDS_ES}
_DENIALS = {"en": _NEG_EN, "es": _NEG_ES}
_NEGATION = {
    "en": re.compile(r"\b(?:no|not|never|without|none|nor)\b|n[\'\u2019]t\b"),
    "es": re.compile(r"\b(?:no|sin|nunca|ni)\b"),
}


def _sentence_at(low: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence around low[start:end], at most _CAP characters either side."""
    lo = max(0, start - _CAP)
    lo = max((m.end() for m in _END.finditer(low, lo, start)), default=lo)
    nxt = _END.search(low, end, end + _CAP)
    return lo, nxt.start() if nxt else min(len(low), end + _CAP)


def _sentence_defect(sentence: str, language: str) -> bool:
    if _DENIALS[language].search(sentence):
        return True
    negation = _NEGATION[language]
    for m in _DEMANDS[language].finditer(sentence):
        if not negation.search(sentence, max(0, m.start() - 40), m.end()):
            return True
    return False


def opt_out_defect(f: Facts) -> bool:
    """Whether the message's opt-out text explicitly demands extra information or a fee in
    order to opt out, or denies the opt-out (decisions.md D-74)."""
    text = f.proposal.content.text
    language = f.proposal.content.language
    locate = _OPT_AT.get(language)
    if not text or locate is None:
        return False
    low = text.lower()
    if not any(n in low for n in _OPT_NEEDLES[language]):
        return False
    done = -1
    for m in locate.finditer(low):
        if m.start() < done:  # already read with the sentence before
            continue
        lo, hi = _sentence_at(low, m.start(), m.end())
        done = hi
        if _sentence_defect(low[lo:hi], language):
            return True
    return False


@EOPT_NOTICE_V2.check
def check_eopt_notice_v2(f: Facts) -> RuleResult:
    confirmation = f.template is TemplateType.OPT_OUT_CONFIRMATION
    if not confirmation and _address_opted_out(f):
        return EOPT_NOTICE_V2.block(
            "Blocked: the person opted out of electronic messages to this address or number.",
            {"endpoint_id": f.proposal.endpoint_id},
        )
    if not f.proposal.content.meta.opt_out_requires_extra_info and opt_out_defect(f):
        return EOPT_NOTICE_V2.block(
            "Blocked: the opt-out text asks for a fee or information beyond the preference and "
            "the address or number (a login, account number, date of birth), or says the "
            "person cannot opt out."
        )
    return check_eopt_notice(f)  # also blocks on the template's opt_out_requires_extra_info


# 2026.12.1 rule -> its 2026.12.2 replacement (same position in the pack; packs.V2026_12_2).
REPLACED_IN_2026_12_2: dict[RuleDef, RuleDef] = {
    MEDIUM_OPTOUT: MEDIUM_OPTOUT_V2,
    EOPT_NOTICE: EOPT_NOTICE_V2,
}
