"""The person's stream on the PostgreSQL event store, with personal fields sealed under the
person's key (goodfaith_runtime.pii).

Commands read a person with ONE query (`load_for_write`): the stream's head, the person's
snapshot, the person's wrapped data key and, for a gate request, an earlier decision of the same
request. The snapshot is the folded state at a stream version, sealed whole under the person's
key and rewritten by the statement of every append to the person's own stream (see
`PersonStreams.append`). It is used at the stream's head version, or with the events past it
folded in (a household member's approval noted in this stream does not rewrite it); otherwise
(no snapshot yet, an erased key) the stream is replayed as before. Erasing the key makes the
snapshot unreadable too: the replay then finds no profile and the gate blocks.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from compliance.service_layer import events as ev
from compliance.service_layer.records import Pending
from compliance.service_layer.state import PersonState, from_snapshot, snapshot
from goodfaith_runtime.eventstore import (
    Alongside,
    AppendRequest,
    Metadata,
    NewEvent,
    PostgresEventStore,
    StoredEvent,
)
from goodfaith_runtime.pii import PersonErased, PersonKey, PersonKeyring, mask_fields

# Events whose sealed document the fold needs.
_OPENED = (ev.PROFILE_RECORDED, ev.FACT_RECORDED)


@dataclass(frozen=True)
class Cause:
    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None


@dataclass
class Loaded:
    """A person read for a command: the state, the data key (None before the first personal
    datum), the decision an earlier identical request got, and where the state came from."""

    state: PersonState
    key: PersonKey | None
    earlier: str | None
    from_snapshot: bool
    # Persons whose profiles name this one as household (decisions.md D-55).
    named_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Appended:
    stored: list[StoredEvent]
    state: PersonState  # the state after the append
    snapshot: str | None  # its snapshot, sealed, as written with the append


# One round trip: the head (version, hash), the snapshot, the wrapped key, an earlier decision,
# the persons naming this one as household.
_LOAD_SQL = """
SELECT h.stream_version, h.hash, s.version AS snapshot_version, s.state, k.wrapped_key,
       (SELECT decision_id FROM compliance_decisions d WHERE d.tenant = $3
          AND d.person_id = $4 AND d.request_id = $5 LIMIT 1) AS earlier,
       ARRAY(SELECT person_id FROM compliance_household m WHERE m.tenant = $3
               AND m.member_id = $4 ORDER BY person_id) AS named_by
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (SELECT stream_version, hash FROM events WHERE stream_id = $1
                   ORDER BY stream_version DESC LIMIT 1) AS h ON true
LEFT JOIN compliance_snapshots s ON s.stream_id = $1
LEFT JOIN person_keys k ON k.person_id = $2
"""


class PersonStreams:
    def __init__(self, store: PostgresEventStore, keyring: PersonKeyring, kek: bytes) -> None:
        self._store = store
        self._keyring = keyring
        self._kek = AESGCM(kek)

    async def load(self, conn: asyncpg.Connection, tenant: str, person_id: str) -> PersonState:
        state = PersonState(tenant, person_id)
        await self._fold_from(conn, state)
        return state

    async def _fold_from(self, conn: asyncpg.Connection, state: PersonState) -> None:
        """Fold into `state` the events after its version: the whole stream from an empty
        state, a snapshot's tail otherwise."""
        stream = await self._store.read_stream(
            ev.person_stream(state.tenant, state.person_id), conn=conn, after=state.version)
        events = stream.events
        opened = await self._open(conn, state.tenant, state.person_id, events)
        for i, event in enumerate(events):
            payload = event.payload
            if i in opened:
                if opened[i] is None:
                    continue  # erased (crypto-shredded): the fact is gone for good
                payload = {**payload, "body": opened[i]}
            state.apply(event.type, payload)
        if events:
            state.version = events[-1].stream_version
            state.head_hash = events[-1].hash

    async def erase(self, conn: asyncpg.Connection, tenant: str, person_id: str) -> bool:
        """Crypto-shred the person's data here: their key goes, so every sealed field, the
        snapshot and the stored contexts read back as "[erased]" while every chain verifies.
        False if the key was already gone."""
        return await self._keyring.erase(
            conn, person_id=ev.key_owner(tenant, person_id), tenant=tenant)

    async def load_for_write(
        self, conn: asyncpg.Connection, tenant: str, person_id: str,
        request_id: str | None = None,
    ) -> Loaded:
        stream, owner = ev.person_stream(tenant, person_id), ev.key_owner(tenant, person_id)
        row = await conn.fetchrow(_LOAD_SQL, stream, owner, tenant, person_id, request_id)
        key = None
        if row["wrapped_key"] is not None:
            key = PersonKey.unwrap(self._kek, owner, bytes(row["wrapped_key"]))
        head = row["stream_version"] or 0
        at = row["snapshot_version"]
        if key is not None and row["state"] is not None and at is not None and at <= head:
            state = self._from_snapshot(key, tenant, person_id, row["state"], at,
                                        bytes(row["hash"]))
            if state is not None:
                if at < head:
                    # Events written past the snapshot without rewriting it (a household
                    # member's approval noted here, decisions.md D-55): fold just those.
                    await self._fold_from(conn, state)
                return Loaded(state, key, row["earlier"], True, tuple(row["named_by"]))
        state = await self.load(conn, tenant, person_id)
        earlier = state.decisions.get(request_id) if request_id is not None else None
        return Loaded(state, key, earlier, False, tuple(row["named_by"]))

    @staticmethod
    def _from_snapshot(
        key: PersonKey, tenant: str, person_id: str, sealed: str, head: int, head_hash: bytes,
    ) -> PersonState | None:
        text = key.open(sealed)
        if text is None:
            return None
        doc = orjson.loads(text)
        if doc.get("version") != head:
            return None
        return from_snapshot(tenant, person_id, doc, head_hash)

    async def _open(
        self, conn: asyncpg.Connection, tenant: str, person_id: str, events: list[StoredEvent],
    ) -> dict[int, Any]:
        sealed = {str(i): e.payload["body"] for i, e in enumerate(events) if e.type in _OPENED}
        if not sealed:
            return {}
        clear = await self.unseal(conn, tenant, person_id, sealed)
        return {int(i): _json(text) for i, text in clear.items()}

    async def unseal(
        self, conn: asyncpg.Connection, tenant: str, person_id: str, values: dict[str, Any],
    ) -> dict[str, Any]:
        opened: dict[str, Any] = await self._keyring.unseal(
            conn, person_id=ev.key_owner(tenant, person_id), payload=values)
        return opened

    async def append(
        self, conn: asyncpg.Connection, loaded: Loaded, pending: list[Pending],
        cause: Cause | None = None, *, rows: Alongside | None = None,
        after_erasure: bool = False, also: Sequence[tuple[PersonState, Pending]] = (),
    ) -> Appended:
        """Append at the version read. The person's new snapshot, and the command's `rows`
        (a function wrapping compliance_append, and its own arguments after the snapshot's),
        are written by the same statement (migrations/004_append_statements.sql), and only
        if the append succeeded; a conflict raises ConcurrencyError with nothing written, and
        leaves `loaded` to be discarded.

        Once the person was erased their key is gone and new personal data is refused
        (PersonErased). `after_erasure=True` is for a record that must be kept even then (the
        gate's answer, a block): its personal fields are stored as "[erased]" and no snapshot
        is written, so nothing personal about the person enters the log again.

        `also`: one event without personal data for each of other persons' streams, at the
        version their state was read at, in the same statement: all or nothing, and a conflict
        on any stream is a ConcurrencyError (a household approval, decisions.md D-55)."""
        state = loaded.state
        key = loaded.key or await self._key(conn, state, after_erasure)
        payloads = [_protect(key, p) for p in pending]
        folded: list[Appended] = []

        def written_with(stored: list[StoredEvent]) -> list[Any]:
            # Called with this person's events as they will be stored, before the statement
            # is sent.
            done = _fold(state, key, stored, pending)
            folded.append(done)
            own = rows.args(stored) if rows is not None else ()
            return [stored[0].stream_id, done.state.version, done.snapshot, *own]

        function = rows.function if rows is not None else "compliance_append"
        await self._append(conn, state, pending, payloads, cause,
                           Alongside(function, written_with), also)
        return folded[0]

    async def _key(
        self, conn: asyncpg.Connection, state: PersonState, after_erasure: bool,
    ) -> PersonKey | None:
        owner = ev.key_owner(state.tenant, state.person_id)
        try:
            return await self._keyring.key_for(conn, person_id=owner, tenant=state.tenant)
        except PersonErased:
            if after_erasure:
                return None
            raise

    async def _append(
        self, conn: asyncpg.Connection, state: PersonState, pending: list[Pending],
        payloads: list[dict[str, Any]], cause: Cause | None, alongside: Alongside,
        also: Sequence[tuple[PersonState, Pending]] = (),
    ) -> list[StoredEvent]:
        owner = ev.key_owner(state.tenant, state.person_id)
        events = [NewEvent(type=p.type, payload=payloads[i], event_id=p.event_id,
                           publish_to=p.publish_to,
                           sealed_for=owner if p.publish_to and p.personal else None)
                  for i, p in enumerate(pending)]
        cause = cause or Cause()
        meta = Metadata(tenant=state.tenant, producer=ev.PRODUCER,
                        correlation_id=cause.correlation_id, causation_id=cause.causation_id)
        own = AppendRequest(ev.person_stream(state.tenant, state.person_id), state.version,
                            events, state.head_hash)
        requests = [own]
        for other, note in also:
            if note.personal or note.publish_to:
                raise ValueError("an event in another person's stream is private and plain")
            requests.append(AppendRequest(
                ev.person_stream(other.tenant, other.person_id), other.version,
                [NewEvent(type=note.type, payload=note.payload, event_id=note.event_id)],
                other.head_hash))
        # Streams in one order for every statement: two household decisions writing the same
        # two streams then wait for each other instead of deadlocking (decisions.md D-55).
        requests.sort(key=lambda r: r.stream_id)
        offset = 0  # where this person's events are among all the statement writes
        for request in requests:
            if request is own:
                break
            offset += len(request.events)
        stored: list[StoredEvent] = await self._store.append_batch(
            requests, meta, conn=conn, isolated=True,
            alongside=Alongside(alongside.function, lambda all_stored: alongside.args(
                all_stored[offset:offset + len(events)])))
        return stored[offset:offset + len(events)]


def _protect(key: PersonKey | None, pending: Pending) -> dict[str, Any]:
    """The payload as stored: its personal fields sealed, or masked when there is no key (the
    person was erased)."""
    if not pending.personal:
        return pending.payload
    if key is None:
        return mask_fields(pending.payload, pending.personal)
    return key.seal_fields(pending.payload, pending.personal)


def _fold(
    state: PersonState, key: PersonKey | None, stored: list[StoredEvent],
    pending: list[Pending],
) -> Appended:
    """The state after the append, and its sealed snapshot (None without a key: an erased
    person's state is replayed, never snapshotted). The loaded state is the caller's to
    discard, so the new events are folded into it in place."""
    for event, p in zip(stored, pending, strict=True):
        payload = event.payload
        if event.type in _OPENED:
            payload = {**payload, "body": _json(p.payload["body"])}
        state.apply(event.type, payload)
    state.version, state.head_hash = stored[-1].stream_version, stored[-1].hash
    sealed = key.seal(orjson.dumps(snapshot(state)).decode()) if key is not None else None
    return Appended(stored, state, sealed)


def _json(text: Any) -> Any:
    try:
        return orjson.loads(text)
    except (orjson.JSONDecodeError, TypeError):
        return None
