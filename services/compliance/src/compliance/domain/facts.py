"""Per-evaluation view of the context: derived facts computed once, on first use.

Rules receive a `Facts`, which carries the validated `EvaluationContext` (`facts.ctx`) plus
memoised derivations (candidate zones, content findings, counted contacts). Nothing is
re-validated and nothing is computed unless a rule that applies asks for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from compliance.domain import caps
from compliance.domain.caps import CALL_CHANNELS, ELECTRONIC_CHANNELS, Contact, ContactLike
from compliance.domain.context import (
    CHANNEL_MEDIUM,
    ActionKind,
    Channel,
    CollectorRole,
    Consent,
    ConsentKind,
    Debt,
    Endpoint,
    EvaluationContext,
    Medium,
    PersonRole,
    TemplateType,
)
from compliance.domain.lazy import lazy
from compliance.domain.lexicon import ContentFindings, analyse
from compliance.domain.policy_params import PolicyParams
from compliance.domain.timezones import CandidateZones, candidate_tz

WRITTEN_CHANNELS = frozenset({Channel.LETTER, Channel.EMAIL, Channel.SMS, Channel.SOCIAL_DM})

# 1692c(d) / 1006.6(a): who counts as "the consumer" for time, place, cease and third parties.
CONSUMER_ROLES = frozenset(
    {
        PersonRole.CONSUMER,
        PersonRole.SPOUSE,
        PersonRole.PARENT_OF_MINOR,
        PersonRole.GUARDIAN,
        PersonRole.EXECUTOR_OR_ADMINISTRATOR,
        PersonRole.SUCCESSOR_IN_INTEREST,
    }
)

FIRST_PARTY_ROLES = frozenset({CollectorRole.CREDITOR_OWN_NAME})

_KNOWN_CHANNELS = {c.value: c for c in Channel}


class Facts:
    def __init__(
        self,
        ctx: EvaluationContext,
        policy: PolicyParams,
        packs: frozenset[str],
        *,
        jurisdiction_known: bool = True,
    ) -> None:
        self.ctx = ctx
        self.jurisdiction_known = jurisdiction_known
        self.proposal = ctx.proposal
        self.t: datetime = ctx.proposal.intended_send_at
        self.policy = policy
        self.packs = packs
        self.template: TemplateType | None = ctx.proposal.template_type
        self.is_contact = ctx.proposal.action is ActionKind.CONTACT
        self.channel: Channel | None = _KNOWN_CHANNELS.get(ctx.proposal.channel or "")
        self.is_call = self.channel in CALL_CHANNELS
        self.is_electronic = self.channel in ELECTRONIC_CHANNELS
        self.is_written = self.channel in WRITTEN_CHANNELS
        self.medium: Medium | None = CHANNEL_MEDIUM.get(self.channel) if self.channel else None
        self.fed = "FED" in packs
        # Read by most rules; two set look-ups are cheaper here than lazy derivations.
        self.to_consumer = ctx.person.role in CONSUMER_ROLES
        self.first_party = ctx.collector.role in FIRST_PARTY_ROLES
        # Scratch space for helpers shared by several rules (FED-TP-EXCEPT, FED-FREQ-EXCL).
        self.memo: dict[str, object] = {}
        self._days: dict[str, tuple[date, ...]] = {}
        self._near: dict[int, tuple[Contact, ...]] = {}

    def at(self, later: EvaluationContext) -> Facts:
        """Facts for `later`, which must be this context with only the proposal's instant
        changed (an approval's end-of-lifetime check): the derivations in _TIMELESS read
        neither the instant nor anything else that differs, so they are shared as computed so
        far; everything else (local times, nearby contacts, rule memos) starts afresh."""
        facts = Facts(later, self.policy, self.packs, jurisdiction_known=self.jurisdiction_known)
        mine, theirs = self.__dict__, facts.__dict__
        for name in _TIMELESS:
            if name in mine:
                theirs[name] = mine[name]
        return facts

    # --- people and places ---------------------------------------------------------------

    @lazy
    def tz(self) -> CandidateZones:
        found = candidate_tz(
            self.ctx.person,
            self.ctx.endpoints,
            address_zone_required=self.policy.address_zone_required,
        )
        self.__dict__["zones"] = found.zones  # read by most rules: set with the zones
        return found

    @lazy
    def zones(self) -> tuple[ZoneInfo, ...]:
        return self.tz.zones

    @lazy
    def local_sends(self) -> tuple[datetime, ...]:
        """The send instant in each candidate zone (same order as zones), converted once."""
        t = self.t
        return tuple([t.astimezone(z) for z in self.zones])

    @lazy
    def local_times(self) -> tuple[time, ...]:
        """Wall-clock time of the send instant in each candidate zone (same order as zones)."""
        t = self.t
        sends = self.__dict__.get("local_sends")
        if sends is None:
            sends = self.__dict__["local_sends"] = tuple([t.astimezone(z) for z in self.zones])
        return tuple([local.time() for local in sends])

    @lazy
    def send_days(self) -> tuple[date, ...]:
        return tuple([local.date() for local in self.local_sends])

    def days_of(self, c: ContactLike) -> tuple[date, ...]:
        """Local date of a contact in each candidate zone, computed once per evaluation."""
        found = self._days.get(c.key)
        if found is None:
            found = self._days[c.key] = tuple(c.at.astimezone(z).date() for z in self.zones)
        return found

    @lazy
    def endpoints(self) -> dict[str, Endpoint]:
        return {e.endpoint_id: e for e in self.ctx.endpoints}

    @lazy
    def endpoint(self) -> Endpoint | None:
        eid = self.proposal.endpoint_id
        return self.endpoints.get(eid) if eid else None

    # --- debts ---------------------------------------------------------------------------

    def _index_debts(self) -> _DebtIndex:
        """The six debt derivations below in one pass: most decisions read all of them, and
        one computation is cheaper than six lazy look-ups. Each is what its own name says."""
        debts: dict[str, Debt] = {}
        groups: dict[str, str] = {}
        for d in self.ctx.debts:
            debts[d.debt_id] = d
            if d.frequency_group:
                groups[d.debt_id] = d.frequency_group
        wanted = self.proposal.debt_ids
        chosen = tuple([debts[i] for i in sorted(wanted) if i in debts])
        marks: set[str] = set()
        for d in chosen:
            if d.attorney is not None:
                marks.add("attorney")
            if d.cease is not None:
                marks.add("cease")
            if d.disputes:
                marks.add("disputes")
            if d.oc_request_at:
                marks.add("oc_request")
        missing = (
            () if wanted <= debts.keys() else tuple(sorted(i for i in wanted if i not in debts))
        )
        keys = frozenset(groups.get(i, i) for i in wanted) if groups else wanted
        index = _DebtIndex(debts, groups, chosen, frozenset(marks), missing, keys)
        found = self.__dict__
        found["debts"], found["_groups"], found["proposal_debts"] = debts, groups, chosen
        found["debt_marks"], found["missing_debts"] = index.marks, missing
        found["proposal_debt_keys"] = keys
        return index

    @lazy
    def debts(self) -> dict[str, Debt]:
        return self._index_debts().debts

    @lazy
    def proposal_debts(self) -> tuple[Debt, ...]:
        """The proposal's debts the context lists, in debt id order."""
        return self._index_debts().proposal_debts

    @lazy
    def debt_marks(self) -> frozenset[str]:
        """Which optional records any of the proposal's debts carries ("attorney", "cease",
        "disputes", "oc_request"): rules about them skip their per-debt scan when none does."""
        return self._index_debts().marks

    @lazy
    def missing_debts(self) -> tuple[str, ...]:
        """The proposal's debt ids the context does not list, sorted."""
        return self._index_debts().missing

    @lazy
    def _groups(self) -> dict[str, str]:
        """Debt id -> frequency group, for the debts that have one."""
        return self._index_debts().groups

    @lazy
    def proposal_debt_keys(self) -> frozenset[str]:
        """keys_of(the proposal's debt ids)."""
        return self._index_debts().keys

    def debt_key(self, debt_id: str) -> str:
        """1006.14(b)(4): student loans under one account number count as one debt."""
        return self._groups.get(debt_id, debt_id)

    def keys_of(self, debt_ids: frozenset[str]) -> frozenset[str]:
        if not self._groups:
            return debt_ids
        return frozenset(self.debt_key(i) for i in debt_ids)

    # --- content -------------------------------------------------------------------------

    @lazy
    def content(self) -> ContentFindings:
        # Every rule of a version reads one lexicon revision: from 2026.12.2 the second
        # (decisions.md D-80), so the text is analysed once, not once per revision.
        return analyse(self.proposal.content, 2 if self.policy.content_lexicon_v2 else 1)

    # --- history -------------------------------------------------------------------------

    @lazy
    def contacts(self) -> tuple[Contact, ...]:
        return caps.contacts(self.ctx.history, self.ctx.approvals)

    @lazy
    def consents(self) -> dict[str, Consent]:
        return {c.consent_id: c for c in self.ctx.person.consents}

    def live_consent(
        self, kind: ConsentKind, *, endpoint_id: str | None = None, written: bool = False
    ) -> Consent | None:
        """A consent of `kind` in force at the send instant, given directly by the person."""
        for consent in self.ctx.person.consents:
            if self._usable(consent, kind, endpoint_id, written):
                return consent
        return None

    def live_consents(
        self, kind: ConsentKind, *, endpoint_id: str | None, written: bool = False
    ) -> list[Consent]:
        """Every consent `live_consent` could return, in the order recorded (a scoped consent
        may cover what the first one does not: FED-TP-EXCEPT from 2026.12.1, D-47)."""
        return [c for c in self.ctx.person.consents
                if self._usable(c, kind, endpoint_id, written)]

    def _usable(
        self, consent: Consent, kind: ConsentKind, endpoint_id: str | None, written: bool
    ) -> bool:
        if consent.kind is not kind or not consent.given_directly_to_collector:
            return False
        if written and not consent.written:
            return False
        if consent.endpoint_id is not None and consent.endpoint_id != endpoint_id:
            return False
        if consent.debt_ids and not self.proposal.debt_ids <= consent.debt_ids:
            return False
        return _in_force(consent, self.t)

    def near(self, days: int) -> tuple[Contact, ...]:
        """This person's contacts within `days` + 1 days either side of the send instant.

        Any `days`-day window of local dates that contains the send day lies inside this span
        whatever the candidate zones (their offsets differ by less than a day), so caps can
        ignore everything else without changing an answer."""
        found = self._near.get(days)
        if found is None:
            span = timedelta(days=days + 1)
            low, high, pid = self.t - span, self.t + span, self.ctx.person.person_id
            found = tuple([c for c in self.contacts if low <= c.at <= high and c.person_id == pid])
            self._near[days] = found
        return found

    @lazy
    def initiated_calls(self) -> tuple[Contact, ...]:
        """Collector-initiated calls and voicemails in `near(7)`, in order (indexed once: the
        Reg F counters and the harassment reviews all start from them)."""
        return tuple(
            [c for c in self.near(7) if c.channel in CALL_CHANNELS and c.collector_initiated]
        )

    def own_contacts(self) -> Iterable[Contact]:
        """Contacts with this person (history is partitioned per person, but be explicit)."""
        pid = self.ctx.person.person_id
        return (c for c in self.contacts if c.person_id == pid)


class _DebtIndex(NamedTuple):
    debts: dict[str, Debt]
    groups: dict[str, str]
    proposal_debts: tuple[Debt, ...]
    marks: frozenset[str]
    missing: tuple[str, ...]
    keys: frozenset[str]


# Lazy derivations of Facts that depend on neither the send instant nor any other part of the
# proposal that Facts.at may change (see each one: zones, endpoints, debts, content, contacts).
_TIMELESS = (
    "tz",
    "zones",
    "endpoints",
    "endpoint",
    "debts",
    "_groups",
    "proposal_debts",
    "debt_marks",
    "missing_debts",
    "proposal_debt_keys",
    "content",
    "contacts",
    "consents",
)


# One definition of "in force", shared with FED-FREQ-EXCL (caps.consent_in_force, D-57).
_in_force = caps.consent_in_force
