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


RULES = (INPUTS,)
