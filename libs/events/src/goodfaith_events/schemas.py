"""JSON Schemas of the published contracts, and the guard that keeps published versions stable.

`python -m goodfaith_events.schemas write [--dir DIR]` regenerates libs/events/schemas/, one
file per contract and schema version. A file already there is a published version: it is only
rewritten when the change is compatible (every message valid under the published schema is still
valid, see `goodfaith_events.schemas_compat`). Otherwise nothing at all is written and the
command exits 1 naming the contract, the version and each change: an incompatible change needs a
new schema version (and an upcaster from the old one). New versions are simply written.
`python -m goodfaith_events.schemas check [--dir DIR]` writes nothing and exits 1 on an
incompatible change or a schema not yet written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from goodfaith_events.contracts import REGISTRY
from goodfaith_events.schemas_compat import incompatibilities

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"

__all__ = ["SCHEMA_DIR", "IncompatibleSchemaChange", "generate", "incompatibilities", "plan",
           "write"]


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


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


class IncompatibleSchemaChange(Exception):
    """A published schema version would change incompatibly."""

    def __init__(self, refusals: dict[str, list[str]]) -> None:
        self.refusals = refusals
        lines = []
        for filename, problems in refusals.items():
            contract, _, version = filename.removesuffix(".json").rpartition(".v")
            lines.append(f"{contract} v{version} ({filename}) is published and its current "
                         "model changed incompatibly:")
            lines += [f"  - {problem}" for problem in problems]
        lines.append("Nothing was written. Publish such a change as a new schema version (bump "
                     "it where the contract is registered and add an upcaster from the old "
                     "one), or make it compatible.")
        super().__init__("\n".join(lines))


@dataclass
class Plan:
    new: dict[str, str]  # filename -> text: versions not published yet
    changed: dict[str, str]  # filename -> text: published versions changed compatibly
    refusals: dict[str, list[str]]  # filename -> incompatible changes


def plan(directory: Path = SCHEMA_DIR,
         schemas: dict[str, dict[str, Any]] | None = None) -> Plan:
    """Compare the generated schemas (by default of the registered contracts) with `directory`."""
    result = Plan(new={}, changed={}, refusals={})
    for filename, schema in (generate() if schemas is None else schemas).items():
        path, text = directory / filename, render(schema)
        if not path.exists():
            result.new[filename] = text
            continue
        published_text = path.read_text()
        if published_text == text:
            continue
        problems = incompatibilities(json.loads(published_text), schema)
        if problems:
            result.refusals[filename] = problems
        else:
            result.changed[filename] = text
    return result


def write(directory: Path = SCHEMA_DIR,
          schemas: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Write new versions and compatible changes; refuse everything if any published version
    changed incompatibly. Returns the filenames written."""
    todo = plan(directory, schemas)
    if todo.refusals:
        raise IncompatibleSchemaChange(todo.refusals)
    directory.mkdir(parents=True, exist_ok=True)
    for filename, text in {**todo.new, **todo.changed}.items():
        tmp = directory / f".{filename}.tmp"
        tmp.write_text(text)
        os.replace(tmp, directory / filename)
    return sorted({**todo.new, **todo.changed})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m goodfaith_events.schemas")
    parser.add_argument("command", choices=["write", "check"])
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help="schema directory")
    args = parser.parse_args(argv)
    if args.command == "check":
        todo = plan(args.dir)
        for filename in sorted({**todo.new, **todo.changed}):
            print(f"not written yet: {filename} (run make schemas)", file=sys.stderr)
        if todo.refusals:
            print(IncompatibleSchemaChange(todo.refusals), file=sys.stderr)
        return 1 if todo.refusals or todo.new or todo.changed else 0
    try:
        written = write(args.dir)
    except IncompatibleSchemaChange as exc:
        print(f"refusing to write the schemas: {exc}", file=sys.stderr)
        return 1
    for filename in written:
        print(f"wrote {args.dir / filename}")
    if not written:
        print(f"schemas in {args.dir} are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
