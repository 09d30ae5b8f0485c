"""JSON Schemas of the published contracts, and the compatibility check that guards them.

`python -m goodfaith_events.schemas write` regenerates libs/events/schemas/. A published schema
version may only change compatibly: no property removed, none newly required, no type changed.
Anything else needs a new schema version and an upcaster.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from goodfaith_events.contracts import REGISTRY

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def generate() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in REGISTRY.names():
        spec = REGISTRY.spec(name)
        if not spec.model.__module__.startswith("goodfaith_events."):
            continue  # a contract some test registered, not a published one
        schema = spec.model.model_json_schema()
        schema["$id"] = f"urn:goodfaith:{name}:v{spec.version}"
        schema["x-topic"] = spec.topic
        out[f"{name}.v{spec.version}.json"] = schema
    return out


def _props(schema: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = schema.get("properties", {})
    return props


def _type_of(prop: dict[str, Any]) -> Any:
    keys = ("type", "$ref", "anyOf", "enum", "format", "pattern")
    return {k: prop.get(k) for k in keys}


def incompatibilities(published: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Changes that would break a consumer or producer of the published version."""
    problems: list[str] = []
    old, new = _props(published), _props(current)
    for name in old:
        if name not in new:
            problems.append(f"property {name!r} removed")
        elif _type_of(old[name]) != _type_of(new[name]):
            problems.append(f"property {name!r} changed type")
    newly_required = set(current.get("required", [])) - set(published.get("required", []))
    problems += [f"property {name!r} became required" for name in sorted(newly_required)]
    for name, definition in published.get("$defs", {}).items():
        current_def = current.get("$defs", {}).get(name)
        if current_def is None:
            problems.append(f"definition {name!r} removed")
        else:
            problems += [f"{name}: {p}" for p in incompatibilities(definition, current_def)]
    return problems


def write(directory: Path = SCHEMA_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for filename, schema in generate().items():
        (directory / filename).write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["write"]:
        write()
    else:
        print("usage: python -m goodfaith_events.schemas write")
