"""Rule packs, their versions, and which packs apply to a context.

A pack version fixes the list of rules of every pack, their order, and the policy numbers.
Every decision records its version; `evaluate(ctx, pack_version=...)` replays it. A released
version is never edited: a changed rule is a new `RuleDef` (or a new policy number) listed in a
new version, and the old version keeps pointing at the old one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from compliance.domain.context import CollectorRole, EvaluationContext
from compliance.domain.errors import PackVersionConflict, UnknownPackVersion
from compliance.domain.facts import Facts
from compliance.domain.policy_params import PolicyParams
from compliance.domain.results import Check, Predicate, RuleDef, RuleResult
from compliance.domain.rules import (
    channels,
    content,
    frequency,
    inputs,
    policy,
    records,
    states,
    time_place,
    uk,
    validation,
)

PACK_ORDER = ("GATE", "FED", "MA", "NYC", "NYS", "CA", "WA", "WV", "DC", "POL", "UK")

# 15 U.S.C. 1692a(6): the roles that make a collector an FDCPA "debt collector". A debt buyer is
# taken to have collection as its principal purpose (decisions.md D-20).
FDCPA_ROLES = frozenset(
    {
        CollectorRole.THIRD_PARTY_COLLECTOR,
        CollectorRole.DEBT_BUYER,
        CollectorRole.CREDITOR_USING_OTHER_NAME,
        CollectorRole.OBTAINED_IN_DEFAULT,
    }
)

_STATE_PACKS = {"MA": "MA", "NY": "NYS", "CA": "CA", "WA": "WA", "WV": "WV", "DC": "DC"}


@dataclass(frozen=True)
class PackVersion:
    version: str
    rules: Mapping[str, tuple[RuleDef, ...]]
    policy: PolicyParams = field(default_factory=PolicyParams)
    notes: str = ""

    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.rule_id for pack in PACK_ORDER for r in self.rules.get(pack, ()))


# decisions.md D-35: released versions are immutable.
class PackRegistry:
    """Released pack versions, by version string. The newest registered is the default."""

    def __init__(self) -> None:
        self._versions: dict[str, PackVersion] = {}
        self._latest: str | None = None

    def register(self, version: PackVersion) -> None:
        known = self._versions.get(version.version)
        if known is not None and known != version:
            raise PackVersionConflict(f"pack version {version.version} is already released")
        self._versions[version.version] = version
        self._latest = version.version

    def get(self, version: str | None = None) -> PackVersion:
        wanted = version or self._latest
        if wanted is None or wanted not in self._versions:
            raise UnknownPackVersion(str(version), tuple(self._versions))
        return self._versions[wanted]

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(self._versions)


def _by_pack(*rule_sets: tuple[RuleDef, ...]) -> Mapping[str, tuple[RuleDef, ...]]:
    packs: dict[str, list[RuleDef]] = {}
    for rules in rule_sets:
        for rule in rules:
            packs.setdefault(rule.pack, []).append(rule)
    return MappingProxyType({pack: tuple(rules) for pack, rules in packs.items()})


V2026_11_1 = PackVersion(
    version="2026.11.1",
    rules=_by_pack(
        inputs.RULES,
        time_place.RULES,
        frequency.RULES,
        channels.RULES,
        content.RULES,
        validation.RULES,
        records.RULES,
        states.RULES,
        policy.RULES,
        uk.RULES,
    ),
    notes="First release: FED, MA, NYC (flagged), NYS, CA, WA, WV, DC, POL, UK.",
)

CURRENT_VERSION = V2026_11_1.version
DEFAULT_REGISTRY = PackRegistry()
DEFAULT_REGISTRY.register(V2026_11_1)


class Selection(NamedTuple):
    packs: frozenset[str]
    states: frozenset[str]
    jurisdiction_known: bool


def _states(ctx: EvaluationContext) -> set[str]:
    found = {a.state for a in ctx.person.addresses if a.country == "US" and a.state}
    found |= {s.state for s in ctx.person.stated_locations if s.state}
    found |= {
        d.governing_state
        for d in ctx.debts
        if d.debt_id in ctx.proposal.debt_ids and d.governing_state
    }
    return found


def _consumer_purpose(ctx: EvaluationContext) -> bool:
    # An unknown purpose is treated as consumer: more rules, never fewer (decisions.md D-21).
    debts = [d for d in ctx.debts if d.debt_id in ctx.proposal.debt_ids]
    return not debts or any(d.purpose != "business" for d in debts)


def select_packs(ctx: EvaluationContext) -> Selection:
    """Packs from the collector's role and every jurisdiction the person or debt touches.

    The union of states is used (an address in MA and a debt governed by NY selects both), so
    an overlay never drops out because one record is stale (decisions.md D-19)."""
    person = ctx.person
    uk_person = any(a.country == "GB" for a in person.addresses)
    us_person = not person.addresses or any(a.country == "US" for a in person.addresses)
    packs = {"GATE", "POL"}
    states = _states(ctx)
    consumer = _consumer_purpose(ctx)
    if uk_person:
        packs.add("UK")
    if us_person and consumer:
        role = ctx.collector.role
        # Unknown role: run FED too (GATE-INPUTS blocks anyway, and the trace shows why).
        fed_role = role is None or role in FDCPA_ROLES
        # Cal. Civ. Code 1788.17 imports 1692b-1692j for creditors (decisions.md D-10).
        if fed_role or "CA" in states:
            packs.add("FED")
        packs |= {_STATE_PACKS[s] for s in states if s in _STATE_PACKS}
        if any(a.in_nyc for a in person.addresses) or any(
            s.in_nyc for s in person.stated_locations
        ):
            packs.add("NYC")
    known = not us_person or bool(states)
    return Selection(frozenset(packs), frozenset(states), known)


class Plan(NamedTuple):
    """The trace skeleton of one (version, packs, action, channel) combination: every rule's
    NOT_APPLICABLE result in order, plus the positions of the rules that may apply."""

    template: tuple[RuleResult, ...]
    active: tuple[tuple[int, RuleDef], ...]
    # The same rules as (position, applies, check): the hot loop calls them directly.
    calls: tuple[tuple[int, Predicate, Check], ...]


_PLANS: dict[tuple[str, tuple[str, ...], str], Plan] = {}


def _scope_key(facts: Facts) -> str:
    channel = facts.channel.value if facts.channel is not None else "-"
    return f"{facts.proposal.action.value}:{channel}"


def plan(version: PackVersion, packs: tuple[str, ...], facts: Facts) -> Plan:
    """The rules of the selected packs in order, narrowed to their static scopes.

    A rule whose declared scope (action and channel) excludes this proposal keeps its
    precomputed NOT_APPLICABLE result in the template, so the trace still lists every rule
    while the hot path skips it. Plans are cached: there are only a few hundred combinations."""
    key = (version.version, packs, _scope_key(facts))
    found = _PLANS.get(key)
    if found is None:
        rules = [r for p in packs for r in version.rules.get(p, ())]
        active = tuple((i, r) for i, r in enumerate(rules) if r.in_scope(facts))
        found = Plan(
            tuple(r.not_applicable for r in rules),
            active,
            tuple((i, r.applies, r.check_function) for i, r in active),
        )
        _PLANS[key] = found
    return found
