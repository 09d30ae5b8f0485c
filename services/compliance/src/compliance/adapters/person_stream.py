"""The person's stream on the PostgreSQL event store, with personal fields sealed under the
person's key (goodfaith_runtime.pii). One key look-up per load and per append."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from compliance.service_layer import events as ev
from compliance.service_layer.records import Pending
from compliance.service_layer.state import PersonState
from goodfaith_runtime.eventstore import Metadata, NewEvent, PostgresEventStore, StoredEvent
from goodfaith_runtime.pii import PersonKeyring

# Events whose sealed document the fold needs.
_OPENED = (ev.PROFILE_RECORDED, ev.FACT_RECORDED)


@dataclass(frozen=True)
class Cause:
    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None


class PersonStreams:
    def __init__(self, store: PostgresEventStore, keyring: PersonKeyring) -> None:
        self._store = store
        self._keyring = keyring

    async def read(self, conn: asyncpg.Connection, tenant: str, person_id: str) -> list[Any]:
        stream = await self._store.read_stream(ev.person_stream(tenant, person_id), conn=conn)
        return list(stream.events)

    async def load(self, conn: asyncpg.Connection, tenant: str, person_id: str) -> PersonState:
        events: list[StoredEvent] = await self.read(conn, tenant, person_id)
        opened = await self._open(conn, tenant, person_id, events)
        state = PersonState(tenant, person_id)
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
        return state

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
        self, conn: asyncpg.Connection, state: PersonState, pending: list[Pending],
        cause: Cause | None = None,
    ) -> list[StoredEvent]:
        payloads = await self._seal(conn, state, pending)
        events = [NewEvent(type=p.type, payload=payloads[i], event_id=p.event_id,
                           publish_to=p.publish_to) for i, p in enumerate(pending)]
        cause = cause or Cause()
        meta = Metadata(tenant=state.tenant, producer=ev.PRODUCER,
                        correlation_id=cause.correlation_id, causation_id=cause.causation_id)
        stored: list[StoredEvent] = await self._store.append(
            ev.person_stream(state.tenant, state.person_id), state.version, events, meta,
            conn=conn, expected_hash=state.head_hash)
        return stored

    async def _seal(
        self, conn: asyncpg.Connection, state: PersonState, pending: list[Pending],
    ) -> list[dict[str, Any]]:
        fields = [f"{i}.{path}" for i, p in enumerate(pending) for path in p.personal]
        combined = {str(i): p.payload for i, p in enumerate(pending)}
        if fields:
            combined = await self._keyring.seal(
                conn, person_id=ev.key_owner(state.tenant, state.person_id),
                tenant=state.tenant, payload=combined, fields=fields)
        return [combined[str(i)] for i in range(len(pending))]


def _json(text: Any) -> Any:
    try:
        return orjson.loads(text)
    except (orjson.JSONDecodeError, TypeError):
        return None
