"""Registry of public contracts under stable string names, with versioned upcasters.

Contracts are registered by name ("ledger.InvoiceOverdue"), never by Python module path, so that
moving code never breaks stored or in-flight events (a weak spot of the eventsourcing library).
Old schema versions are upcast on read, one version step at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class ContractError(ValueError):
    """A message does not match any registered contract or fails its schema."""


def describe_invalid(exc: ValidationError) -> str:
    """What is wrong, by place, message and kind, never the rejected value: pydantic's own text
    quotes it (input_value=...), and it may be personal data."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or '(root)'}: {error['msg']} "
        f"[{error['type']}]"
        for error in exc.errors(include_input=False, include_url=False))


@dataclass
class ContractSpec:
    name: str
    version: int
    model: type[BaseModel]
    topic: str
    upcasters: dict[int, Upcaster] = field(default_factory=dict)


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
        """Register a function that turns a payload of `from_version` into `from_version + 1`."""

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
        """Validate a payload (upcasting old versions first) into its contract model."""
        spec = self.spec(name)
        try:
            return spec.model.model_validate(self.upcast(name, version, payload))
        except ValidationError as exc:
            raise ContractError(f"{name} v{version} payload invalid: {exc}") from exc


REGISTRY = Registry()
