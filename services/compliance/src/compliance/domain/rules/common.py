"""Predicates and small helpers shared by the rule modules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, time
from typing import TypeVar

from compliance.domain.caps import Breach, ContactLike, check_days
from compliance.domain.context import CHANNEL_MEDIUM, Channel, Collector, Debt, Medium, PlaceKind
from compliance.domain.facts import Facts
from compliance.domain.results import STATIC_PREDICATES, static
from compliance.domain.timezones import next_window_open, outside_window

T = TypeVar("T")


def memo(f: Facts, key: str, compute: Callable[[Facts], T]) -> T:
    """Compute a helper's answer once per evaluation (several rules read the same one)."""
    if key not in f.memo:
        f.memo[key] = compute(f)
    return f.memo[key]  # type: ignore[return-value]


@static
def contact(f: Facts) -> bool:
    return f.is_contact and f.channel is not None


@static
def fed_contact(f: Facts) -> bool:
    return f.fed and f.is_contact and f.channel is not None


@static
def fed_call(f: Facts) -> bool:
    return f.fed and f.is_contact and f.is_call


@static
def fed_electronic(f: Facts) -> bool:
    return f.fed and f.is_contact and f.is_electronic


def fed_channel(*channels: Channel) -> Callable[[Facts], bool]:
    wanted = frozenset(channels)

    @static
    def applies(f: Facts) -> bool:
        return f.fed and f.is_contact and f.channel in wanted

    return applies


def in_pack(pack: str, base: Callable[[Facts], bool] = contact) -> Callable[[Facts], bool]:
    def applies(f: Facts) -> bool:
        return pack in f.packs and base(f)

    return static(applies) if base in STATIC_PREDICATES else applies


# Channels whose send instant is when the person is reached. A letter reaches the person on
# delivery, not when it is printed, so the send-time window does not judge letters
# (decisions.md D-12).
TIMED_CHANNELS = frozenset(
    {Channel.CALL, Channel.VOICEMAIL, Channel.SMS, Channel.EMAIL, Channel.SOCIAL_DM, Channel.VISIT}
)


@static
def timed_contact(f: Facts) -> bool:
    return f.is_contact and f.channel in TIMED_CHANNELS


def endpoint_place(f: Facts) -> PlaceKind | None:
    endpoint = f.endpoint
    if endpoint is None:
        return None
    return endpoint.place


def window_breach(f: Facts, start: time, end: time) -> tuple[list[str], datetime | None]:
    """Zones where the send instant is outside the strict window, and the next opening."""
    for local in f.local_times:
        if not start < local < end:
            break
    else:
        return [], None
    outside = outside_window(f.t, f.zones, start, end)
    return outside, next_window_open(f.t, f.zones, start, end)


def zones_missing(f: Facts) -> tuple[str, ...]:
    """Field paths to report when the candidate zones are not all known (fail closed): no
    usable zone at all, (2026.12.1, decisions.md D-43) an address without a zone, or
    (2026.12.2, switch `invalid_zone_fatal`, D-58) a zone that is not a known IANA name,
    since the local time at that location is unknown whatever the other zones say (D-02)."""
    tz = f.tz
    missing = tz.missing  # always () unless the version sets address_zone_required
    if tz.invalid and f.policy.invalid_zone_fatal:
        missing = tz.invalid + missing
    if f.zones:
        return missing
    paths = (tz.invalid + tz.missing) or ("person.addresses[].tz",)
    return paths + tuple(f"endpoints[{e}].e164" for e in tz.unknown_phones)


def debts_with(f: Facts, keep: Callable[[Debt], bool]) -> list[Debt]:
    return [d for d in f.proposal_debts if keep(d)]


def one_reply_open(f: Facts, medium: Medium | None, since: datetime | None = None) -> bool:
    """The person contacted us through `medium` (after `since`) and we have not replied through
    it yet: 1006.6(b)(4)(i) and 1006.14(h)(2)(ii) allow exactly one reply in the same medium."""
    if medium is None or not f.proposal.responding_to_consumer_request:
        return False
    inbound = [
        c.at
        for c in f.own_contacts()
        if not c.collector_initiated
        and CHANNEL_MEDIUM[c.channel] is medium
        and c.at <= f.t
        and (since is None or c.at >= since)
    ]
    if not inbound:
        return False
    last_in = max(inbound)
    return not any(
        c.collector_initiated and CHANNEL_MEDIUM[c.channel] is medium and last_in < c.at
        for c in f.own_contacts()
    )


def cap_breach(f: Facts, contacts: Iterable[ContactLike], *, days: int, cap: int) -> Breach | None:
    """Would the proposal push any `days`-day window of these contacts over `cap`?"""
    listed = contacts if isinstance(contacts, list | tuple) else list(contacts)
    if len(listed) < cap:
        return None  # cheap exit before any time-zone arithmetic
    return check_days([f.days_of(c) for c in listed], f.send_days, f.zones, days, cap)


def revealing_creditor(collector: Collector) -> str | None:
    """decisions.md D-76, D-103: the creditor's name reveals the debt to whoever hears it (a
    voicemail, a location contact), unless the creditor is the collector itself (its own name
    is the business name it must give)."""
    creditor = collector.creditor_name.strip()
    own = {n.casefold() for n in (collector.business_name, collector.lcm_business_name) if n}
    return creditor if creditor and creditor.casefold() not in own else None
