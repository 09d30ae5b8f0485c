"""Private domain events of the ledger: base class, registry and JSON-native codec.

Names are stable strings (``"ledger.DebtOpened"``), never Python module paths, so classes can
move without rewriting the event store. Each class carries a ``SCHEMA_VERSION``; a stored
payload of an older version goes through ``UPCASTERS`` before it is decoded.

Personal data: each class declares ``PERSONAL_FIELDS``, a set of dotted paths into its payload
(``"address.city"``, ``"number"``). The adapter encrypts exactly those values with the
person's key; after the key is destroyed it passes ``mask_personal_fields`` output (or writes
``ERASED`` itself) and the domain replays without knowing the difference. Every personal
leaf is a string or a list of strings, so the mask keeps the payload's shape.
"""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, ClassVar, TypeVar, Union, get_args, get_origin, get_type_hints

from ledger.domain.errors import InvalidField, UnknownEventType

ERASED = "[erased]"

JsonValue = Any
Payload = dict[str, JsonValue]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every ledger event. ``occurred_at`` is the domain time (UTC), not store time."""

    NAME: ClassVar[str] = ""
    SCHEMA_VERSION: ClassVar[int] = 1
    PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset()

    occurred_at: datetime


@dataclasses.dataclass(frozen=True, kw_only=True)
class PartialEvent(Event):
    """An update that carries only what changed. ``changed`` names the changed fields; of the
    fields in ``OPTIONAL_FIELDS`` the payload holds only those, so a stored ``null`` always
    means "cleared" and never "not touched". An absent field decodes to its default (None)."""

    OPTIONAL_FIELDS: ClassVar[frozenset[str]] = frozenset()

    changed: tuple[str, ...]


EVENT_TYPES: dict[str, type[Event]] = {}

# (name, stored schema version) -> function turning that payload into the next version.
UPCASTERS: dict[tuple[str, int], Callable[[Payload], Payload]] = {}

E = TypeVar("E", bound=type[Event])


def event(name: str) -> Callable[[E], E]:
    """Register an event class under its stable name."""

    def register(cls: E) -> E:
        if name in EVENT_TYPES:
            raise ValueError(f"event name {name} registered twice")
        cls.NAME = name
        EVENT_TYPES[name] = cls
        return cls

    return register


def personal_fields(name: str) -> frozenset[str]:
    """Dotted payload paths holding personal data for the named event type."""
    return _event_class(name).PERSONAL_FIELDS


def to_payload(evt: Event) -> Payload:
    """Encode an event as a JSON-native dict (no floats; dates and datetimes as ISO strings)."""
    encoded = _encode(evt)
    assert isinstance(encoded, dict)
    if isinstance(evt, PartialEvent):
        for name in evt.OPTIONAL_FIELDS.difference(evt.changed):
            del encoded[name]
    return encoded


def to_json_value(value: object) -> JsonValue:
    """Encode a value carried by events (a dataclass, Money, a date) the way events store it."""
    return _encode(value)


def from_payload(
    name: str, payload: Mapping[str, JsonValue], schema_version: int | None = None
) -> Event:
    cls = _event_class(name)
    current = dict(payload)
    version = cls.SCHEMA_VERSION if schema_version is None else schema_version
    while version < cls.SCHEMA_VERSION:
        upcast = UPCASTERS.get((name, version))
        if upcast is None:
            raise UnknownEventType(f"no upcaster for {name} v{version}")
        current = upcast(current)
        version += 1
    if version != cls.SCHEMA_VERSION:
        raise UnknownEventType(f"{name} v{version} is newer than this code (v{cls.SCHEMA_VERSION})")
    decoded: Event = _decode_dataclass(cls, current)
    return decoded


def mask_personal_fields(name: str, payload: Mapping[str, JsonValue]) -> Payload:
    """Replace every personal value in a payload with ``ERASED``, keeping the shape."""
    masked: Payload = dict(payload)
    for path in personal_fields(name):
        _mask_path(masked, path.split("."))
    return masked


def _mask_path(node: Payload, parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    if head not in node or node[head] is None:
        return
    if rest:
        child = node[head]
        if isinstance(child, list):
            node[head] = [_masked_copy(item, rest) for item in child]
        else:
            node[head] = _masked_copy(child, rest)
        return
    value = node[head]
    node[head] = [ERASED for _ in value] if isinstance(value, list) else ERASED


def _masked_copy(child: Payload, parts: list[str]) -> Payload:
    copy = dict(child)
    _mask_path(copy, parts)
    return copy


def _event_class(name: str) -> type[Event]:
    try:
        return EVENT_TYPES[name]
    except KeyError:
        raise UnknownEventType(f"unknown event type {name!r}") from None


def _encode(value: object) -> JsonValue:
    if isinstance(value, float):
        raise InvalidField("floats are not allowed in ledger events")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset):
        items = sorted(value) if isinstance(value, frozenset) else value
        return [_encode(item) for item in items]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _encode(getattr(value, name)) for name in _field_names(type(value))}
    return value


@functools.cache
def _field_names(cls: type[Any]) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


Decoder = Callable[[JsonValue], Any]


@functools.cache
def _decoder(tp: Any) -> Decoder:
    """A decoding function for one type, built once. Resolving annotations and walking the
    type on every value was most of the cost of replaying a stream, and the overdue sweep
    replays hundreds of thousands of them."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        (inner,) = [arg for arg in get_args(tp) if arg is not type(None)]
        present = _decoder(inner)
        return lambda raw: None if raw is None else present(raw)
    if origin in (tuple, frozenset):
        item = _decoder(get_args(tp)[0])
        if origin is frozenset:
            return lambda raw: frozenset(item(x) for x in raw)
        return lambda raw: tuple(item(x) for x in raw)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    return _scalar_decoder(tp)


def _dataclass_decoder(cls: type[Any]) -> Decoder:
    hints = get_type_hints(cls)
    fields = tuple((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls) if f.init)

    def decode(raw: JsonValue) -> Any:
        return cls(**{name: dec(raw[name]) for name, dec in fields if name in raw})

    return decode


def _scalar_decoder(tp: Any) -> Decoder:
    convert: Callable[[Any], Any] | None = None
    if tp is datetime:
        convert = datetime.fromisoformat
    elif tp is date:
        convert = date.fromisoformat
    elif isinstance(tp, type) and issubclass(tp, Enum):
        convert = tp

    def decode(raw: JsonValue) -> Any:
        if isinstance(raw, float):
            raise InvalidField("floats are not allowed in ledger events")
        return raw if convert is None else convert(raw)

    return decode


def _decode_dataclass(cls: Any, raw: Mapping[str, JsonValue]) -> Any:
    return _decoder(cls)(raw)
