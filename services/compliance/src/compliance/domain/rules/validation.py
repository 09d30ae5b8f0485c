"""Reference section 2e: validation, disputes and delivery (pack FED)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from compliance.domain.context import Channel, ConsentKind, Debt, Dispute, Medium, TemplateType
from compliance.domain.facts import Facts
from compliance.domain.results import Obligation, ObligationKind, RuleDef, RuleResult, guarded
from compliance.domain.rules import scope
from compliance.domain.rules.channels import is_lcm
from compliance.domain.rules.common import fed_contact
from compliance.domain.rules.deadlines import TextDeadlines, text_deadlines
from compliance.domain.timezones import local_date, validation_period_end

FED = "FED"

# Messages that do not collect: allowed while a debt is paused for a dispute or an
# original-creditor request (1006.38(c),(d)(2)).
NON_COLLECTION = frozenset(
    {
        TemplateType.VERIFICATION,
        TemplateType.DUPLICATIVE_DISPUTE_NOTICE,
        TemplateType.NON_COLLECTION,
        TemplateType.OC_INFORMATION,
    }
)

VN_ELEMENTS = frozenset(
    {
        "debt_collector_disclosure",  # (c)(1)
        "collector_name_and_dispute_address",  # (c)(2)
        "consumer_name_and_address",
        "itemization_date_creditor",
        "account_number",
        "current_creditor",
        "itemization_date",
        "amount_on_itemization_date",
        "itemization_since",
        "current_amount",
        "validation_period_end_dispute_statement",  # (c)(3)
        "validation_period_end_oc_statement",
        "assume_valid_statement",
        "cfpb_website_reference",
        "tear_off_dispute_prompts",  # (c)(4)
        "tear_off_oc_prompt",
        "tear_off_addresses",
    }
)
VN_ELECTRONIC_ELEMENTS = frozenset({"electronic_dispute_statement"})


def _latest_local_date(f: Facts, debt: Debt) -> date | None:
    provided = debt.validation_notice_provided_at
    if provided is None:
        return None
    if not f.zones:
        return provided.date()
    return max(local_date(provided, z) for z in f.zones)


# No validation period runs longer than this after the notice is provided (5 business days,
# at most 9 calendar days with a holiday week, plus 30): a cheap first test.
_LONGEST_PERIOD = timedelta(days=45)


def period_end(f: Facts, debt: Debt) -> date | None:
    """FED-VN-PERIOD. A recorded end later than the computed one is the collector's choice and
    is kept; an earlier one is wrong and is replaced by the computed end (decisions.md D-13)."""
    provided = _latest_local_date(f, debt)
    if provided is None:
        return debt.validation_period_end
    computed = validation_period_end(provided)
    recorded = debt.validation_period_end
    return max(computed, recorded) if recorded else computed


def _send_day(f: Facts) -> date:
    return min(f.send_days, default=f.t.date())


def in_validation_period(f: Facts, debt: Debt) -> bool:
    provided, recorded = debt.validation_notice_provided_at, debt.validation_period_end
    if provided is None:
        return False
    if provided + _LONGEST_PERIOD < f.t and (recorded is None or recorded < _send_day(f)):
        return False
    end = period_end(f, debt)
    return (
        debt.validation_notice_provided_at is not None and end is not None and _send_day(f) <= end
    )


def _dispute_within(f: Facts, debt: Debt, dispute: Dispute) -> bool:
    if dispute.within_validation_period is not None:
        return dispute.within_validation_period
    return _computed_within(f, debt, dispute)


def _computed_within(f: Facts, debt: Debt, dispute: Dispute) -> bool:
    end = period_end(f, debt)
    if end is None:
        return True  # unknown period: fail closed, treat the dispute as timely
    received = min((local_date(dispute.received_at, z) for z in f.zones), default=None)
    return (received or dispute.received_at.date()) <= end


# --- FED-VN-TIMING --------------------------------------------------------------------------

VN_TIMING = RuleDef(
    "FED-VN-TIMING",
    pack=FED,
    citation="1692g(a) [V]; 1006.34(a)(1)(i)(A),(B),(ii) [V partial]",
    reads=("debts[].initial_communication_at", "debts[].validation_notice_provided_at"),
    applies=guarded(
        fed_contact,
        lambda f: (
            f.to_consumer
            and any(
                d.validation_notice_provided_at is None and not d.paid_in_full
                for d in f.proposal_debts
            )
        ),
    ),
)


# decisions.md D-28: an overdue VN blocks further collection outreach (policy).
def _vn_status(f: Facts, debt: Debt) -> tuple[str, Obligation | None]:
    if debt.validation_notice_provided_at is not None or debt.paid_in_full:
        return "ok", None
    if f.template is TemplateType.VN:
        return "ok", None
    first = debt.initial_communication_at
    # decisions.md D-14: "within five days" is calendar days, not business days.
    due = (first if first is not None and first < f.t else f.t) + timedelta(days=5)
    if f.t > due:
        return "overdue", None
    text = f"send the validation notice for {debt.debt_id} by {due.isoformat()}"
    return "due", Obligation(f"vn_due:{debt.debt_id}", text, ObligationKind.DUTY, False, due)


@VN_TIMING.check
def check_vn_timing(f: Facts) -> RuleResult:
    if is_lcm(f):
        return VN_TIMING.ok("A limited-content message is not a communication.")
    statuses = [(d.debt_id, *_vn_status(f, d)) for d in f.proposal_debts]
    overdue = [i for i, s, _ in statuses if s == "overdue"]
    if overdue and f.template not in NON_COLLECTION:
        return VN_TIMING.block(
            "Blocked (policy): the validation notice for "
            + ", ".join(overdue)
            + " is overdue; send it before further collection outreach."
        )
    duties = tuple(o for _, _, o in statuses if o is not None)
    if duties:
        return VN_TIMING.require({}, duties=duties)
    return VN_TIMING.ok("The validation notice is provided or goes out in this message.")


# --- FED-VN-CONTENT and FED-VN-PERIOD ------------------------------------------------------

VN_CONTENT = RuleDef(
    "FED-VN-CONTENT",
    pack=FED,
    citation="1006.34(c),(d) [V partial; M for the full list]",
    reads=("proposal.content.meta.vn_elements",),
    applies=guarded(fed_contact, lambda f: f.template is TemplateType.VN),
)


@VN_CONTENT.check
def check_vn_content(f: Facts) -> RuleResult:
    required = VN_ELEMENTS | (VN_ELECTRONIC_ELEMENTS if f.is_electronic else frozenset())
    present = f.proposal.content.meta.vn_elements
    return VN_CONTENT.require({e: (e.replace("_", " "), e in present) for e in sorted(required)})


VN_PERIOD = RuleDef(
    "FED-VN-PERIOD",
    pack=FED,
    citation="1006.34(b)(5) [V/S]",
    reads=(
        "proposal.content.meta.validation_period_end_stated",
        "debts[].validation_notice_provided_at",
    ),
    applies=guarded(fed_contact, lambda f: f.template is TemplateType.VN),
)


@VN_PERIOD.check
def check_vn_period(f: Facts) -> RuleResult:
    stated = f.proposal.content.meta.validation_period_end_stated
    if stated is None:
        return VN_PERIOD.missing_data("proposal.content.meta.validation_period_end_stated")
    send_day = max((local_date(f.t, z) for z in f.zones), default=f.t.date())
    earliest = validation_period_end(send_day)
    inputs = {"stated": stated.isoformat(), "earliest_lawful": earliest.isoformat()}
    if stated < earliest:
        return VN_PERIOD.block(
            f"Blocked: the notice states {stated.isoformat()} as the end of the validation "
            f"period; it cannot end before {earliest.isoformat()} (5 business days for receipt "
            "plus 30 days).",
            inputs,
        )
    return VN_PERIOD.allow("The stated validation-period end date is not too early.", inputs)


# --- FED-OVERSHADOW -------------------------------------------------------------------------

OVERSHADOW = RuleDef(
    "FED-OVERSHADOW",
    pack=FED,
    citation="1692g(b) [V]; 1006.38(b)(1) [V]",
    reads=("proposal.content", "debts[].validation_period_end"),
    applies=guarded(
        fed_contact,
        lambda f: (
            f.to_consumer
            and f.template not in NON_COLLECTION
            and any(in_validation_period(f, d) for d in f.proposal_debts)
        ),
    ),
)


@OVERSHADOW.check
def check_overshadow(f: Facts) -> RuleResult:
    ends = [e for d in f.proposal_debts if in_validation_period(f, d) and (e := period_end(f, d))]
    deadline = f.proposal.content.meta.payment_deadline
    if deadline is not None and ends and deadline < max(ends):
        return OVERSHADOW.block(
            f"Blocked: a payment deadline of {deadline.isoformat()} falls before the end of the "
            "validation period and overshadows the right to dispute."
        )
    words = f.content.urgency_words
    if words:
        return OVERSHADOW.review(
            "Human review: urgent wording during the validation period may overshadow the "
            "dispute rights (" + ", ".join(words) + ")."
        )
    return OVERSHADOW.ok("No deadline or urgency that overshadows the validation rights.")


# --- FED-DISPUTE-HOLD, FED-DISPUTE-LATE, FED-OC-HOLD ----------------------------------------


# Media through which a dispute can only arrive in writing (decisions.md D-68). The model has
# no portal medium: a portal dispute is recorded as email or by its `written` flag.
_WRITTEN_MEDIA = frozenset({Medium.MAIL, Medium.EMAIL, Medium.TEXT, Medium.SOCIAL})


def _written_dispute(f: Facts, d: Dispute) -> bool:
    """From 2026.12.2 (switch `dispute_written_by_medium`, decisions.md D-68) a dispute received
    through a written medium is written whatever its flag says, as D-53 does for cease notices."""
    if d.written:
        return True
    return f.policy.dispute_written_by_medium and d.medium in _WRITTEN_MEDIA


def _timely_dispute(f: Facts, debt: Debt, d: Dispute) -> bool:
    """From 2026.12.2 (switch `dispute_timely_computed`, decisions.md D-69) a recorded
    `within_validation_period=False` no longer overrides the computed receipt date: timely if
    either says so (D-13 likewise refuses an earlier recorded period end)."""
    if f.policy.dispute_timely_computed and d.within_validation_period is False:
        return _computed_within(f, debt, d)
    return _dispute_within(f, debt, d)


def _open_timely_disputes(f: Facts, debt: Debt) -> list[Dispute]:
    return [
        d
        for d in debt.disputes
        if _written_dispute(f, d)
        and d.received_at <= f.t
        and (d.verification_sent_at is None or d.verification_sent_at > f.t)
        and _timely_dispute(f, debt, d)
    ]


DISPUTE_HOLD = RuleDef(
    "FED-DISPUTE-HOLD",
    pack=FED,
    citation="1692g(b) [V]; 1006.38(d)(2)(i),(ii) [V]",
    reads=("debts[].disputes", "debts[].validation_notice_provided_at", "proposal.template_type"),
    applies=guarded(fed_contact, lambda f: "disputes" in f.debt_marks),
)


@DISPUTE_HOLD.check
def check_dispute_hold(f: Facts) -> RuleResult:
    held = [d.debt_id for d in f.proposal_debts if _open_timely_disputes(f, d)]
    if not held:
        return DISPUTE_HOLD.ok("No written, timely dispute awaits verification.")
    if f.template in NON_COLLECTION:
        return DISPUTE_HOLD.allow(
            f"Collection is paused, but a {f.template} message is allowed.", {"debts": held}
        )
    return DISPUTE_HOLD.pause(
        "Paused: the person disputed "
        + ", ".join(held)
        + " in writing within the validation period; collection stops until verification is "
        "sent.",
        {"debts": held},
    )


DISPUTE_LATE = RuleDef(
    "FED-DISPUTE-LATE",
    pack=FED,
    citation="1692e(8) [V]",
    reads=("debts[].disputes",),
    applies=lambda f: f.fed and "disputes" in f.debt_marks,
    actions=scope.CONTACT_OR_FURNISH,
)


@DISPUTE_LATE.check
def check_dispute_late(f: Facts) -> RuleResult:
    flagged = [
        debt.debt_id
        for debt in f.proposal_debts
        for d in debt.disputes
        if d.received_at <= f.t and not (d.written and _dispute_within(f, debt, d))
    ]
    if not flagged:
        return DISPUTE_LATE.ok("No oral or late dispute on file.")
    duty = Obligation(
        "mark_disputed",
        "show " + ", ".join(sorted(set(flagged))) + " as disputed in statements and reports",
        ObligationKind.DUTY,
        False,
    )
    return DISPUTE_LATE.require({}, {"debts": flagged}, duties=(duty,))


OC_HOLD = RuleDef(
    "FED-OC-HOLD",
    pack=FED,
    citation="1692g(b) [V]; 1006.38(c)(1),(2) [V]",
    reads=("debts[].oc_request_at", "debts[].oc_info_sent_at"),
    applies=guarded(fed_contact, lambda f: "oc_request" in f.debt_marks),
)


def _oc_pending(f: Facts, debt: Debt) -> bool:
    asked = debt.oc_request_at
    if asked is None or asked > f.t or not debt.oc_request_written:
        return False
    if debt.oc_info_sent_at is not None and debt.oc_info_sent_at <= f.t:
        return False
    end = period_end(f, debt)
    if end is None:
        return True  # unknown period: fail closed, treat the request as timely
    if f.policy.oc_request_local_date:
        # decisions.md D-54 (2026.12.1): the earliest local date of receipt in any candidate
        # zone, as for disputes (FED-DISPUTE-HOLD); 2026.11.1 used the UTC date, so a request
        # received on the last evening of the period in the Americas was read as late.
        return _received_day(f, asked) <= end
    return asked.date() <= end


def _received_day(f: Facts, received: datetime) -> date:
    return min((local_date(received, z) for z in f.zones), default=received.date())


@OC_HOLD.check
def check_oc_hold(f: Facts) -> RuleResult:
    held = [d.debt_id for d in f.proposal_debts if _oc_pending(f, d)]
    if not held or f.template in NON_COLLECTION:
        return OC_HOLD.ok("No unanswered original-creditor request blocks this message.")
    return OC_HOLD.pause(
        "Paused: the person asked in writing for the original creditor's name and address for "
        + ", ".join(held)
        + "; collection stops until it is sent.",
        {"debts": held},
    )


# --- FED-DELIVERY ---------------------------------------------------------------------------

# decisions.md D-32: oral VN in a call is allowed; other disclosures need a keepable form.
_REQUIRED_DISCLOSURES = frozenset(
    {TemplateType.VN, TemplateType.OC_INFORMATION, TemplateType.VERIFICATION}
)

DELIVERY = RuleDef(
    "FED-DELIVERY",
    pack=FED,
    citation="1006.42(a)(1),(a)(2),(b) [V]",
    reads=(
        "proposal.channel",
        "person.consents[esign]",
        "proposal.content.meta.delivery_method_ok",
    ),
    applies=guarded(fed_contact, lambda f: f.template in _REQUIRED_DISCLOSURES),
)


@DELIVERY.check
def check_delivery(f: Facts) -> RuleResult:
    if f.channel is Channel.LETTER:
        return DELIVERY.ok("Mailed in writing: the consumer can keep it.")
    if f.channel is Channel.CALL and f.template is TemplateType.VN:
        return DELIVERY.ok("Validation information may be given orally in the initial call.")
    if not f.is_electronic:
        return DELIVERY.block(
            f"Blocked: a {f.template} must be delivered in writing or electronically in a form "
            "the consumer can keep."
        )
    esign = f.live_consent(ConsentKind.ESIGN, endpoint_id=f.proposal.endpoint_id)
    ok = esign is not None or f.proposal.content.meta.delivery_method_ok
    return DELIVERY.require(
        {"delivery_method_ok": ("E-SIGN consent or a 1006.42(c) delivery method", ok)}
    )


RULES = (
    VN_TIMING,
    VN_CONTENT,
    VN_PERIOD,
    OVERSHADOW,
    DISPUTE_HOLD,
    DISPUTE_LATE,
    OC_HOLD,
    DELIVERY,
)


# === Pack version 2026.12.2 ===================================================================
# The rules below replace those of the same id in 2026.12.1 (packs.V2026_12_2); the ones above
# stay as released so recorded decisions replay.

# --- FED-OVERSHADOW on the notice itself and deadlines in the text (D-66, D-67) ------------

OVERSHADOW_V2 = RuleDef(
    "FED-OVERSHADOW",
    pack=FED,
    citation=OVERSHADOW.citation,
    reads=(*OVERSHADOW.reads, "proposal.content.meta.validation_period_end_stated"),
    applies=guarded(
        fed_contact,
        lambda f: (
            f.to_consumer
            and f.template not in NON_COLLECTION
            and (
                f.template is TemplateType.VN
                or any(in_validation_period(f, d) for d in f.proposal_debts)
            )
        ),
    ),
)


def _vn_own_end(f: Facts) -> date:
    """decisions.md D-66: the validation notice starts the period it states. Its end is the
    later of the stated end and the earliest lawful one (the latest local send date + 5
    business days + 30 days, as FED-VN-PERIOD), so a deadline before either overshadows."""
    send_day = max((local_date(f.t, z) for z in f.zones), default=f.t.date())
    computed = validation_period_end(send_day)
    stated = f.proposal.content.meta.validation_period_end_stated
    return max(computed, stated) if stated else computed


def _overshadow_end(f: Facts) -> date | None:
    ends = [e for d in f.proposal_debts if in_validation_period(f, d) and (e := period_end(f, d))]
    if f.template is TemplateType.VN:
        ends.append(_vn_own_end(f))
    return max(ends, default=None)


def _first_before(dates: Iterable[date], send_day: date, end: date) -> date | None:
    """The earliest date in [send_day, end): a date before the send day states history
    ("amount due on October 1"), not a deadline."""
    return min((d for d in dates if send_day <= d < end), default=None)


def _overshadow_deadline(
    f: Facts, send_day: date, end: date
) -> tuple[date | None, TextDeadlines]:
    """The earliest demanded deadline (metadata or text) before `end`, and what the text
    states. The metadata deadline is read as 2026.12.1 read it (any date before `end`)."""
    meta_deadline = f.proposal.content.meta.payment_deadline
    text = f.proposal.content.text
    stated = text_deadlines(text, send_day) if text else TextDeadlines()
    found = _first_before(stated.demands, send_day, end)
    if meta_deadline is not None and meta_deadline < end:
        found = min(found, meta_deadline) if found else meta_deadline
    return found, stated


@OVERSHADOW_V2.check
def check_overshadow_v2(f: Facts) -> RuleResult:
    end = _overshadow_end(f)
    if end is None:  # defensive: the rule applies only with a period or on the notice itself
        return OVERSHADOW_V2.ok("No validation period runs for this message.")
    send_day = _send_day(f)
    deadline, stated = _overshadow_deadline(f, send_day, end)
    if deadline is not None:  # the same words as 2026.12.1 for a deadline it found too
        return OVERSHADOW_V2.block(
            f"Blocked: a payment deadline of {deadline.isoformat()} falls before the end of the "
            "validation period and overshadows the right to dispute."
        )
    words = f.content.urgency_words
    if words:
        return OVERSHADOW_V2.review(
            "Human review: urgent wording during the validation period may overshadow the "
            "dispute rights (" + ", ".join(words) + ")."
        )
    instalment = _first_before(stated.plan_instalments, send_day, end)
    if instalment is not None:
        return OVERSHADOW_V2.review(
            f"Human review: a plan instalment due {instalment.isoformat()} falls before the end "
            "of the validation period; check the plan is one the consumer chose and the message "
            "does not overshadow the right to dispute."
        )
    maybe = _first_before(stated.uncertain, send_day, end)
    if maybe is not None:
        return OVERSHADOW_V2.review(
            f"Human review: the message names {maybe.isoformat()}, before the end of the "
            "validation period, next to a payment or an offer; check it is not a deadline that "
            "overshadows the right to dispute."
        )
    if stated.unreadable:
        return OVERSHADOW_V2.review(
            "Human review: the message states a payment deadline during the validation period "
            "that could not be read as a date; check it does not fall before "
            f"{end.isoformat()}."
        )
    return OVERSHADOW_V2.ok("No deadline or urgency that overshadows the validation rights.")


# --- FED-DELIVERY: oral validation information only in the initial communication (D-72) ----

DELIVERY_V2 = RuleDef(
    "FED-DELIVERY",
    pack=FED,
    citation=DELIVERY.citation,  # the oral-delivery limit is 1006.34(a)(1)(i)(A),(B)
    reads=(*DELIVERY.reads, "debts[].initial_communication_at"),
    applies=DELIVERY.applies,
)


def _oral_too_late(f: Facts) -> list[str]:
    """decisions.md D-72: the debts whose initial communication happened before this call and
    whose validation notice is not yet provided: it can no longer be given orally."""
    return [
        d.debt_id
        for d in f.proposal_debts
        if d.validation_notice_provided_at is None
        and d.initial_communication_at is not None
        and d.initial_communication_at < f.t
    ]


@DELIVERY_V2.check
def check_delivery_v2(f: Facts) -> RuleResult:
    if f.channel is Channel.CALL and f.template is TemplateType.VN:
        late = _oral_too_late(f)
        if late:
            return DELIVERY_V2.block(
                "Blocked: validation information may be given orally only in the initial "
                "communication, which already took place for " + ", ".join(late) + "; send the "
                "notice in writing or electronically, within five days of that communication.",
                {"debts": late},
            )
    return check_delivery(f)


# 2026.12.1 rule -> its 2026.12.2 replacement (same position in the pack; packs.V2026_12_2).
REPLACED_IN_2026_12_2: dict[RuleDef, RuleDef] = {
    OVERSHADOW: OVERSHADOW_V2,
    DELIVERY: DELIVERY_V2,
}
