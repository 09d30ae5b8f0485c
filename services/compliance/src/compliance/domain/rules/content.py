"""Reference section 2d: content and disclosures (pack FED).

Text is judged with the documented patterns in `compliance.domain.lexicon`; where no text
exists, the template metadata flags in `ContentMeta` stand in.
"""

from __future__ import annotations

from compliance.domain.context import ActionKind, Channel, Debt, RemedyKind, TemplateType
from compliance.domain.facts import WRITTEN_CHANNELS, Facts
from compliance.domain.lexicon import ContentFindings, mentions
from compliance.domain.results import RuleDef, RuleResult, guarded
from compliance.domain.rules import scope
from compliance.domain.rules.channels import is_lcm
from compliance.domain.rules.common import fed_call, fed_contact

FED = "FED"

# Templates outside the disclosure duty: formal pleadings (1006.18(e)(3)), bankruptcy proofs of
# claim, and the opt-out confirmation, which may contain only the confirmation
# (1006.14(h)(2)(i); decisions.md D-18).
_NO_DISCLOSURE = frozenset(
    {TemplateType.FORMAL_PLEADING, TemplateType.PROOF_OF_CLAIM, TemplateType.OPT_OUT_CONFIRMATION}
)

# --- FED-CALLER-ID ----------------------------------------------------------------------------

CALLER_ID = RuleDef(
    "FED-CALLER-ID",
    pack=FED,
    citation="1692d(6) [V]; 1006.14(g) [V]; 1692e(14) [V]",
    reads=("proposal.content", "collector.business_name"),
    applies=fed_call,  # the same test as before: f.fed and f.is_contact and f.is_call
    channels=scope.CALLS,
)


@CALLER_ID.check
def check_caller_id(f: Facts) -> RuleResult:
    if is_lcm(f):
        return CALLER_ID.ok("A limited-content message discloses identity (comment 2(j)-3).")
    if f.proposal.location_inquiry:
        # 1692b(1): a location caller names himself and names the employer only if asked.
        return CALLER_ID.ok("Location contact: identity is governed by FED-LOC (1692b(1)).")
    return _caller_identity(CALLER_ID, f)


def _caller_identity(rule: RuleDef, f: Facts) -> RuleResult:
    """The caller's identity and true business name, in the text or else by the template flag;
    shared by both versions of the rule (they differ only in the location test before it)."""
    text = f.proposal.content.text
    name = f.ctx.collector.business_name
    present = mentions(name, text) if text is not None else f.proposal.content.meta.caller_identity
    return rule.require(
        {"caller_identity": (f"the caller's identity and true business name ({name})", present)}
    )


# --- FED-MINI-MIRANDA -----------------------------------------------------------------------

MINI_MIRANDA = RuleDef(
    "FED-MINI-MIRANDA",
    pack=FED,
    citation="1692e(11) [V]; 1006.18(e)(1),(2),(4) [V]",
    reads=("debts[].initial_communication_at", "history", "proposal.content"),
    applies=guarded(fed_contact, lambda f: f.to_consumer and f.template not in _NO_DISCLOSURE),
)


def _initial_needed(f: Facts, debt: Debt, v2: bool) -> bool:
    """Whether `debt` needs the initial disclosure; `v2` (pack 2026.12.2) counts a written
    contact as the initial written one only as `initial_written_sent` does (D-88)."""
    first = debt.initial_communication_at
    if first is None or first >= f.t:
        return True
    if f.channel not in WRITTEN_CHANNELS:
        return False
    # 1006.18(e)(1): if the initial communication was oral, the initial *written* one also
    # needs the full disclosure. A provided validation notice counts as a written one.
    vn = debt.validation_notice_provided_at
    if vn is not None and vn < f.t:
        return False
    if v2:
        return not initial_written_sent(f, debt)
    return not any(
        c.collector_initiated and c.channel in WRITTEN_CHANNELS and debt.debt_id in c.debt_ids
        for c in f.own_contacts()
        if c.at < f.t and not c.pending
    )


@MINI_MIRANDA.check
def check_mini_miranda(f: Facts) -> RuleResult:
    if f.channel is Channel.VOICEMAIL and is_lcm(f):
        return MINI_MIRANDA.ok("A limited-content message is not a communication.")
    return _mini_miranda(MINI_MIRANDA, f, f.content, v2=False)


_MM_TEXT = {
    "mm_initial": '"attempting to collect a debt" and "any information obtained will be used '
    'for that purpose", in the language of the message',
    "mm_subsequent": "a statement that the communication is from a debt collector",
}


def _mini_miranda(rule: RuleDef, f: Facts, found: ContentFindings, *, v2: bool) -> RuleResult:
    """The disclosure a communication needs, judged on `found`; shared by both versions of the
    rule. `v2` (pack 2026.12.2): the initial-written test of D-88 and the languages of D-86."""
    if not found.language_supported:
        return rule.review(
            f"Human review: the disclosures cannot be checked automatically in language "
            f"'{f.proposal.content.language}'."
        )
    initial = any(_initial_needed(f, d, v2) for d in f.proposal_debts)
    pick = "mm_initial" if initial else "mm_subsequent"
    present = found.mm_initial if initial else found.mm_subsequent
    if v2 and present and f.is_written and found.has_text:
        # decisions.md D-86: the disclosure must also be in every other language the text of a
        # written message uses (a call script's language is the agent's, declared).
        missing = [
            lang
            for lang in found.other_languages
            if not found.disclosed_in(lang, "mm_initial")
            and (pick == "mm_initial" or not found.disclosed_in(lang, "mm_subsequent"))
        ]
        if missing:
            return rule.review(
                "Human review: the message also has text in "
                + ", ".join(_LANGUAGE_NAMES.get(lang, lang) for lang in missing)
                + f" (declared '{f.proposal.content.language}'), and the debt-collector "
                "disclosure must be in every language of the communication (1006.18(e)(4)).",
                {"languages": missing},
            )
    return rule.require({pick: (_MM_TEXT[pick], present)})


# --- threats ----------------------------------------------------------------------------------

CRIMINAL = RuleDef(
    "FED-NO-CRIMINAL-THREAT",
    pack=FED,
    citation="1692e(4),(7) [V]; 1692d(1) [V]",
    reads=("proposal.content",),
    applies=fed_contact,
)


@CRIMINAL.check
def check_criminal(f: Facts) -> RuleResult:
    return _criminal(CRIMINAL, f.content)


def _criminal(rule: RuleDef, found: ContentFindings) -> RuleResult:
    """Shared by both versions of the rule; they differ in the findings read."""
    words = found.criminal_words
    if words:
        return rule.block(
            "Blocked: the message mentions arrest, jail, police or crime ("
            + ", ".join(words)
            + ").",
            {"words": words},
        )
    return rule.ok("No reference to arrest, imprisonment or criminal conduct.")


ACTION_THREAT = RuleDef(
    "FED-ACTION-THREAT",
    pack=FED,
    citation="1692e(4),(5) [V]",
    reads=("proposal.content", "debts[].intended_actions"),
    applies=guarded(fed_contact, lambda f: bool(f.content.legal_action)),
)


def _unbacked(f: Facts, kind: RemedyKind) -> list[str]:
    # "May invoke remedies ordinarily invoked" (1692c(c)(2)) needs a lawful remedy, not intent.
    needs_intent = f.template is not TemplateType.MAY_INVOKE_REMEDIES
    out = []
    for debt in f.proposal_debts:
        action = debt.action(kind)
        if action is None or not action.lawful or (needs_intent and not action.intended):
            out.append(debt.debt_id)
    return out


@ACTION_THREAT.check
def check_action_threat(f: Facts) -> RuleResult:
    return _action_threat(ACTION_THREAT, f, f.content, notices=False)


def _action_threat(rule: RuleDef, f: Facts, found: ContentFindings, *, notices: bool) -> RuleResult:
    """Legal action mentioned in `found` must be backed; shared by both versions of the rule.
    `notices` (pack 2026.12.2): a remedy notice must be backed too (D-89)."""
    kinds = sorted(found.legal_action)
    unbacked = {k.value: ids for k in kinds if (ids := _unbacked(f, k))}
    if unbacked:
        return rule.block(
            "Blocked: the message mentions legal action ("
            + ", ".join(unbacked)
            + ") that is not recorded as lawful and intended for the debt.",
            {"unbacked": unbacked},
        )
    if notices and f.template in REMEDY_NOTICES and (bare := _unbacked_notice(f)):
        needed = (
            "lawful and intended"
            if f.template is not TemplateType.MAY_INVOKE_REMEDIES
            else ("lawful")
        )
        return rule.block(
            f"Blocked: a remedy notice ({f.template}) must be true (1692e(5)), but no remedy "
            f"is recorded as {needed} for " + ", ".join(bare) + ".",
            {"unbacked_notice": bare},
        )
    return rule.allow(
        "Every legal action the message mentions is recorded as lawful and intended.",
        {"actions": [k.value for k in kinds]},
    )


DECEPTION = RuleDef(
    "FED-NO-DECEPTION",
    pack=FED,
    citation="1692e(1),(3),(9),(13),(14),(16) [V]; 1692d(2) [V]",
    reads=("proposal.content", "collector.attorney_meaningfully_involved"),
    applies=fed_contact,
)


def _deceptions(f: Facts, content: ContentFindings, *, not_collecting: bool) -> list[str]:
    """The deceptions `content` and the metadata suggest, in this order; shared by both
    versions of the rule. `not_collecting` (pack 2026.12.2): the D-84 test, last."""
    meta = f.proposal.content.meta
    found = []
    if meta.false_government_affiliation or content.claims_government:
        found.append("government affiliation")
    if meta.false_attorney_involvement or (
        content.claims_attorney and not f.ctx.collector.attorney_meaningfully_involved
    ):
        found.append("attorney involvement")
    if meta.simulates_legal_process:
        found.append("simulated legal process")
    if meta.untrue_business_name:
        found.append("a business name that is not the collector's true name")
    if meta.claims_to_be_cra:
        found.append("claiming to be a consumer reporting agency")
    if content.profanity:
        found.append("obscene or profane language")
    if not_collecting and f.template in NOT_COLLECTING and (asks := content.payment_demand):
        found.append(
            f"that it is not a collection communication (template {f.template}) while it "
            f"asks for payment ({', '.join(asks)}; 1692e(10))"
        )
    return found


@DECEPTION.check
def check_deception(f: Facts) -> RuleResult:
    found = _deceptions(f, f.content, not_collecting=False)
    if found:
        return DECEPTION.block("Blocked: the message suggests " + "; ".join(found) + ".")
    return DECEPTION.ok("No deceptive representations detected.")


TIMEBARRED = RuleDef(
    "FED-TIMEBARRED",
    pack=FED,
    citation="1006.26(b) [V]",
    reads=("debts[].time_barred", "proposal.content"),
    applies=guarded(
        fed_contact,
        lambda f: bool(f.content.legal_action) and f.template is not TemplateType.PROOF_OF_CLAIM,
    ),
)


@TIMEBARRED.check
def check_timebarred(f: Facts) -> RuleResult:
    return _timebarred(TIMEBARRED, f)


def _timebarred(rule: RuleDef, f: Facts) -> RuleResult:
    """Legal action mentioned on the proposal's debts: blocked for a time-barred one, missing
    data for one whose status is unknown (D-26); shared by both versions of the rule."""
    barred = [d.debt_id for d in f.proposal_debts if d.time_barred is True]
    if barred:
        return rule.block(
            "Blocked: the message mentions legal action on a time-barred debt ("
            + ", ".join(barred)
            + ")."
        )
    unknown = [d.debt_id for d in f.proposal_debts if d.time_barred == "unknown"]
    if unknown:
        return rule.missing_data(
            *(f"debts[{i}].time_barred" for i in unknown),
            explanation="Blocked: the message mentions legal action and the statute-of-"
            "limitations status of the debt is unknown.",
        )
    return rule.allow(
        "Legal action is mentioned only for debts within the limitations period."
    )


CREDIT = RuleDef(
    "FED-CREDIT-STATEMENTS",
    pack=FED,
    citation="1692e(5),(8) [V]",
    reads=("proposal.content", "debts[].intended_actions", "debts[].disputes"),
    applies=lambda f: (
        f.fed
        and (
            f.proposal.action is ActionKind.FURNISH
            or (fed_contact(f) and RemedyKind.REPORT in f.content.remedies)
        )
    ),
    actions=scope.CONTACT_OR_FURNISH,
)


@CREDIT.check
def check_credit(f: Facts) -> RuleResult:
    if f.proposal.action is ActionKind.FURNISH:
        disputed = [d.debt_id for d in f.proposal_debts if d.disputes]
        if not disputed:
            return CREDIT.ok("No dispute on file: no disputed flag needed.")
        return CREDIT.require(
            {
                "reported_as_disputed": (
                    "report the debt as disputed",
                    f.proposal.furnish_reports_disputed is True,
                )
            },
            {"disputed": disputed},
        )
    unplanned = [
        d.debt_id
        for d in f.proposal_debts
        if (a := d.action(RemedyKind.REPORT)) is None or not a.intended
    ]
    if unplanned:
        return CREDIT.block(
            "Blocked: the message mentions credit reporting, but reporting is not intended for "
            + ", ".join(unplanned)
            + "."
        )
    return CREDIT.ok("Credit reporting is mentioned and is intended.")


RULES = (CALLER_ID, MINI_MIRANDA, CRIMINAL, ACTION_THREAT, DECEPTION, TIMEBARRED, CREDIT)


# --- pack 2026.12.2 (decisions.md D-80 to D-94) ---------------------------------------------
# Replaced rules: same ids, citations and positions. They read `f.content` like the rules
# above: under 2026.12.2 (switch `content_lexicon_v2`) that is lexicon revision 2 (D-80), for
# every rule of the version, so the text is analysed once.


# decisions.md D-92: FED-CALLER-ID defers to FED-LOC only for a location call to someone other
# than the consumer (FED-LOC judges only those); a consumer's call discloses identity as any.
CALLER_ID_V2 = RuleDef(
    "FED-CALLER-ID",
    pack=FED,
    citation=CALLER_ID.citation,
    reads=CALLER_ID.reads,
    applies=fed_call,
    channels=scope.CALLS,
)


@CALLER_ID_V2.check
def check_caller_id_v2(f: Facts) -> RuleResult:
    if is_lcm(f):
        return CALLER_ID_V2.ok("A limited-content message discloses identity (comment 2(j)-3).")
    if f.proposal.location_inquiry and not f.to_consumer:
        return CALLER_ID_V2.ok("Location contact: identity is governed by FED-LOC (1692b(1)).")
    return _caller_identity(CALLER_ID_V2, f)


MINI_MIRANDA_V2 = RuleDef(
    "FED-MINI-MIRANDA",
    pack=FED,
    citation=MINI_MIRANDA.citation,
    reads=MINI_MIRANDA.reads,
    applies=guarded(fed_contact, lambda f: f.to_consumer and f.template not in _NO_DISCLOSURE),
)

# decisions.md D-88: written contacts that are not the initial written *collection*
# communication: the opt-out confirmation (1006.14(h)(2)(i): only the confirmation), pleadings
# and proofs of claim (1006.18(e)(3)), non-collection notices and location inquiries.
_NOT_INITIAL_WRITTEN = frozenset(
    {
        TemplateType.OPT_OUT_CONFIRMATION,
        TemplateType.FORMAL_PLEADING,
        TemplateType.PROOF_OF_CLAIM,
        TemplateType.NON_COLLECTION,
        TemplateType.LOCATION_INQUIRY,
    }
)


def initial_written_sent(f: Facts, debt: Debt) -> bool:
    """A collector-initiated written communication about `debt` was sent to this person before
    the send instant (2026.12.2, D-88): a bounced or undelivered message is not a communication
    (D-40), nor are the templates of _NOT_INITIAL_WRITTEN."""
    for c in f.own_contacts():
        if not (
            c.collector_initiated
            and c.channel in WRITTEN_CHANNELS
            and debt.debt_id in c.debt_ids
            and c.at < f.t
            and not c.pending
        ):
            continue
        if c.connected is False or getattr(c, "undeliverable_at", None) is not None:
            continue
        if getattr(c, "template_type", None) in _NOT_INITIAL_WRITTEN:
            continue
        return True
    return False


_LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


@MINI_MIRANDA_V2.check
def check_mini_miranda_v2(f: Facts) -> RuleResult:
    if f.channel is Channel.VOICEMAIL and is_lcm(f):
        return MINI_MIRANDA_V2.ok("A limited-content message is not a communication.")
    return _mini_miranda(MINI_MIRANDA_V2, f, f.content, v2=True)


CRIMINAL_V2 = RuleDef(
    "FED-NO-CRIMINAL-THREAT",
    pack=FED,
    citation=CRIMINAL.citation,
    reads=CRIMINAL.reads,
    applies=fed_contact,
)


@CRIMINAL_V2.check
def check_criminal_v2(f: Facts) -> RuleResult:
    return _criminal(CRIMINAL_V2, f.content)


# The two remedy notices 1692c(c)(2),(3) still permit after a written cease.
REMEDY_NOTICES = frozenset(
    {TemplateType.MAY_INVOKE_REMEDIES, TemplateType.INTENDS_TO_INVOKE_SPECIFIED_REMEDY}
)


def _notice_or_legal_action(f: Facts) -> bool:
    """A remedy notice, or a message that mentions legal action."""
    return f.template in REMEDY_NOTICES or bool(f.content.legal_action)


ACTION_THREAT_V2 = RuleDef(
    "FED-ACTION-THREAT",
    pack=FED,
    citation=ACTION_THREAT.citation,
    reads=ACTION_THREAT.reads,
    applies=guarded(fed_contact, _notice_or_legal_action),
)


def _unbacked_notice(f: Facts) -> list[str]:
    """decisions.md D-89: the debts a remedy notice is sent about that have no recorded lawful
    action (of any kind), or for an intent notice no lawful and intended one."""
    needs_intent = f.template is TemplateType.INTENDS_TO_INVOKE_SPECIFIED_REMEDY
    return [
        d.debt_id
        for d in f.proposal_debts
        if not any(a.lawful and (a.intended or not needs_intent) for a in d.intended_actions)
    ]


@ACTION_THREAT_V2.check
def check_action_threat_v2(f: Facts) -> RuleResult:
    return _action_threat(ACTION_THREAT_V2, f, f.content, notices=True)


DECEPTION_V2 = RuleDef(
    "FED-NO-DECEPTION",
    pack=FED,
    citation=DECEPTION.citation,
    reads=(*DECEPTION.reads, "proposal.template_type"),
    applies=fed_contact,
)

# decisions.md D-84: template types that present a message as not collecting the debt (the
# hold- and cease-exempt notices and the opt-out confirmation). One of them that asks for
# payment misrepresents the nature of the communication (1692e(10)).
NOT_COLLECTING = frozenset(
    {
        TemplateType.OPT_OUT_CONFIRMATION,
        TemplateType.NON_COLLECTION,
        TemplateType.TERMINATION_NOTICE,
        TemplateType.MAY_INVOKE_REMEDIES,
        TemplateType.INTENDS_TO_INVOKE_SPECIFIED_REMEDY,
        TemplateType.VERIFICATION,
        TemplateType.DUPLICATIVE_DISPUTE_NOTICE,
        TemplateType.OC_INFORMATION,
    }
)


@DECEPTION_V2.check
def check_deception_v2(f: Facts) -> RuleResult:
    found = _deceptions(f, f.content, not_collecting=True)
    if found:
        return DECEPTION_V2.block("Blocked: the message suggests " + "; ".join(found) + ".")
    return DECEPTION_V2.ok("No deceptive representations detected.")


TIMEBARRED_V2 = RuleDef(
    "FED-TIMEBARRED",
    pack=FED,
    citation=TIMEBARRED.citation,
    reads=TIMEBARRED.reads,
    # decisions.md D-90: a remedy notice is a statement that legal action may follow.
    applies=guarded(
        fed_contact,
        lambda f: f.template is not TemplateType.PROOF_OF_CLAIM and _notice_or_legal_action(f),
    ),
)


@TIMEBARRED_V2.check
def check_timebarred_v2(f: Facts) -> RuleResult:
    return _timebarred(TIMEBARRED_V2, f)


CREDIT_V2 = RuleDef(
    "FED-CREDIT-STATEMENTS",
    pack=FED,
    citation=CREDIT.citation,
    reads=CREDIT.reads,
    applies=lambda f: (
        f.fed
        and (
            f.proposal.action is ActionKind.FURNISH
            or (fed_contact(f) and RemedyKind.REPORT in f.content.remedies)
        )
    ),
    actions=scope.CONTACT_OR_FURNISH,
)
CREDIT_V2.check(check_credit)  # the same check (it reads no text): only `applies` changed


# 2026.12.1 rule -> its 2026.12.2 replacement (same position in the pack; packs.V2026_12_2).
REPLACED_IN_2026_12_2: dict[RuleDef, RuleDef] = {
    CALLER_ID: CALLER_ID_V2,
    MINI_MIRANDA: MINI_MIRANDA_V2,
    CRIMINAL: CRIMINAL_V2,
    ACTION_THREAT: ACTION_THREAT_V2,
    DECEPTION: DECEPTION_V2,
    TIMEBARRED: TIMEBARRED_V2,
    CREDIT: CREDIT_V2,
}
