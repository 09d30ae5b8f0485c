"""Event-sourced aggregate base: state changes only by applying events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

from ledger.domain.events import Event


class Aggregate:
    """Commands call ``_record``; ``_apply`` is the only place state changes.

    ``version`` counts every event applied, pending ones included. The adapter appends
    ``pending_events`` expecting the stream to be at ``committed_version``; a conflict on
    (stream id, version) means another writer won and the command is retried on fresh state.
    """

    def __init__(self) -> None:
        self._version = 0
        self._pending: list[Event] = []

    @classmethod
    def replay(cls, events: Iterable[Event]) -> Self:
        aggregate = cls()
        for evt in events:
            aggregate._apply(evt)
            aggregate._version += 1
        return aggregate

    @property
    def version(self) -> int:
        return self._version

    @property
    def committed_version(self) -> int:
        return self._version - len(self._pending)

    @property
    def pending_events(self) -> tuple[Event, ...]:
        return tuple(self._pending)

    def mark_committed(self) -> None:
        """Called by the unit of work once the pending events are stored."""
        self._pending.clear()

    def _record(self, evt: Event) -> Event:
        self._apply(evt)
        self._version += 1
        self._pending.append(evt)
        return evt

    def _apply(self, evt: Event) -> None:
        raise NotImplementedError
