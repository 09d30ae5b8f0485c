"""Registry of public contracts under stable string names, with versioned upcasters.

Contracts are registered by name ("ledger.InvoiceOverdue"), never by Python module path, so that
moving code never breaks stored or in-flight events (a weak spot of the eventsourcing library).
Old schema versions are upcast on read, one version step at a time.

Tolerant reader, strict writer. A published version may gain optional fields (see
`goodfaith_events.schemas_compat`), so a consumer still on the old code meets fields it does not
know: `parse` (the consume side: the consumer's paths, after any upcasters) ignores them, at any
depth, and names them (never their values: they may be personal data). The contract models
themselves keep `extra="forbid"`, and `validate_outgoing` (the produce side: what may enter the
outbox) refuses such fields, so our own code can never publish a field outside the published
schema, a misspelt one included.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


log = logging.getLogger("goodfaith.events.registry")


class ContractError(ValueError):
    """A message does not match any registered contract or fails its schema."""


def describe_invalid(exc: ValidationError) -> str:
    """What is wrong, by place, message and kind, never the rejected value: pydantic's own text
    quotes it (input_value=...), and it may be personal data."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or '(root)'}: {error['msg']} "
        f"[{error['type']}]"
        for error in exc.errors(include_input=False, include_url=False))


def _without_refused(data: dict[str, Any], exc: ValidationError) -> dict[str, Any] | None:
    """`data` without the fields `exc` refused as unknown (extra_forbidden), copied only along
    their paths (the caller's payload is left as it is); None when there are none, or when a
    place cannot be followed in the data (then nothing is dropped and the error stands).

    This is the tolerant reader, done with pydantic's own answer: the strict model names every
    unknown field at any depth (a nested Money's too), and the payload validated again without
    them gives instances of the contract classes themselves."""
    places = [error["loc"] for error in exc.errors(include_input=False, include_url=False,
                                                   include_context=False)
              if error["type"] == "extra_forbidden"]
    if not places:
        return None
    trimmed: dict[str, Any] = dict(data)
    for place in places:
        node: Any = trimmed
        for part in place[:-1]:
            child = node[part] if _holds(node, part) else None
            if isinstance(child, dict):
                child = dict(child)
            elif isinstance(child, list):
                child = list(child)
            else:
                return None  # a union member's tag, say: not a place in the data
            node[part] = child
            node = child
        if not (isinstance(node, dict) and place[-1] in node):
            return None
        del node[place[-1]]
    return trimmed


def _holds(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _unknown_fields(exc: ValidationError) -> tuple[str, ...]:
    """The places of the fields `exc` refused as unknown, list indexes left out, sorted."""
    return tuple(sorted({
        ".".join(str(part) for part in error["loc"] if not isinstance(part, int))
        for error in exc.errors(include_input=False, include_url=False, include_context=False)
        if error["type"] == "extra_forbidden"}))


@dataclass
class ContractSpec:
    name: str
    version: int
    model: type[BaseModel]
    topic: str
    upcasters: dict[int, Upcaster] = field(default_factory=dict)
    strict: SchemaValidator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The model's own validator, called directly: model_validate adds ~0.3 us a call.
        self.strict = self.model.__pydantic_validator__  # type: ignore[assignment]


class Registry:
    def __init__(self) -> None:
        self._specs: dict[str, ContractSpec] = {}
        self._by_model: dict[type[BaseModel], ContractSpec] = {}

    def register(self, model: type[BaseModel], *, name: str, version: int, topic: str) -> None:
        if name in self._specs:
            raise ContractError(f"contract {name} registered twice")
        spec = ContractSpec(name=name, version=version, model=model, topic=topic)
        self._specs[name] = spec
        self._by_model[model] = spec

    def upcaster(self, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function that turns a payload of `from_version` into `from_version + 1`.

        It runs on the consume side, before the tolerant parse: the payload may carry fields
        added to `from_version` after this code was written, which it must pass on or drop,
        never refuse (no strict model of the old version inside an upcaster)."""

        def decorate(fn: Upcaster) -> Upcaster:
            self.spec(name).upcasters[from_version] = fn
            return fn

        return decorate

    def spec(self, name: str) -> ContractSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise ContractError(f"unknown contract type {name!r}") from None

    def spec_for(self, model: type[BaseModel]) -> ContractSpec:
        try:
            return self._by_model[model]
        except KeyError:
            raise ContractError(f"{model.__name__} is not a registered contract") from None

    def names(self) -> list[str]:
        return sorted(self._specs)

    def knows(self, name: str) -> bool:
        return name in self._specs

    def upcast(self, name: str, version: int, payload: dict[str, Any]) -> dict[str, Any]:
        spec = self.spec(name)
        if version > spec.version or version < 1:
            raise ContractError(f"{name} has no schema version {version} (latest {spec.version})")
        for step in range(version, spec.version):
            upcast = spec.upcasters.get(step)
            if upcast is None:
                raise ContractError(f"{name}: no upcaster from version {step}")
            payload = upcast(payload)
        return payload

    def parse(self, name: str, version: int, payload: dict[str, Any]) -> BaseModel:
        """Consume side: a received or stored payload (old versions upcast first) as its
        contract model, fields this version of the contract does not know ignored at any depth
        (logged at debug, by name). See `read` for the names."""
        contract, unknown = self.read(name, version, payload)
        if unknown:
            log.debug("%s v%d: ignored unknown fields %s", name, version, ", ".join(unknown))
        return contract

    def read(
        self, name: str, version: int, payload: dict[str, Any],
    ) -> tuple[BaseModel, tuple[str, ...]]:
        """`parse`, plus the places of the unknown fields it ignored ("note",
        "outstanding.note", "failing_rules.note"): names only, never values.

        A payload without unknown fields, the usual case, is validated once, by the contract
        model itself (as fast as before); one the model refuses for unknown fields is validated
        again without them, and that validation's errors, if any, are the reason."""
        spec = self.spec(name)
        data = self.upcast(name, version, payload) if version != spec.version else payload
        try:
            return spec.strict.validate_python(data), ()
        except ValidationError as exc:
            unknown = _unknown_fields(exc)
            trimmed = _without_refused(data, exc) if unknown else None
            if trimmed is None:
                raise ContractError(f"{name} v{version} payload invalid: {exc}") from exc
        try:
            contract: BaseModel = spec.strict.validate_python(trimmed)
        except ValidationError as exc:  # invalid besides its unknown fields: say only how
            raise ContractError(f"{name} v{version} payload invalid: {exc}") from exc
        return contract, unknown

    def validate_outgoing(self, name: str, version: int, payload: dict[str, Any]) -> BaseModel:
        """Produce side: a payload our own code is about to publish, validated by the contract
        model itself, so a field outside the published schema (a misspelt one, say) is
        refused."""
        spec = self.spec(name)
        try:
            return spec.model.model_validate(self.upcast(name, version, payload))
        except ValidationError as exc:
            raise ContractError(f"{name} v{version} payload invalid: {exc}") from exc


REGISTRY = Registry()
