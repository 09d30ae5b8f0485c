"""Rule results, obligations and the rule definition every rule module registers.

`RuleResult` and `Obligation` are NamedTuples rather than pydantic models on purpose: the gate
builds about forty of them per decision and must make 20,000 decisions a second, and the
inputs were already validated when the `EvaluationContext` was built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple, TypeVar

if TYPE_CHECKING:
    from compliance.domain.facts import Facts


class Outcome(StrEnum):
    """Rule outcomes, as defined in section 0 of the compliance reference."""

    ALLOW = "ALLOW"
    BLOCK = "BLOCK"
    PAUSE = "PAUSE"
    REVIEW = "REVIEW"
    REQUIRE = "REQUIRE"
    NOT_APPLICABLE = "NOT_APPLICABLE"


class ObligationKind(StrEnum):
    # CONTENT: an element the proposed content or its metadata must carry now.
    # DUTY: something the collector must do later (send a VN within 5 days, mark as disputed).
    CONTENT = "content"
    DUTY = "duty"


class Obligation(NamedTuple):
    code: str
    text: str
    kind: ObligationKind = ObligationKind.CONTENT
    satisfied: bool = True
    due_at: datetime | None = None


_EMPTY: Mapping[str, object] = MappingProxyType({})


class RuleResult(NamedTuple):
    rule_id: str
    citation: str
    outcome: Outcome
    explanation: str
    inputs: Mapping[str, object] = _EMPTY
    retry_at: datetime | None = None
    obligations: tuple[Obligation, ...] = ()
    # Field paths whose absence made the rule fail closed (reported as DATA_MISSING:<path>).
    missing: tuple[str, ...] = ()
    # True when the rule raised: reported as RULE_ERROR:<rule id>, never as an approval.
    error: bool = False

    @property
    def blocks(self) -> bool:
        return self.outcome in (Outcome.BLOCK, Outcome.PAUSE)

    def reason_codes(self) -> tuple[str, ...]:
        if self.error:
            return (f"RULE_ERROR:{self.rule_id}",)
        if self.missing:
            return tuple(f"DATA_MISSING:{path}" for path in self.missing)
        return (self.rule_id,)


_ALLOW = Outcome.ALLOW
_BLOCK = Outcome.BLOCK
_PAUSE = Outcome.PAUSE
_REVIEW = Outcome.REVIEW
_NOT_APPLICABLE = Outcome.NOT_APPLICABLE

Check = Callable[["Facts"], RuleResult]
Predicate = Callable[["Facts"], bool]


# Predicates that read only what keys a plan (the packs, the action and the channel): the plan
# evaluates them once for all decisions with that key, and the hot loop skips the call.
STATIC_PREDICATES: set[Callable[..., bool]] = set()

P = TypeVar("P", bound=Callable[..., bool])


def static(predicate: P) -> P:
    """Declare `predicate` static (see STATIC_PREDICATES). Only for predicates of `Facts.packs`,
    `Facts.fed`, `Facts.is_contact`, `Facts.channel` and the channel flags derived from it."""
    STATIC_PREDICATES.add(predicate)
    return predicate


@static
def always(_: Facts) -> bool:
    return True


class Guarded:
    """The predicate `static(f) and rest(f)`, where `static` is a static predicate: the plan
    answers `static` once per plan key and keeps only `rest` in the hot loop (or drops the
    rule when `static` is false). Same answer as the `and` it stands for."""

    __slots__ = ("rest", "static")

    def __init__(self, static_part: Predicate, rest: Predicate) -> None:
        if static_part not in STATIC_PREDICATES:
            raise ValueError(f"{static_part!r} is not a static predicate")
        self.static = static_part
        self.rest = rest

    def __call__(self, f: Facts) -> bool:
        return self.static(f) and self.rest(f)


def guarded(static_part: Predicate, rest: Predicate) -> Predicate:
    """`lambda f: static_part(f) and rest(f)`, with the static part answered by the plan."""
    return Guarded(static_part, rest)


class RuleDef:
    """One rule: id, citation and the fields it reads, plus factories for its results.

    A rule module declares a `RuleDef`, then decorates its check function with `@rule.check`.
    The check runs only when `applies` is true; otherwise the trace records a shared,
    precomputed NOT_APPLICABLE result (cheap on the hot path).
    """

    __slots__ = (
        "_check",
        "_constant",
        "_required",
        "actions",
        "applies",
        "channels",
        "citation",
        "not_applicable",
        "pack",
        "reads",
        "rule_id",
    )

    def __init__(
        self,
        rule_id: str,
        *,
        pack: str,
        citation: str,
        reads: tuple[str, ...],
        applies: Predicate = always,
        channels: frozenset[str] | None = None,
        actions: frozenset[str] = frozenset({"contact"}),
    ) -> None:
        self.rule_id = rule_id
        self.pack = pack
        self.citation = citation
        self.reads = reads
        self.applies = applies
        # Static scope: the actions and channels for which `applies` can ever be true. It only
        # lets the engine skip the call; `applies` still decides.
        self.channels = channels
        self.actions = actions
        self._check: Check | None = None
        self._constant: dict[str, RuleResult] = {}
        self._required: dict[tuple[tuple[str, tuple[str, bool]], ...], RuleResult] = {}
        self.not_applicable = RuleResult(
            rule_id, citation, Outcome.NOT_APPLICABLE, "Does not apply to this proposal."
        )

    def in_scope(self, facts: Facts) -> bool:
        if facts.proposal.action.value not in self.actions:
            return False
        return self.channels is None or (
            facts.channel is not None and facts.channel in self.channels
        )

    def ok(self, explanation: str) -> RuleResult:
        """A shared ALLOW result for a fixed explanation (no allocation on the hot path)."""
        found = self._constant.get(explanation)
        if found is None:
            found = self._constant[explanation] = self.result(_ALLOW, explanation)
        return found

    def check(self, fn: Check) -> Check:
        self._check = fn
        return fn

    @property
    def check_function(self) -> Check:
        if self._check is None:
            raise RuntimeError(f"rule {self.rule_id} has no check function")
        return self._check

    def run(self, facts: Facts) -> RuleResult:
        return self.check_function(facts)

    def result(
        self,
        outcome: Outcome,
        explanation: str,
        inputs: Mapping[str, object] = _EMPTY,
        *,
        retry_at: datetime | None = None,
        obligations: tuple[Obligation, ...] = (),
        missing: tuple[str, ...] = (),
    ) -> RuleResult:
        return RuleResult(
            self.rule_id,
            self.citation,
            outcome,
            explanation,
            inputs,
            retry_at,
            obligations,
            missing,
        )

    def allow(self, explanation: str, inputs: Mapping[str, object] = _EMPTY) -> RuleResult:
        return RuleResult(self.rule_id, self.citation, _ALLOW, explanation, inputs)

    def na(self, explanation: str, inputs: Mapping[str, object] = _EMPTY) -> RuleResult:
        return RuleResult(self.rule_id, self.citation, _NOT_APPLICABLE, explanation, inputs)

    def block(
        self,
        explanation: str,
        inputs: Mapping[str, object] = _EMPTY,
        *,
        retry_at: datetime | None = None,
    ) -> RuleResult:
        return RuleResult(self.rule_id, self.citation, _BLOCK, explanation, inputs, retry_at)

    def pause(self, explanation: str, inputs: Mapping[str, object] = _EMPTY) -> RuleResult:
        return RuleResult(self.rule_id, self.citation, _PAUSE, explanation, inputs)

    def review(self, explanation: str, inputs: Mapping[str, object] = _EMPTY) -> RuleResult:
        return RuleResult(self.rule_id, self.citation, _REVIEW, explanation, inputs)

    def missing_data(self, *paths: str, explanation: str = "") -> RuleResult:
        text = explanation or (
            "Blocked because data the rule needs is missing or invalid: " + ", ".join(paths) + "."
        )
        return self.result(Outcome.BLOCK, text, {"missing": paths}, missing=paths)

    def require(
        self,
        elements: Mapping[str, tuple[str, bool]],
        inputs: Mapping[str, object] = _EMPTY,
        *,
        duties: tuple[Obligation, ...] = (),
    ) -> RuleResult:
        """REQUIRE(x): allowed only if every content element is present, otherwise BLOCK.

        `elements` maps an obligation code to (plain-English description, present?)."""
        if not inputs and not duties:
            # Same elements, same answer: share one result object (hot path). The key is the
            # items in order (hashable: strings and bools), since the order sets the obligations'.
            key = tuple(elements.items())
            try:
                found = self._required.get(key)
            except TypeError:  # an unhashable "present" value: nothing to share
                return self._require(elements, inputs, duties)
            if found is None:
                found = self._required[key] = self._require(elements, inputs, duties)
            return found
        return self._require(elements, inputs, duties)

    def _require(
        self,
        elements: Mapping[str, tuple[str, bool]],
        inputs: Mapping[str, object],
        duties: tuple[Obligation, ...],
    ) -> RuleResult:
        obligations = tuple(
            Obligation(code, text, ObligationKind.CONTENT, present)
            for code, (text, present) in elements.items()
        )
        absent = [text for (text, present) in elements.values() if not present]
        if absent:
            return self.result(
                Outcome.BLOCK,
                "Blocked: the content lacks required element(s): " + "; ".join(absent) + ".",
                inputs,
                obligations=obligations,
            )
        return self.result(
            Outcome.REQUIRE,
            "Allowed on condition: "
            + "; ".join(o.text for o in obligations + duties)
            + (" (present in the content)." if obligations else "."),
            inputs,
            obligations=obligations + duties,
        )
