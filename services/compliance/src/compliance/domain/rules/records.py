"""Reference section 2f: actions that are not outreach (pack FED).

These rules gate `Proposal.action == FURNISH` (reporting to a consumer reporting agency) and
`PURGE` (deleting records); every outreach rule treats those actions as not applicable.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from compliance.domain.context import ActionKind, Channel, Debt
from compliance.domain.facts import Facts
from compliance.domain.results import RuleDef, RuleResult
from compliance.domain.rules import scope

FED = "FED"

# comment 30(a)(1)-2,-3: 14 consecutive days of monitoring for undeliverability is reasonable.
_MONITORING = timedelta(days=14)
_MESSAGE_CHANNELS = frozenset({Channel.LETTER, Channel.EMAIL, Channel.SMS})

NO_PARKING = RuleDef(
    "FED-NO-PARKING",
    pack=FED,
    citation="1006.30(a)(1),(2) [V]; comment 30(a)(1)-2,-3 [V]",
    reads=("history", "proposal.debt_ids"),
    applies=lambda f: f.fed and f.proposal.action is ActionKind.FURNISH,
    actions=scope.FURNISH,
)


# decisions.md D-30: what clears furnishing.
def _spoke(f: Facts, debt: Debt) -> bool:
    return any(
        c.conversation and c.channel in (Channel.CALL, Channel.VISIT) and debt.debt_id in c.debt_ids
        for c in f.contacts
        if c.at <= f.t and not c.pending
    )


def _message_clears_at(f: Facts, debt: Debt) -> list[datetime]:
    """For each letter or electronic message about the debt that was not returned: the instant
    its 14-day monitoring period ends."""
    bounced = {e.event_id for e in f.ctx.history if e.undeliverable_at is not None}
    return [
        c.at + _MONITORING
        for c in f.contacts
        if c.collector_initiated
        and not c.pending
        and c.channel in _MESSAGE_CHANNELS
        and debt.debt_id in c.debt_ids
        and c.key not in bounced
        and c.at <= f.t
    ]


def _parking_block(f: Facts, debt: Debt) -> tuple[bool, datetime | None]:
    if _spoke(f, debt):
        return False, None
    clears = _message_clears_at(f, debt)
    if any(at <= f.t for at in clears):
        return False, None
    return True, min(clears) if clears else None


@NO_PARKING.check
def check_no_parking(f: Facts) -> RuleResult:
    blocked = {d.debt_id: _parking_block(f, d) for d in f.proposal_debts}
    waiting = {i: r for i, (b, r) in blocked.items() if b}
    if not waiting:
        return NO_PARKING.allow(
            "We spoke with the person, or a message went unreturned for 14 days."
        )
    retries = list(waiting.values())
    retry = None if any(r is None for r in retries) else max(r for r in retries if r is not None)
    return NO_PARKING.block(
        "Blocked: no furnishing before we speak with the person or a letter or electronic "
        "message about the debt has gone 14 days without being returned ("
        + ", ".join(sorted(waiting))
        + ").",
        {"debts": sorted(waiting)},
        retry_at=retry,
    )


RECORDS = RuleDef(
    "FED-RECORDS",
    pack=FED,
    citation="1006.100(a),(b) [V]",
    reads=("proposal.purge", "debts[].last_collection_activity_at"),
    applies=lambda f: f.fed and f.proposal.action is ActionKind.PURGE,
    actions=scope.PURGE,
)


# decisions.md D-31.
def _plus_three_years(at: datetime) -> datetime:
    try:
        return at.replace(year=at.year + 3)
    except ValueError:  # 29 February: the later date is the safe one
        return datetime.combine(date(at.year + 3, 3, 1), at.timetz())


@RECORDS.check
def check_records(f: Facts) -> RuleResult:
    purge = f.proposal.purge
    if purge is None:
        return RECORDS.missing_data("proposal.purge")
    if purge.record_kind == "call_recording":
        if purge.recorded_at is None:
            return RECORDS.missing_data("proposal.purge.recorded_at")
        keep_until = _plus_three_years(purge.recorded_at)
    else:
        debt = f.debts.get(purge.debt_id)
        if debt is None or debt.last_collection_activity_at is None:
            return RECORDS.missing_data(f"debts[{purge.debt_id}].last_collection_activity_at")
        keep_until = _plus_three_years(debt.last_collection_activity_at)
    if f.t < keep_until:
        return RECORDS.block(
            f"Blocked: these records must be kept until {keep_until.isoformat()} "
            "(3 years after the last collection activity, or after the call for recordings).",
            {"keep_until": keep_until.isoformat()},
            retry_at=keep_until,
        )
    return RECORDS.ok("The 3-year retention period has passed.")


RULES = (NO_PARKING, RECORDS)


# 2026.12.1 rule -> its 2026.12.2 replacement (same position in the pack; packs.V2026_12_2).
REPLACED_IN_2026_12_2: dict[RuleDef, RuleDef] = {}
