"""`evaluate`: run every applicable rule of the selected packs and combine the results.

Combination (reference section 0): any BLOCK or PAUSE gives BLOCK; otherwise any REVIEW gives
REVIEW; otherwise ALLOW with the union of the REQUIRE obligations. A REQUIRE whose content
elements are absent is a BLOCK. Pure and deterministic: the only instant is the proposal's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from compliance.domain.context import EvaluationContext
from compliance.domain.facts import Facts
from compliance.domain.packs import (
    DEFAULT_REGISTRY,
    PACK_ORDER,  # noqa: F401  (importable from here, as before)
    PackRegistry,
    PackVersion,
    ordered,
    plan,
    select_packs,
)
from compliance.domain.results import (
    Obligation,
    ObligationKind,
    Outcome,
    RuleDef,
    RuleResult,
)


class DecisionOutcome(StrEnum):
    ALLOW = "ALLOW"
    BLOCK = "BLOCK"
    REVIEW = "REVIEW"


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: DecisionOutcome
    # Every rule of every selected pack, in pack order, NOT_APPLICABLE ones included.
    trace: tuple[RuleResult, ...]
    # Rules that stopped an automatic send (BLOCK, PAUSE, unmet REQUIRE, REVIEW).
    failing: tuple[RuleResult, ...]
    obligations: tuple[Obligation, ...]
    # Earliest instant a retry could pass: the latest retry of the blocking rules, or None
    # when one of them has no automatic retry (cease, dispute hold, missing data, review).
    retry_at: datetime | None
    reasons: tuple[str, ...]
    packs: tuple[str, ...]
    pack_version: str

    @property
    def allowed(self) -> bool:
        return self.outcome is DecisionOutcome.ALLOW

    def as_record(self) -> dict[str, Any]:
        """JSON-ready form for the decision event (12 CFR 1006.100 record)."""
        return {
            "outcome": self.outcome.value,
            "pack_version": self.pack_version,
            "packs": list(self.packs),
            "reasons": list(self.reasons),
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
            "obligations": [
                {
                    "code": o.code,
                    "text": o.text,
                    "kind": o.kind.value,
                    "due_at": o.due_at.isoformat() if o.due_at else None,
                }
                for o in self.obligations
            ],
            "trace": [_result_record(r) for r in self.trace],
        }


def _result_record(r: RuleResult) -> dict[str, Any]:
    return {
        "rule_id": r.rule_id,
        "citation": r.citation,
        "outcome": r.outcome.value,
        "explanation": r.explanation,
        "inputs": _jsonable(r.inputs),
        "retry_at": r.retry_at.isoformat() if r.retry_at else None,
        "reason_codes": list(r.reason_codes()) if r.outcome is not Outcome.ALLOW else [],
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def _run(rule: RuleDef, facts: Facts) -> RuleResult:
    try:
        if not rule.applies(facts):
            return rule.not_applicable
        return rule.run(facts)
    except Exception as exc:
        return RuleResult(
            rule.rule_id,
            rule.citation,
            Outcome.BLOCK,
            f"Blocked: the rule could not be evaluated ({type(exc).__name__}).",
            {"error": repr(exc)[:300]},
            error=True,
        )


_NA = Outcome.NOT_APPLICABLE
_ALLOW = Outcome.ALLOW
_REVIEW = Outcome.REVIEW
_REQUIRE = Outcome.REQUIRE
_CONTENT = ObligationKind.CONTENT


def _unmet(result: RuleResult) -> bool:
    if result.outcome is not _REQUIRE:
        return False
    for o in result.obligations:  # noqa: SIM110  (hot path: a loop beats any() over a genexpr)
        if o.kind is _CONTENT and not o.satisfied:
            return True
    return False


def _retry(blocking: list[RuleResult]) -> datetime | None:
    retries = [r.retry_at for r in blocking]
    if not retries or any(r is None for r in retries):
        return None
    return max(r for r in retries if r is not None)


def _sort(
    ran: list[RuleResult] | tuple[RuleResult, ...],
) -> tuple[list[RuleResult], list[RuleResult], dict[str, Obligation]]:
    """Split results into blocking, review and the union of REQUIRE obligations (one pass)."""
    blocking: list[RuleResult] = []
    reviews: list[RuleResult] = []
    obligations: dict[str, Obligation] = {}
    for r in ran:
        outcome = r.outcome
        if outcome is _NA or outcome is _ALLOW:
            continue
        if outcome is _REVIEW:
            reviews.append(r)
        elif outcome is _REQUIRE:
            for o in r.obligations:
                if o.code not in obligations:
                    obligations[o.code] = o
            if _unmet(r):
                blocking.append(r)
        else:
            blocking.append(r)
    return blocking, reviews, obligations


def combine(
    results: tuple[RuleResult, ...],
    packs: tuple[str, ...],
    version: str,
    ran: list[RuleResult] | None = None,
) -> Decision:
    """Combine rule results; `ran` (the results of rules that were in scope) is an optional
    shortcut, since every other result is NOT_APPLICABLE and contributes nothing."""
    blocking, reviews, obligations = _sort(results if ran is None else ran)
    if not blocking and not reviews:  # the common case: nothing stopped the send
        allowed = DecisionOutcome.ALLOW
        return Decision(allowed, results, (), tuple(obligations.values()), None, (), packs, version)
    decided = DecisionOutcome.BLOCK if blocking else DecisionOutcome.REVIEW
    failing = tuple(blocking + reviews)
    return Decision(
        outcome=decided,
        trace=results,
        failing=failing,
        obligations=tuple(obligations.values()),
        retry_at=_retry(blocking) if blocking else None,
        reasons=tuple(code for r in failing for code in r.reason_codes()),
        packs=packs,
        pack_version=version,
    )


def evaluate(
    ctx: EvaluationContext,
    *,
    pack_version: str | None = None,
    registry: PackRegistry = DEFAULT_REGISTRY,
) -> Decision:
    """Decide one proposed action. Raises only `UnknownPackVersion`; every other failure is a
    BLOCK with `RULE_ERROR:<rule id>` so that nothing is ever approved by default."""
    return _judge(ctx, registry.get(pack_version)).decision


def judge(
    ctx: EvaluationContext,
    *,
    pack_version: str | None = None,
    registry: PackRegistry = DEFAULT_REGISTRY,
) -> Judged:
    """`evaluate`, keeping what judging the same proposal at a later instant needs."""
    return _judge(ctx, registry.get(pack_version))


class Judged(NamedTuple):
    decision: Decision
    ctx: EvaluationContext
    version: PackVersion
    facts: Facts | None  # None: the packs could not be selected

    def allowed_at(self, at: datetime) -> bool:
        """Exactly `evaluate(ctx with proposal.intended_send_at = at).allowed`, with the same
        pack version. Only the instant changes, so the packs, the plan and the derivations
        that do not read the instant (Facts.at) are shared instead of recomputed."""
        ctx = self.ctx
        later = ctx.model_copy(
            update={"proposal": ctx.proposal.model_copy(update={"intended_send_at": at})}
        )
        if self.facts is None:
            return _judge(later, self.version).decision.allowed
        facts = self.facts.at(later)
        skeleton = plan(self.version, ordered(facts.packs), facts)
        try:
            ran = [
                check(facts)
                for _, applies, check in skeleton.calls
                if applies is None or applies(facts)
            ]
        except Exception:
            # A rule raised: evaluate from scratch, exactly as `evaluate` would.
            return _judge(later, self.version).decision.allowed
        blocking, reviews, _ = _sort(ran)
        return not blocking and not reviews


def _judge(ctx: EvaluationContext, version: PackVersion) -> Judged:
    try:
        selection = select_packs(ctx, version.policy)
        facts = Facts(
            ctx, version.policy, selection.packs, jurisdiction_known=selection.jurisdiction_known
        )
    except Exception as exc:
        failed = RuleResult(
            "GATE-SELECT",
            "Fail closed (reference section 0)",
            Outcome.BLOCK,
            f"Blocked: the rule packs could not be selected ({type(exc).__name__}).",
            {"error": repr(exc)[:300]},
            error=True,
        )
        return Judged(combine((failed,), (), version.version), ctx, version, None)
    packs = ordered(selection.packs)
    skeleton = plan(version, packs, facts)
    trace = list(skeleton.template)
    ran: list[RuleResult] = []  # results of the rules that applied, in order
    try:
        # Fast path: one exception handler around the loop instead of one per rule.
        for i, applies, check in skeleton.calls:
            if applies is None or applies(facts):
                trace[i] = found = check(facts)
                ran.append(found)
    except Exception:
        facts = Facts(
            ctx, version.policy, selection.packs, jurisdiction_known=selection.jurisdiction_known
        )
        ran = []
        for i, rule in skeleton.active:
            trace[i] = found = _run(rule, facts)
            ran.append(found)
    return Judged(combine(tuple(trace), packs, version.version, ran), ctx, version, facts)
