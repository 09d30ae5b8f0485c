"""Rule packs, their versions, and which packs apply to a context.

A pack version fixes the list of rules of every pack, their order, and the policy numbers.
Every decision records its version; `evaluate(ctx, pack_version=...)` replays it. A released
version is never edited: a changed rule is a new `RuleDef` (or a new policy number) listed in a
new version, and the old version keeps pointing at the old one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

from compliance.domain.context import CollectorRole, EvaluationContext
from compliance.domain.errors import PackVersionConflict, UnknownPackVersion
from compliance.domain.facts import Facts
from compliance.domain.policy_params import POLICY_2026_12_2, PolicyParams
from compliance.domain.results import (
    STATIC_PREDICATES,
    Check,
    Guarded,
    Predicate,
    RuleDef,
    RuleResult,
)
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


def _replacing(
    version: PackVersion, replacements: Mapping[RuleDef, RuleDef]
) -> Mapping[str, tuple[RuleDef, ...]]:
    """`version`'s rules with some replaced in place: same packs, same order, same ids."""
    listed = {r for rules in version.rules.values() for r in rules}
    for old, new in replacements.items():
        if old not in listed or (old.rule_id, old.pack) != (new.rule_id, new.pack):
            raise ValueError(f"{new.rule_id} cannot replace {old.rule_id} of {version.version}")
    return MappingProxyType(
        {
            pack: tuple(replacements.get(r, r) for r in rules)
            for pack, rules in version.rules.items()
        }
    )


# Fail-closed fixes of 2026.11.1 (decisions.md D-43 to D-54). Every change is a replaced rule
# or a policy switch; 2026.11.1 above is untouched and still replays.
V2026_12_1 = PackVersion(
    version="2026.12.1",
    rules=_replacing(
        V2026_11_1,
        {
            **inputs.REPLACED_IN_2026_12_1,
            **time_place.REPLACED_IN_2026_12_1,
            **states.REPLACED_IN_2026_12_1,
        },
    ),
    policy=PolicyParams(
        address_zone_required=True,
        email_consent_disclosure_required=True,
        cease_written_by_medium=True,
        oc_request_local_date=True,
    ),
    notes="Fail closed on an address without a zone (D-43) or a US address without a state "
    "(D-44), an endpoint not known to be away from work (D-45), consents with unknown facts "
    "or no scope (D-46, D-47), a cease notice received in a written medium (D-53), and an "
    "original-creditor request received on the period's last local day (D-54); WA and MA "
    "count the debtor's household and read unknown work places and residences closed (D-48 "
    "to D-52).",
)

# Fail-closed fixes of 2026.12.1 found by an adversarial review of every rule against the
# reference (decisions.md D-56 onwards). As before, only replaced rules and policy switches;
# 2026.12.1 and 2026.11.1 are untouched and still replay.
V2026_12_2 = PackVersion(
    version="2026.12.2",
    rules=_replacing(
        V2026_12_1,
        {
            **inputs.REPLACED_IN_2026_12_2,
            **time_place.REPLACED_IN_2026_12_2,
            **frequency.REPLACED_IN_2026_12_2,
            **channels.REPLACED_IN_2026_12_2,
            **content.REPLACED_IN_2026_12_2,
            **validation.REPLACED_IN_2026_12_2,
            **records.REPLACED_IN_2026_12_2,
            **states.REPLACED_IN_2026_12_2,
        },
    ),
    policy=replace(V2026_12_1.policy, **POLICY_2026_12_2),  # type: ignore[arg-type]
    notes="Fail closed where a review of every rule found 2026.12.1 approving what the "
    "reference forbids (decisions.md D-56 onwards).",
)

CURRENT_VERSION = V2026_12_2.version
DEFAULT_REGISTRY = PackRegistry()
DEFAULT_REGISTRY.register(V2026_11_1)
DEFAULT_REGISTRY.register(V2026_12_1)
DEFAULT_REGISTRY.register(V2026_12_2)


class Selection(NamedTuple):
    packs: frozenset[str]
    states: frozenset[str]
    jurisdiction_known: bool


# 15 U.S.C. 1692a(8): "State" includes Puerto Rico, Guam, the Virgin Islands, American Samoa,
# the Northern Mariana Islands and the minor outlying islands (decisions.md D-95).
US_TERRITORIES = frozenset({"PR", "GU", "VI", "AS", "MP", "UM"})


def _person_places(
    ctx: EvaluationContext, policy: PolicyParams | None = None,
) -> tuple[set[str], bool, bool, bool]:
    """States of the person's US addresses and stated locations; UK person, US person, NYC.

    Until 2026.12.1 only a `US` address made a US person, so a consumer whose addresses were
    all elsewhere (Puerto Rico coded `PR`, Canada) lost FED and every state pack. From 2026.12.2
    (`fdcpa_beyond_us_addresses`, D-95) a territory is a US place (its code stands as its
    state), and any other country but GB keeps FED too: the FDCPA follows the collector and
    the debt, not where the consumer lives; more rules, never fewer."""
    states: set[str] = set()
    uk_person = us_person = nyc = False
    beyond = policy is not None and policy.fdcpa_beyond_us_addresses
    addresses = ctx.person.addresses
    for a in addresses:
        if a.country == "US":
            us_person = True
            if a.state:
                states.add(a.state)
        elif a.country == "GB":
            uk_person = True
        elif beyond:
            us_person = True
            if a.country in US_TERRITORIES:
                states.add(a.country)
        nyc = nyc or a.in_nyc
    for s in ctx.person.stated_locations:
        if s.state:
            states.add(s.state)
        nyc = nyc or s.in_nyc
    return states, uk_person, us_person or not addresses, nyc


def _debt_facts(ctx: EvaluationContext, states: set[str]) -> bool:
    """Adds the governing states of the proposal's debts; True when the purpose is consumer.

    An unknown purpose is treated as consumer: more rules, never fewer (decisions.md D-21)."""
    wanted = ctx.proposal.debt_ids
    selected = consumer = False
    for d in ctx.debts:
        if d.debt_id in wanted:
            selected = True
            if d.governing_state:
                states.add(d.governing_state)
            if d.purpose != "business":
                consumer = True
    return consumer or not selected


def select_packs(ctx: EvaluationContext, policy: PolicyParams | None = None) -> Selection:
    """Packs from the collector's role and every jurisdiction the person or debt touches.

    The union of states is used (an address in MA and a debt governed by NY selects both), so
    an overlay never drops out because one record is stale (decisions.md D-19). `policy`: the
    pack version's (its switches change how addresses count, D-95)."""
    states, uk_person, us_person, nyc = _person_places(ctx, policy)
    consumer = _debt_facts(ctx, states)
    return _selection(frozenset(states), uk_person, us_person, nyc, consumer, ctx.collector.role)


@lru_cache(maxsize=4096)
def _selection(
    states: frozenset[str],
    uk_person: bool,
    us_person: bool,
    nyc: bool,
    consumer: bool,
    role: CollectorRole | None,
) -> Selection:
    """The packs for these facts: a function of the arguments alone, so cached (a few hundred
    combinations exist) like the plans."""
    packs = {"GATE", "POL"}
    if uk_person:
        packs.add("UK")
    if us_person and consumer:
        # Unknown role: run FED too (GATE-INPUTS blocks anyway, and the trace shows why).
        fed_role = role is None or role in FDCPA_ROLES
        # Cal. Civ. Code 1788.17 imports 1692b-1692j for creditors (decisions.md D-10).
        if fed_role or "CA" in states:
            packs.add("FED")
        packs.update([_STATE_PACKS[s] for s in states if s in _STATE_PACKS])
        if nyc:
            packs.add("NYC")
    known = not us_person or bool(states)
    return Selection(frozenset(packs), states, known)


_ORDERED: dict[frozenset[str], tuple[str, ...]] = {}


def ordered(packs: frozenset[str]) -> tuple[str, ...]:
    """The selected packs in PACK_ORDER (a handful of selections exist: cached)."""
    found = _ORDERED.get(packs)
    if found is None:
        found = _ORDERED[packs] = tuple(p for p in PACK_ORDER if p in packs)
    return found


class Plan(NamedTuple):
    """The trace skeleton of one (version, packs, action, channel) combination: every rule's
    NOT_APPLICABLE result in order, plus the positions of the rules that may apply."""

    template: tuple[RuleResult, ...]
    active: tuple[tuple[int, RuleDef], ...]
    # The rules that may apply as (position, applies, check): the hot loop calls them directly.
    # `applies` is None when it is static and true for this plan (see _calls).
    calls: tuple[tuple[int, Predicate | None, Check], ...]


def _calls(
    active: tuple[tuple[int, RuleDef], ...], facts: Facts
) -> tuple[tuple[int, Predicate | None, Check], ...]:
    """The hot loop's calls. A static predicate (results.static) has the same answer for every
    decision with this plan's key, so it is answered here: a false one drops the rule (its
    NOT_APPLICABLE stays in the template), a true one is replaced by None (no call)."""
    calls: list[tuple[int, Predicate | None, Check]] = []
    for i, r in active:
        if isinstance(r.applies, Guarded):
            if r.applies.static(facts):
                calls.append((i, r.applies.rest, r.check_function))
        elif r.applies not in STATIC_PREDICATES:
            calls.append((i, r.applies, r.check_function))
        elif r.applies(facts):
            calls.append((i, None, r.check_function))
    return tuple(calls)


_PLANS: dict[tuple[str, tuple[str, ...], object, object], Plan] = {}


def plan(version: PackVersion, packs: tuple[str, ...], facts: Facts) -> Plan:
    """The rules of the selected packs in order, narrowed to their static scopes.

    A rule whose declared scope (action and channel) excludes this proposal keeps its
    precomputed NOT_APPLICABLE result in the template, so the trace still lists every rule
    while the hot path skips it. Plans are cached: there are only a few hundred combinations."""
    key = (version.version, packs, facts.proposal.action, facts.channel)
    found = _PLANS.get(key)
    if found is None:
        rules = [r for p in packs for r in version.rules.get(p, ())]
        active = tuple((i, r) for i, r in enumerate(rules) if r.in_scope(facts))
        found = Plan(tuple(r.not_applicable for r in rules), active, _calls(active, facts))
        _PLANS[key] = found
    return found
