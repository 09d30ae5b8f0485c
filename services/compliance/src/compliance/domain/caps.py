"""Contact counting for the frequency caps, including approvals not yet attempted.

Architecture step 5: an approval counts against caps the moment it is granted, so two requests
for the same person can never both take the last free slot. The live gate serialises decisions
per person and passes every granted-but-not-yet-attempted approval in
`EvaluationContext.approvals`; `contacts()` merges them with the history, treating each one as a
contact that will happen at its intended send instant (and, for a call, as a connected call that
reaches the person, the worst case for every counter).

Windows are counted in local calendar days. Because the regulation does not say whose calendar,
each window is evaluated separately in every candidate zone and the worst one is used
(decisions.md D-06). A new contact on day d must keep *every* window containing d within the
cap, not just the window ending on d: an approval may be for a later instant than one requested
after it, and checking only the trailing window would then let an earlier-dated request squeeze
an eighth call into a window that already holds seven.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from compliance.domain.context import (
    Channel,
    Consent,
    ConsentKind,
    ContactEvent,
    GrantedApproval,
    PersonRole,
)
from compliance.domain.timezones import local_date, local_midnight

CALL_CHANNELS = frozenset({Channel.CALL, Channel.VOICEMAIL})
ELECTRONIC_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS, Channel.SOCIAL_DM})

# FED-FREQ-EXCL (iii), 1006.14(b)(3)(iii): calls to these recipients are not counted.
EXCLUDED_RECIPIENTS = frozenset(
    {
        PersonRole.CONSUMER_ATTORNEY,
        PersonRole.CONSUMER_REPORTING_AGENCY,
        PersonRole.CREDITOR,
        PersonRole.CREDITOR_ATTORNEY,
        PersonRole.COLLECTOR_ATTORNEY,
    }
)


class ContactLike(Protocol):
    """What the counters read from a past contact, an outstanding approval or the proposal.

    `ContactEvent` and `GrantedApproval` provide it directly, so counting converts nothing."""

    @property
    def key(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def channel(self) -> Channel: ...
    @property
    def endpoint_id(self) -> str | None: ...
    @property
    def person_id(self) -> str: ...
    @property
    def recipient_role(self) -> PersonRole: ...
    @property
    def debt_ids(self) -> frozenset[str]: ...
    @property
    def collector_initiated(self) -> bool: ...
    @property
    def responding(self) -> bool: ...
    @property
    def connected(self) -> bool | None: ...
    @property
    def conversation(self) -> bool: ...
    @property
    def consent_id(self) -> str | None: ...
    @property
    def contacted_someone(self) -> bool: ...
    @property
    def consent_request(self) -> bool: ...
    @property
    def location_contact(self) -> bool: ...
    @property
    def pending(self) -> bool: ...


Contact = ContactLike


class ProposedContact(NamedTuple):
    """The proposal itself, seen by the counters (for FED-FREQ-EXCL on the proposed call)."""

    key: str
    at: datetime
    channel: Channel
    endpoint_id: str | None
    person_id: str
    recipient_role: PersonRole
    debt_ids: frozenset[str]
    collector_initiated: bool = True
    responding: bool = False
    connected: bool | None = None
    conversation: bool = False
    consent_id: str | None = None
    contacted_someone: bool = True
    consent_request: bool = False
    location_contact: bool = False
    pending: bool = True


# decisions.md D-23: outstanding approvals are counted as the worst case.
def contacts(
    history: Sequence[ContactEvent], approvals: Sequence[GrantedApproval]
) -> tuple[ContactLike, ...]:
    """History plus approvals that no attempt in the history has consumed yet."""
    if not approvals:
        return tuple(history)
    used = {e.approval_id for e in history if e.approval_id is not None}
    return (*history, *(a for a in approvals if a.approval_id not in used))


def _consent_day_span(consent_at: datetime, call_at: datetime, zones: Sequence[ZoneInfo]) -> bool:
    # The consent day is day 1 of the 7 consecutive days (1006.14(b)(3)(i)); it must hold on
    # every candidate calendar to be safe.
    for z in zones:
        gap = (local_date(call_at, z) - local_date(consent_at, z)).days
        if not 0 <= gap <= 6:
            return False
    return True


def _consent_still_open(consent: Consent, call: Contact, all_contacts: Sequence[Contact]) -> bool:
    # Comment 14(b)(3)(i)-2: the consent is used up once the requested conversation happened.
    return not any(
        c.conversation and consent.given_at <= c.at < call.at and c.debt_ids & call.debt_ids
        for c in all_contacts
    )


def consent_in_force(consent: Consent, at: datetime) -> bool:
    """Given by `at` (so prior to a contact at `at`), not withdrawn, within its validity."""
    if consent.given_at > at:
        return False
    if consent.withdrawn_at is not None and consent.withdrawn_at <= at:
        return False
    if consent.valid_from is not None and at < consent.valid_from:
        return False
    return consent.valid_until is None or at <= consent.valid_until


DebtKeys = Callable[[frozenset[str]], frozenset[str]]


def _consent_covers(
    consent: Consent, call: Contact, all_contacts: Sequence[Contact], keys: DebtKeys
) -> bool:
    """decisions.md D-57 (2026.12.2): the consent is in force at the call and was given before
    it, covers every debt of the call, and no conversation since it was given used it up.
    Used up, failing closed: an unscoped consent by any conversation; a scoped one by a
    conversation about any debt of the consent or the call, compared by frequency group
    (1006.14(b)(4)); a conversation recorded without debts is about every debt."""
    if not consent_in_force(consent, call.at):
        return False
    if consent.debt_ids and not (call.debt_ids and call.debt_ids <= consent.debt_ids):
        return False  # a call recorded without debts is not known to be in scope (D-60)
    wanted = keys(consent.debt_ids | call.debt_ids) if consent.debt_ids else None
    return not any(
        c.conversation
        and consent.given_at <= c.at < call.at
        and (wanted is None or not c.debt_ids or bool(keys(c.debt_ids) & wanted))
        for c in all_contacts
    )


# decisions.md D-24: unknown connection counts; consent must hold in every candidate zone.
def fed_exclusion(
    call: Contact,
    consents: Mapping[str, Consent],
    all_contacts: Sequence[Contact],
    zones: Sequence[ZoneInfo],
    *,
    keys: DebtKeys | None = None,
) -> str | None:
    """FED-FREQ-EXCL: why a call is excluded from both Reg F counters, or None if it counts.

    `keys` (debt ids -> frequency groups) selects the 2026.12.2 consent test (D-57); without
    it the 2026.12.1 test applies, so that version replays."""
    if call.connected is False:
        return "not connected to the dialed number (1006.14(b)(3)(ii))"
    if call.recipient_role in EXCLUDED_RECIPIENTS:
        return f"placed to {call.recipient_role.value} (1006.14(b)(3)(iii))"
    consent = consents.get(call.consent_id) if call.consent_id else None
    if (
        consent is not None
        and consent.kind is ConsentKind.CALL_FREQUENCY
        and consent.given_directly_to_collector
        and (consent.withdrawn_at is None or consent.withdrawn_at > call.at)
        and _consent_day_span(consent.given_at, call.at, zones)
        and (
            _consent_still_open(consent, call, all_contacts)
            if keys is None
            else _consent_covers(consent, call, all_contacts, keys)
        )
    ):
        return f"placed with prior consent {consent.consent_id} (1006.14(b)(3)(i))"
    return None


class Breach(NamedTuple):
    zone: str
    day: date
    peak: int
    retry_at: datetime | None


def window_peak(days: Sequence[date], day: date, length: int) -> int:
    """Largest number of `days` (sorted) in any `length`-day window that contains `day`.

    The maximum is reached by a window starting on an event day or by the last window, so only
    those starts are tried."""
    first = day - timedelta(days=length - 1)
    lo, hi = bisect_left(days, first), bisect_right(days, day)
    starts = {day, *days[lo:hi]}
    best = 0
    for start in starts:
        end = start + timedelta(days=length - 1)
        count = bisect_right(days, end) - bisect_left(days, start)
        best = max(best, count)
    return best


def _first_free_day(days: Sequence[date], day: date, length: int, cap: int) -> date | None:
    ahead = max(0, (days[-1] - day).days) if days else 0
    horizon = day + timedelta(days=2 * length + ahead)
    probe = day
    while probe <= horizon:
        if window_peak(days, probe, length) < cap:
            return probe
        probe += timedelta(days=1)
    return None


def check_window(
    instants: Iterable[datetime],
    at: datetime,
    zones: Sequence[ZoneInfo],
    *,
    length_days: int,
    cap: int,
) -> Breach | None:
    """Would one more contact at `at` push any `length_days`-day window over `cap`?

    Returns the worst breach over the candidate zones (its retry_at is the latest of the zones'
    retry instants, since every zone must be clear), or None when the contact fits."""
    moments = tuple(instants)
    if len(moments) < cap:
        return None
    days = [tuple(local_date(m, z) for z in zones) for m in moments]
    return check_days(days, tuple(local_date(at, z) for z in zones), zones, length_days, cap)


def check_days(
    days: Sequence[Sequence[date]],
    send_days: Sequence[date],
    zones: Sequence[ZoneInfo],
    length_days: int,
    cap: int,
) -> Breach | None:
    """`check_window` on precomputed local dates: `days[i][k]` is contact i's date in zone k."""
    if len(days) < cap:
        return None
    worst: Breach | None = None
    retries: list[datetime | None] = []
    for k, z in enumerate(zones):
        column = sorted(d[k] for d in days)
        peak = window_peak(column, send_days[k], length_days)
        if peak < cap:
            continue
        free = _first_free_day(column, send_days[k], length_days, cap)
        retries.append(local_midnight(free, z) if free is not None else None)
        if worst is None or peak > worst.peak:
            worst = Breach(z.key, send_days[k], peak, None)
    if worst is None:
        return None
    known = [r for r in retries if r is not None]
    retry = max(known) if known and len(known) == len(retries) else None
    return worst._replace(retry_at=retry)


def matching(
    all_contacts: Iterable[Contact], keep: Callable[[Contact], bool]
) -> tuple[datetime, ...]:
    return tuple(c.at for c in all_contacts if keep(c))
