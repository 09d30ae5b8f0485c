"""The compliance service layer: each command reads the person (one query: the snapshot at the
stream's head, or a replay), decides, appends with the version it read (the person's new
snapshot, and a decision's row, in the append's statement) and writes its other read models, all
in the caller's transaction.

Two decisions for one person (the Kafka gate and an HTTP check, or two instances) both append
at the version they read; the loser gets ConcurrencyError, reloads (now seeing the winner's
approval among the outstanding ones) and decides again. That is how an approval counts against
caps when granted (architecture, gate step 5).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import asyncpg
import orjson
import structlog

from compliance.adapters import metrics, projections
from compliance.adapters.person_stream import Cause, Loaded, PersonStreams
from compliance.adapters.signing import ApprovalSigner
from compliance.service_layer import attempts, outcomes
from compliance.service_layer import events as ev
from compliance.service_layer.disputes import dispute_fact
from compliance.service_layer.facts import Fact, Profile, debt_of
from compliance.service_layer.gate import Verdict, decide
from compliance.service_layer.records import Pending, decision_events
from compliance.service_layer.requests import GateRequest
from compliance.service_layer.state import PersonState
from goodfaith_events.contracts import ContactAttempted, DebtorErased, DisputeRaised
from goodfaith_events.ids import new_id
from goodfaith_runtime.clock import Clock
from goodfaith_runtime.eventstore import Alongside, ConcurrencyError

log = structlog.get_logger("compliance.gate")
# The `source` of a fact an attempt's outcome established (decisions.md D-42).
SOURCE_ATTEMPT = "outreach.ContactAttempted"
T = TypeVar("T")


class UnknownDebt(Exception):
    """A fact names a debt the person's recorded profile does not list."""


@dataclass(frozen=True)
class Checked:
    decision_id: str
    replayed: bool  # the request id was already decided: the earlier decision stands


class ComplianceService:
    def __init__(
        self, *, streams: PersonStreams, signer: ApprovalSigner, clock: Clock,
        approval_ttl: timedelta, max_attempts: int,
    ) -> None:
        self.streams, self.signer, self.clock = streams, signer, clock
        self._ttl, self._max_attempts = approval_ttl, max_attempts

    async def _retrying(self, conn: asyncpg.Connection, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` in the caller's transaction, again after a conflict.

        No savepoint is needed: the person stream's append is isolated (a conflict leaves the
        transaction usable, see PostgresEventStore.append_batch) and it is each command's first
        write, but for the person's data key, which a retry finds and keeps. So a conflict has
        written nothing to undo, and the retry reloads and decides again. Any other error
        leaves the transaction to the caller."""
        if not conn.is_in_transaction():
            async with conn.transaction():
                return await self._retrying(conn, work)
        for attempt in range(1, self._max_attempts + 1):
            try:
                return await work()
            except ConcurrencyError:
                metrics.CONFLICTS.inc()
                if attempt == self._max_attempts:
                    raise
        raise AssertionError("unreachable")

    async def check(
        self, conn: asyncpg.Connection, tenant: str, request: GateRequest,
        cause: Cause | None = None, *, queue: bool = False,
    ) -> Checked:
        """`queue=True` (HTTP, one person per transaction) waits its turn on a per-person lock
        instead of racing: many agents checking one person do not redo each other's work. The
        Kafka gate never takes it (its transactions span several persons, so waiting could
        deadlock); the partition already serialises it, and the version check still decides."""
        started = time.perf_counter()
        if queue:
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                               ev.person_stream(tenant, request.person_id))

        async def once() -> Checked:
            loaded = await self.streams.load_for_write(conn, tenant, request.person_id,
                                                       request.request_id)
            if loaded.earlier is not None:
                return Checked(loaded.earlier, True)
            household = await self._household(conn, loaded)
            verdict = decide(loaded.state, request, self.clock.now(), self._ttl,
                             [m.state for m in household])
            await self._store_decision(conn, loaded, verdict, cause, household)
            return Checked(verdict.decision_id, False)

        checked = await self._retrying(conn, once)
        metrics.LATENCY.labels(request.source).observe(time.perf_counter() - started)
        return checked

    async def _household(self, conn: asyncpg.Connection, loaded: Loaded) -> list[Loaded]:
        """The persons the profile names and the persons whose profiles name this one, read
        as for a write (decisions.md D-55): their records join the context, and an approval
        moves their streams. None without a profile: nothing is decided on then."""
        state = loaded.state
        if state.profile is None:
            return []
        linked = dict.fromkeys([*state.profile.get("household", ()), *loaded.named_by])
        return [await self.streams.load_for_write(conn, state.tenant, person_id)
                for person_id in linked if person_id != state.person_id]

    async def _store_decision(
        self, conn: asyncpg.Connection, loaded: Loaded, verdict: Verdict, cause: Cause | None,
        household: Sequence[Loaded] = (),
    ) -> None:
        state = loaded.state
        signature = None
        noted: list[Loaded] = []
        if verdict.approval is not None:
            signature = self.signer.sign(verdict.approval, person_id=state.person_id,
                                         endpoint=verdict.request.endpoint)
            # An approval counts against the household's caps too: it moves the streams of
            # the members whose records it was decided with, so a member's decision that read
            # them before conflicts and decides again, seeing this one (D-55). A block takes
            # nothing from any cap and moves nothing.
            noted = [m for m in household if m.state.known]
        row = Alongside(projections.DECISION_FUNCTION,
                   lambda stored: projections.decision_args(verdict, stored[0].stream_version))
        # The gate answers even for an erased person (a block: no profile to decide on), and
        # keeps that answer without their personal data.
        await self.streams.append(
            conn, loaded, decision_events(verdict, signature), cause, rows=row,
            after_erasure=True,
            also=[(m.state, household_noted(verdict, state.person_id)) for m in noted])
        metrics.count_decision(verdict.decision, verdict.request.source)
        log.info("compliance.decided", decision_id=verdict.decision_id,
                 outcome=verdict.decision.outcome.value, reasons=list(verdict.decision.reasons),
                 source=verdict.request.source)

    async def record_profile(
        self, conn: asyncpg.Connection, tenant: str, profile: Profile,
    ) -> int:
        person_id = profile.person.person_id
        body = profile.model_dump_json()

        async def once() -> int:
            loaded = await self.streams.load_for_write(conn, tenant, person_id)
            # Read before the append, which folds the new profile into the loaded state.
            named_before = (loaded.state.profile or {}).get("household", ())
            payload = {"person_id": person_id, "recorded_at": self.clock.now().isoformat(),
                       "body": body}
            done = await self.streams.append(
                conn, loaded, [Pending(ev.PROFILE_RECORDED, payload, ("body",))])
            version: int = done.state.version
            await projections.touch_person(conn, tenant, person_id, version, self.clock.now(),
                                           profile=True)
            if profile.household or named_before:
                await projections.set_household(conn, tenant, person_id, profile.household)
            return version

        return await self._retrying(conn, once)

    async def record_fact(
        self, conn: asyncpg.Connection, tenant: str, person_id: str, fact: Fact,
        *, source: str = "http", cause: Cause | None = None, fact_id: str | None = None,
        strict: bool = True,
    ) -> str:
        fact_id = fact_id or str(new_id())
        debt_id = debt_of(fact)

        async def once() -> str:
            loaded = await self.streams.load_for_write(conn, tenant, person_id)
            state = loaded.state
            if strict and debt_id is not None and state.profile is not None and debt_id not in {
                    d["debt_id"] for d in state.profile.get("debts", [])}:
                raise UnknownDebt(debt_id)
            pending = _fact_event(fact_id, person_id, fact, source, self.clock.now())
            done = await self.streams.append(conn, loaded, [pending], cause)
            await projections.touch_person(conn, tenant, person_id, done.state.version,
                                           self.clock.now())
            return fact_id

        return await self._retrying(conn, once)

    async def record_attempt(
        self, conn: asyncpg.Connection, tenant: str, attempt: ContactAttempted,
        cause: Cause | None = None,
    ) -> str | None:
        async def once() -> str | None:
            loaded = await self.streams.load_for_write(conn, tenant, attempt.person_id)
            state = loaded.state
            if attempt.attempt_id in state.attempts:
                return None  # the same attempt reported twice: it counts once
            reason = attempts.violation(state, attempt, await self._approved_endpoint(
                conn, loaded, attempt))
            pending = [_attempt_event(state, attempt)]
            pending += _outcome_facts(attempt, pending[0], self.clock.now())
            violation = _violation(attempt, reason, self.clock.now()) if reason else None
            if violation is not None:
                pending.append(violation[0])
            # Reported contacts are kept for an erased person too (D-38), their endpoint masked.
            done = await self.streams.append(conn, loaded, pending, cause, after_erasure=True)
            if violation is not None:
                await projections.record_violation(conn, tenant, violation[1])
                metrics.VIOLATIONS.labels(reason).inc()
            await projections.touch_person(conn, tenant, attempt.person_id,
                                           done.state.version, self.clock.now())
            return reason

        return await self._retrying(conn, once)

    async def _approved_endpoint(
        self, conn: asyncpg.Connection, loaded: Loaded, attempt: ContactAttempted,
    ) -> str | None:
        state = loaded.state
        approval = state.approvals.get(attempt.approval_id or "")
        if approval is None:
            return None
        if loaded.key is not None:
            return loaded.key.open(approval.sealed_endpoint)
        opened = await self.streams.unseal(conn, state.tenant, state.person_id,
                                           {"endpoint": approval.sealed_endpoint})
        value = opened["endpoint"]
        return value if isinstance(value, str) else None

    async def record_dispute(
        self, conn: asyncpg.Connection, tenant: str, dispute: DisputeRaised, cause: Cause,
    ) -> None:
        await self.record_fact(conn, tenant, dispute.debtor_id, dispute_fact(dispute),
                               source="ledger.DisputeRaised", cause=cause,
                               fact_id=f"dispute:{dispute.dispute_id}", strict=False)

    async def record_erasure(
        self, conn: asyncpg.Connection, tenant: str, erased: DebtorErased, cause: Cause,
    ) -> None:
        """The ledger erased the debtor (its debtor id is the person id here), after its
        record-retention hold (FED-RECORDS). Compliance erases its own copy of their personal
        data and records why, in one transaction: from then on the gate blocks requests about
        them (no profile: decisions.md D-38) and refuses new personal data (PersonErased)."""
        person_id = erased.debtor_id

        async def once() -> None:
            await self.streams.erase(conn, tenant, person_id)  # again on a retry: harmless
            loaded = await self.streams.load_for_write(conn, tenant, person_id)
            now = self.clock.now()
            payload = {"person_id": person_id, "erased_at": erased.erased_at.isoformat(),
                       "source": "ledger.DebtorErased", "recorded_at": now.isoformat()}
            done = await self.streams.append(conn, loaded, [Pending(ev.PERSON_ERASED, payload)],
                                             cause, after_erasure=True)
            await projections.touch_person(conn, tenant, person_id, done.state.version, now)

        await self._retrying(conn, once)


def _attempt_event(state: PersonState, attempt: ContactAttempted) -> Pending:
    payload = {"attempt_id": attempt.attempt_id, "approval_id": attempt.approval_id,
               "request_id": attempt.request_id, "outcome": str(attempt.outcome),
               "endpoint": attempt.endpoint, "content_hash": attempt.content_hash,
               "contact": attempts.contact(state, attempt)}
    return Pending(ev.ATTEMPT_RECORDED, orjson.loads(orjson.dumps(payload)), ("endpoint",))


def _fact_event(
    fact_id: str, person_id: str, fact: Fact, source: str, now: datetime, **extra: Any,
) -> Pending:
    payload = {"fact_id": fact_id, "person_id": person_id, "fact": fact.fact,
               "debt_id": debt_of(fact), "source": source, "recorded_at": now.isoformat(),
               "body": fact.model_dump_json(), **extra}
    return Pending(ev.FACT_RECORDED, payload, ("body",))


def _outcome_facts(attempt: ContactAttempted, recorded: Pending, now: datetime) -> list[Pending]:
    """The facts the attempt's outcome establishes (a wrong party, an opt-out: decisions.md
    D-42), appended with the attempt and naming it as their cause. The attempt's causation id
    (the ContactAttempted message) is the whole append's."""
    endpoint_id = recorded.payload["contact"]["endpoint_id"]
    return [_fact_event(f"attempt:{attempt.attempt_id}:{fact.fact}", attempt.person_id, fact,
                        SOURCE_ATTEMPT, now, attempt_id=attempt.attempt_id,
                        cause_event_id=str(recorded.event_id))
            for fact in outcomes.facts_of(attempt, endpoint_id, now)]


def _violation(
    attempt: ContactAttempted, reason: str, now: datetime,
) -> tuple[Pending, dict[str, Any]]:
    row = {"violation_id": str(new_id()), "person_id": attempt.person_id,
           "attempt_id": attempt.attempt_id, "approval_id": attempt.approval_id,
           "reason": reason, "channel": str(attempt.channel),
           "attempted_at": attempt.attempted_at, "recorded_at": now}
    payload = {**row, "attempted_at": attempt.attempted_at.isoformat(),
               "recorded_at": now.isoformat()}
    return Pending(ev.VIOLATION_RECORDED, payload), row


def household_noted(verdict: Verdict, person_id: str) -> Pending:
    return Pending(ev.HOUSEHOLD_DECISION_NOTED,
                   {"decision_id": verdict.decision_id, "person_id": person_id})
