"""How long an approval lives (decisions.md D-23).

An approval counts at its intended instant, and caps count local calendar days, so it must not
be usable on another local day: it expires at the earliest local midnight after the intended
instant in any candidate zone, or after the configured lifetime, whichever comes first. The
rules were judged at the intended instant only; a window that closes during the lifetime (21:00,
the 20:45 last dial, a designated inconvenient time starting) would otherwise be crossed. So the
same proposal is judged again at the last instant of the lifetime, and the lifetime shrinks
until that instant passes too. (A designated window that both starts and ends inside the
lifetime is not seen; keep the lifetime short.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from compliance.domain import EvaluationContext
from compliance.domain.timezones import candidate_tz, local_date, local_midnight

FALLBACKS = (timedelta(minutes=5), timedelta(minutes=1), timedelta(seconds=1))
_LAST = timedelta(microseconds=1)

# Whether the same proposal, sent at the given instant instead, is still allowed
# (compliance.domain.decision.Judged.allowed_at).
AllowedAt = Callable[[datetime], bool]


def end_of_local_day(ctx: EvaluationContext) -> datetime | None:
    at = ctx.proposal.intended_send_at
    zones = candidate_tz(ctx.person, ctx.endpoints).zones
    ends = [local_midnight(local_date(at, z) + timedelta(days=1), z) for z in zones]
    return min(ends) if ends else None


def expiry(ctx: EvaluationContext, ttl: timedelta, allowed_at: AllowedAt) -> datetime:
    start = ctx.proposal.intended_send_at
    day_end = end_of_local_day(ctx)
    lifetimes = (ttl, *(f for f in FALLBACKS if f < ttl))
    for lifetime in lifetimes:
        candidate = start + lifetime
        if day_end is not None:
            candidate = min(candidate, day_end)
        last = candidate - _LAST
        if last <= start or allowed_at(last):
            return candidate
    return start + min(lifetimes[-1], (day_end - start) if day_end else lifetimes[-1])
