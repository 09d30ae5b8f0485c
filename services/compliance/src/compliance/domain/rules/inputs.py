"""GATE-INPUTS: the fail-closed check on the inputs every pack depends on (reference section 0).

It always runs, so an unknown collector role, an unknown channel, a debt missing from the
context or an unknown jurisdiction blocks with `DATA_MISSING:<field>` even when the missing
fact is exactly what would have selected the packs.
"""

from __future__ import annotations

from compliance.domain.context import ActionKind
from compliance.domain.facts import Facts
from compliance.domain.results import RuleDef, RuleResult
from compliance.domain.rules import scope

GATE = "GATE"

INPUTS = RuleDef(
    "GATE-INPUTS",
    pack=GATE,
    citation="Fail closed (reference section 0); 12 CFR 1006.100 record of the decision",
    reads=("collector.role", "proposal.channel", "proposal.debt_ids", "person.addresses"),
    actions=scope.ANY_ACTION,
)


def _missing(f: Facts) -> list[str]:
    missing = []
    if f.ctx.collector.role is None:
        missing.append("collector.role")
    if not f.proposal.debt_ids:
        missing.append("proposal.debt_ids")
    missing += [f"debts[{i}]" for i in f.missing_debts]
    if f.proposal.action is ActionKind.CONTACT:
        if f.channel is None:
            missing.append("proposal.channel")
        if f.proposal.endpoint_id is not None and f.endpoint is None:
            missing.append(f"endpoints[{f.proposal.endpoint_id}]")
    if not f.jurisdiction_known:
        missing.append("person.addresses[].state")
    return missing


@INPUTS.check
def check_inputs(f: Facts) -> RuleResult:
    missing = _missing(f)
    if missing:
        return INPUTS.missing_data(*missing)
    return INPUTS.ok("Every input needed to choose and run the rule packs is present.")


# --- Pack version 2026.12.1 -----------------------------------------------------------------

INPUTS_V2 = RuleDef(
    "GATE-INPUTS",
    pack=GATE,
    citation=INPUTS.citation,
    reads=(*INPUTS.reads, "person.addresses[].state"),
    actions=scope.ANY_ACTION,
)

_SOME_STATE = "person.addresses[].state"


def _addresses_without_state(f: Facts) -> list[str]:
    """decisions.md D-44: a US address without a state may be in a state with an overlay (MA,
    NY, ...). A debt's governing state does not stand in for it: the person's own state rules
    apply whatever state governs the debt. The model has no ZIP code to derive it from."""
    return [
        f"person.addresses[{i}].state"
        for i, a in enumerate(f.ctx.person.addresses)
        if a.country == "US" and a.state is None
    ]


@INPUTS_V2.check
def check_inputs_v2(f: Facts) -> RuleResult:
    missing = _missing(f)
    unknown = _addresses_without_state(f)
    if unknown:
        # The per-address paths say more than the generic one for "no state at all".
        missing = [m for m in missing if m != _SOME_STATE] + unknown
    if missing:
        return INPUTS_V2.missing_data(*missing)
    return INPUTS_V2.ok("Every input needed to choose and run the rule packs is present.")


# 2026.11.1 rule -> its 2026.12.1 replacement (same position in the pack).
REPLACED_IN_2026_12_1 = {INPUTS: INPUTS_V2}

RULES = (INPUTS,)


# 2026.12.1 rule -> its 2026.12.2 replacement (same position in the pack; packs.V2026_12_2).
REPLACED_IN_2026_12_2: dict[RuleDef, RuleDef] = {}
