"""Reference section 2d: content and disclosures (pack FED).

Text is judged with the documented patterns in `compliance.domain.lexicon`; where no text
exists, the template metadata flags in `ContentMeta` stand in.
"""

from __future__ import annotations

from compliance.domain.context import ActionKind, Channel, Debt, RemedyKind, TemplateType
from compliance.domain.facts import WRITTEN_CHANNELS, Facts
from compliance.domain.lexicon import mentions
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
    text = f.proposal.content.text
    name = f.ctx.collector.business_name
    present = mentions(name, text) if text is not None else f.proposal.content.meta.caller_identity
    return CALLER_ID.require(
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


def _initial_needed(f: Facts, debt: Debt) -> bool:
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
    return not any(
        c.collector_initiated and c.channel in WRITTEN_CHANNELS and debt.debt_id in c.debt_ids
        for c in f.own_contacts()
        if c.at < f.t and not c.pending
    )


@MINI_MIRANDA.check
def check_mini_miranda(f: Facts) -> RuleResult:
    if f.channel is Channel.VOICEMAIL and is_lcm(f):
        return MINI_MIRANDA.ok("A limited-content message is not a communication.")
    found = f.content
    if not found.language_supported:
        return MINI_MIRANDA.review(
            f"Human review: the disclosures cannot be checked automatically in language "
            f"'{f.proposal.content.language}'."
        )
    if any(_initial_needed(f, d) for d in f.proposal_debts):
        return MINI_MIRANDA.require(
            {
                "mm_initial": (
                    '"attempting to collect a debt" and "any information obtained will be used '
                    'for that purpose", in the language of the message',
                    found.mm_initial,
                )
            }
        )
    return MINI_MIRANDA.require(
        {
            "mm_subsequent": (
                "a statement that the communication is from a debt collector",
                found.mm_subsequent,
            )
        }
    )


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
    words = f.content.criminal_words
    if words:
        return CRIMINAL.block(
            "Blocked: the message mentions arrest, jail, police or crime ("
            + ", ".join(words)
            + ").",
            {"words": words},
        )
    return CRIMINAL.ok("No reference to arrest, imprisonment or criminal conduct.")


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
    kinds = sorted(f.content.legal_action)
    unbacked = {k.value: ids for k in kinds if (ids := _unbacked(f, k))}
    if unbacked:
        return ACTION_THREAT.block(
            "Blocked: the message mentions legal action ("
            + ", ".join(unbacked)
            + ") that is not recorded as lawful and intended for the debt.",
            {"unbacked": unbacked},
        )
    return ACTION_THREAT.allow(
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


def _deceptions(f: Facts) -> list[str]:
    meta, content = f.proposal.content.meta, f.content
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
    if f.content.profanity:
        found.append("obscene or profane language")
    return found


@DECEPTION.check
def check_deception(f: Facts) -> RuleResult:
    found = _deceptions(f)
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
    barred = [d.debt_id for d in f.proposal_debts if d.time_barred is True]
    if barred:
        return TIMEBARRED.block(
            "Blocked: the message mentions legal action on a time-barred debt ("
            + ", ".join(barred)
            + ")."
        )
    unknown = [d.debt_id for d in f.proposal_debts if d.time_barred == "unknown"]
    if unknown:
        return TIMEBARRED.missing_data(
            *(f"debts[{i}].time_barred" for i in unknown),
            explanation="Blocked: the message mentions legal action and the statute-of-"
            "limitations status of the debt is unknown.",
        )
    return TIMEBARRED.allow(
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


# 2026.12.1 rule -> its 2026.12.2 replacement (same position in the pack; packs.V2026_12_2).
REPLACED_IN_2026_12_2: dict[RuleDef, RuleDef] = {}
