"""The hot-path rewrites answer exactly as the straightforward code they replaced."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from compliance.domain import EvaluationContext
from compliance.domain import lexicon as lx
from compliance.domain.facts import Facts
from compliance.domain.packs import CURRENT_VERSION, DEFAULT_REGISTRY, select_packs
from compliance.domain.results import STATIC_PREDICATES, Guarded

_PIECES = [
    *(stem for stems in lx._TRIGGER_STEMS.values() for stem in stems),
    "a debt collector",
    "a debt collectors",
    "from ",
    "by ",
    "is ",
    "are ",
    "am ",
    "ram ",
    ",",
    " ",
    ".",
    "\n",
    "x",
    "_",
    "1",
    "é",
    "ing",
    "s",
    "sue",
    "ac",
]


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 10))) for _ in range(n)]


def _triggered_reference(low: str) -> set[object]:
    found: set[object] = set()
    for word in re.findall(r"\w+", low):
        for stem, category in lx._BY_PREFIX.get(word[:3], ()):
            if word.startswith(stem):
                found.add(category)
    return found


def test_trigger_words_match_the_word_by_word_reference() -> None:
    for text in _texts(20_000, 7):
        assert lx._triggered(text) == _triggered_reference(text), repr(text)


def test_subsequent_disclosure_matches_the_regex_reference() -> None:
    phrase = re.compile(r"a debt collector\b")
    searcher = lx._DISCLOSURES["en"].mm_subsequent
    assert isinstance(searcher, lx._Preceded)
    before = searcher.before
    for text in _texts(20_000, 11):
        expected = any(
            before.search(text, max(0, m.start() - 6), m.start()) for m in phrase.finditer(text)
        )
        assert searcher.search(text) == expected, repr(text)


def test_static_predicates_depend_only_on_the_plan_key() -> None:
    """A predicate declared static is answered once per plan: it must give one answer for
    every context with the same packs, action and channel (checked on the golden contexts)."""
    version = DEFAULT_REGISTRY.get(CURRENT_VERSION)
    every = [r for pack in version.rules.values() for r in pack]
    rules = [r for r in every if r.applies in STATIC_PREDICATES]
    guarded = [r for r in every if isinstance(r.applies, Guarded)]
    assert len(rules) > 20 and len(guarded) > 20
    golden = json.loads((Path(__file__).parent / "golden" / "decisions.json").read_text())
    answers: dict[tuple[object, ...], bool] = {}
    for case in golden:
        ctx = EvaluationContext.model_validate(case["context"])
        selection = select_packs(ctx)
        facts = Facts(ctx, version.policy, selection.packs)
        key = (selection.packs, facts.proposal.action, facts.channel)
        for rule in rules:
            answer = rule.applies(facts)
            assert answers.setdefault((*key, rule.rule_id), answer) == answer, rule.rule_id
        for rule in guarded:  # the static part is answered once per plan key too
            answer = rule.applies.static(facts)  # type: ignore[attr-defined]
            assert answers.setdefault((*key, rule.rule_id), answer) == answer, rule.rule_id
            whole = rule.applies(facts)
            assert bool(whole) is bool(answer and rule.applies.rest(facts)), rule.rule_id  # type: ignore[attr-defined]


def test_every_lazy_fact_is_declared_timeless_or_not() -> None:
    """Facts.at shares the _TIMELESS derivations with a later instant's Facts: a new derivation
    must be sorted into one list or the other, never shared by accident."""
    from compliance.domain import facts as facts_module
    from compliance.domain.lazy import lazy

    derived = {name for name, value in vars(Facts).items() if isinstance(value, lazy)}
    instant = {"local_sends", "local_times", "send_days", "initiated_calls"}
    assert derived == set(facts_module._TIMELESS) | instant
    assert not instant & set(facts_module._TIMELESS)


@pytest.mark.parametrize("version", ["2026.11.1", "2026.12.1"])
def test_judging_later_equals_evaluating_the_later_context(version: str) -> None:
    """Judged.allowed_at(t) is evaluate(the context sent at t).allowed, on every golden context
    at instants that cross the windows, the last dial and local midnight, in every version."""
    from datetime import timedelta

    from compliance.domain import evaluate
    from compliance.domain.decision import judge

    golden = json.loads((Path(__file__).parent / "golden" / "decisions.json").read_text())
    steps = [timedelta(minutes=m) for m in (0, 1, 10, 45, 90, 200, 600, 900)]
    agreed = allowed = 0
    for case in golden:
        ctx = EvaluationContext.model_validate(case["context"])
        judged = judge(ctx, pack_version=version)
        assert judged.decision == evaluate(ctx, pack_version=version)
        for step in steps:
            at = ctx.proposal.intended_send_at + step
            later = ctx.model_copy(
                update={"proposal": ctx.proposal.model_copy(update={"intended_send_at": at})}
            )
            expected = evaluate(later, pack_version=version).allowed
            assert judged.allowed_at(at) is expected, (case["name"], step)
            agreed += 1
            allowed += expected
    assert agreed > 1_500 and 100 < allowed < agreed - 100
