"""Can a published JSON Schema version be replaced by the current one without breaking anybody?

Which direction is checked, and why
-----------------------------------
A schema version N of a contract is a promise about *messages*, and messages outlive code: they
sit in every service's immutable event log, in Kafka topics that are replayed, in outboxes and
dead-letter tables. The current model for version N must therefore accept every message that was
valid under the published schema of version N, whoever produced it and whenever:

    every instance valid under `published`  ==>  valid under `current`     (published ⊆ current)

`incompatibilities(published, current)` reports each change that breaks this: a consumer (or an
upcaster chain, or a replay) built from the current code would reject what a producer of N sent.
This is the guarantee `make schemas` enforces, so per keyword:

* tightening is a break: a new or lowered `maxLength`/`maxItems`/`maximum`, a raised
  `minLength`/`minItems`/`minimum`, a new or changed `pattern` or `format` (regular-expression
  inclusion is not decided: a pattern may only stay or go), fewer `enum` values, a new `const`,
  a type no longer allowed, a property that became required, `additionalProperties` closed
  (a property the published schema allowed, named or not, that is now refused), `uniqueItems`,
  a new `multipleOf` that the old one is not a multiple of, and the same anywhere below:
  through `$ref` into `$defs`, `properties`, `patternProperties`, `additionalProperties`,
  `items`/`prefixItems`, `propertyNames`, `anyOf`/`oneOf` branches (a branch dropped, or one no
  new branch accepts) and `allOf`;
* loosening is compatible: a limit raised or dropped, an enum value added, a type or a `null`
  branch added, a required property made optional, a property added as optional to a closed
  object (`additionalProperties: false`, as every contract is), a property removed from an
  open object. Not so on an open object: adding a property with a schema there is a break,
  since a published message may already carry that name with any value; and removing a
  property from a closed object is a break, since the published messages carrying it are
  now refused.

The other direction, consumers still running the published N receiving what the current
producer sends (current ⊆ published), is *not* enforced here: every loosening above breaks it,
and so does adding an optional field to a contract with `extra="forbid"`
(`additionalProperties: false`). That direction only matters while producers are deployed
ahead of consumers; a change that needs it is a new version.

The check is conservative: what it cannot prove compatible (an unknown keyword added or changed,
a `not`, `if`/`then`/`else`, a changed regular expression) it reports. It treats `oneOf` like
`anyOf`, which is exact for the discriminated unions pydantic writes as `oneOf` (their branches
are disjoint by the discriminator); `format` is taken as an assertion, as pydantic validates it.
Annotations (`title`, `description`, `default`, `examples`, `x-*` ...) are ignored.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

Problem = tuple[str, str]  # (where in the instance, relative to the schema checked; what)

ANNOTATIONS = frozenset({
    "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
    "$comment", "$id", "$schema", "$anchor", "$dynamicAnchor", "$defs", "definitions",
    "discriminator", "contentMediaType", "contentEncoding", "contentSchema",
})
UNIONS = ("anyOf", "oneOf")
TYPES = ("null", "boolean", "string", "number", "array", "object")
STRING_KEYS = {"minLength", "maxLength", "pattern", "format"}
NUMBER_KEYS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
ARRAY_KEYS = {"items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems"}
OBJECT_KEYS = {"properties", "required", "additionalProperties", "patternProperties",
               "propertyNames", "minProperties", "maxProperties", "dependentRequired"}
UNDERSTOOD = {"type", "enum", "const", *STRING_KEYS, *NUMBER_KEYS, *ARRAY_KEYS, *OBJECT_KEYS}


def incompatibilities(published: dict[str, Any] | bool,
                      current: dict[str, Any] | bool) -> list[str]:
    """Every change that makes a message valid under `published` invalid under `current`,
    as "where: what" lines (where is the place in the message, "(root)" for the whole)."""
    problems: list[Problem] = []
    old_root = published if isinstance(published, dict) else {}
    new_root = current if isinstance(current, dict) else {}
    if old_root.get("x-topic") != new_root.get("x-topic"):
        problems.append(("", f"topic changed from {old_root.get('x-topic')!r} to "
                             f"{new_root.get('x-topic')!r}: consumers of the published version "
                             "would not receive it"))
    problems += _Checker(old_root, new_root).subset(published, current)
    lines = [f"{where.removeprefix('.') or '(root)'}: {what}" for where, what in problems]
    return list(dict.fromkeys(lines))


def _validating(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in ANNOTATIONS and not k.startswith("x-")}


def _dump(schema: Any) -> str:
    return json.dumps(schema, sort_keys=True)


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    if declared is None:
        return set(TYPES)
    return {declared} if isinstance(declared, str) else set(declared)


def _type_allowed(kind: str, allowed: set[str]) -> bool:
    return kind in allowed or (kind == "integer" and "number" in allowed)


def _merge_old(parts: list[Any]) -> dict[str, Any] | bool:
    """One schema for a conjunction on the published side. Where parts disagree one wins, which
    only makes the published side look looser: a false alarm is possible, a missed break not."""
    merged: dict[str, Any] = {}
    for part in parts:
        if part is False:
            return False
        if part is True:
            continue
        for key, value in part.items():
            if key in ("properties", "patternProperties"):
                merged[key] = {**value, **merged.get(key, {})}
            elif key == "required":
                merged[key] = sorted({*merged.get(key, []), *value})
            elif key not in ("unevaluatedProperties", "unevaluatedItems"):
                merged.setdefault(key, value)
    return merged


@dataclass
class _Checker:
    old_root: dict[str, Any]
    new_root: dict[str, Any]
    memo: dict[tuple[str, str], list[Problem]] = field(default_factory=dict)

    # -- references and combinators -------------------------------------------------------

    def _resolve(self, ref: str, root: dict[str, Any]) -> Any:
        if not ref.startswith("#"):
            raise ValueError(f"only local $refs are supported, not {ref!r}")
        node: Any = root
        for token in filter(None, ref[1:].split("/")):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def _flatten_old(self, schema: Any) -> Any:
        """The published side without $ref or allOf: one merged schema."""
        for _ in range(64):
            if not isinstance(schema, dict) or not ({"$ref", "allOf"} & schema.keys()):
                return schema
            rest = {k: v for k, v in schema.items() if k not in ("$ref", "allOf")}
            parts = list(schema.get("allOf", []))
            if "$ref" in schema:
                parts.insert(0, self._resolve(schema["$ref"], self.old_root))
            schema = _merge_old([rest, *parts])
        raise ValueError("a $ref loop that never reaches a schema")

    def _conjuncts_new(self, schema: Any, depth: int = 0) -> list[Any]:
        """The current side as the schemas an instance must all satisfy: $ref and allOf
        expanded, a union that has other constraints beside it split off."""
        if not isinstance(schema, dict):
            return [schema]
        if depth > 64:
            raise ValueError("a $ref loop that never reaches a schema")
        if "$ref" in schema or "allOf" in schema:
            rest = {k: v for k, v in schema.items() if k not in ("$ref", "allOf")}
            parts = [rest] if _validating(rest) else []
            if "$ref" in schema:
                parts.append(self._resolve(schema["$ref"], self.new_root))
            parts += schema.get("allOf", [])
            return [c for part in parts for c in self._conjuncts_new(part, depth + 1)]
        unions = [k for k in UNIONS if k in schema]
        if unions and len(_validating(schema)) > 1:
            kept = {k: v for k, v in schema.items() if k not in UNIONS}
            return [*([kept] if _validating(kept) else []), *({k: schema[k]} for k in unions)]
        return [schema]

    # -- the check -------------------------------------------------------------------------

    def subset(self, old: Any, new: Any) -> list[Problem]:
        """What `old` accepts that `new` refuses (empty when old ⊆ new)."""
        key = (_dump(old), _dump(new))
        if key in self.memo:  # done, or in progress on a recursive schema: assume it holds
            return self.memo[key]
        self.memo[key] = []
        self.memo[key] = result = self._subset(old, new)
        return result

    def _subset(self, old: Any, new: Any) -> list[Problem]:
        old = self._flatten_old(old)
        if old is False or new is True:
            return []
        old = {} if old is True else old
        if new is False:
            return [("", "no longer accepts anything")]
        for union in UNIONS:
            if union in old:
                return self._old_union(old, union, new)
        if "enum" in old or "const" in old:
            return self._old_values(old, new)
        conjuncts = self._conjuncts_new(new)
        if len(conjuncts) != 1 or conjuncts[0] is not new:
            return [p for c in conjuncts for p in self.subset(old, c)]
        for union in UNIONS:
            if union in new:
                return self._new_union(old, new[union], union)
        return self._leaf(old, new)

    def _old_union(self, old: dict[str, Any], union: str, new: Any) -> list[Problem]:
        rest = {k: v for k, v in old.items() if k != union}
        problems: list[Problem] = []
        for i, branch in enumerate(old[union]):
            for where, what in self.subset(_merge_old([rest, branch]), new):
                problems.append((where, f"published {union}[{i}]: {what}"))
        return problems

    def _old_values(self, old: dict[str, Any], new: Any) -> list[Problem]:
        values = [old["const"]] if "const" in old else old["enum"]
        problems = []
        for value in values:
            reason = self._value_refused(new, value)
            if reason:
                problems.append(("", f"value {value!r} no longer accepted ({reason})"))
        return problems

    def _new_union(self, old: dict[str, Any], branches: list[Any], union: str) -> list[Problem]:
        kinds = _types(old)
        if len(kinds) > 1:  # each type the published side allows may match another branch
            return [p for t in sorted(kinds) for p in self.subset({**old, "type": t},
                                                                  {union: branches})]
        attempts = [self.subset(old, branch) for branch in branches]
        if not attempts or any(not a for a in attempts):
            return [] if attempts else [("", f"an empty {union} accepts nothing")]
        nearest = min(range(len(attempts)), key=lambda i: len(attempts[i]))
        return [(where, f"no {union} branch accepts it (nearest, {union}[{nearest}]: {what})")
                for where, what in attempts[nearest]]

    def _leaf(self, old: dict[str, Any], new: dict[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        if "enum" in new or "const" in new:
            allowed = [new["const"]] if "const" in new else new["enum"]
            problems.append(("", f"now restricted to the values {allowed!r}"))
        old_types, new_types = _types(old), _types(new)
        kept = {t for t in old_types if _type_allowed(t, new_types)}
        problems += [("", f"type {t!r} no longer allowed") for t in sorted(old_types - kept)]
        if "string" in kept:
            problems += _string_changes(old, new)
        if kept & {"number", "integer"}:
            problems += _number_changes(old, new, integer_only="number" not in kept)
        if "array" in kept:
            problems += self._array_changes(old, new)
        if "object" in kept:
            problems += self._object_changes(old, new)
        for key in sorted(_validating(new).keys() - UNDERSTOOD - set(UNIONS)):
            if _dump(new[key]) != _dump(old.get(key)):
                problems.append(("", f"{key!r} added or changed, and this check cannot prove "
                                     "that compatible"))
        return problems

    # -- arrays and objects ----------------------------------------------------------------

    def _array_changes(self, old: dict[str, Any], new: dict[str, Any]) -> list[Problem]:
        problems = _bound_changes(old, new, "minItems", "maxItems")
        if new.get("uniqueItems") is True and old.get("uniqueItems") is not True:
            problems.append(("", "uniqueItems added"))
        old_prefix, old_rest = _tuple_form(old)
        new_prefix, new_rest = _tuple_form(new)
        for i in range(max(len(old_prefix), len(new_prefix))):
            o = old_prefix[i] if i < len(old_prefix) else old_rest
            n = new_prefix[i] if i < len(new_prefix) else new_rest
            problems += [(f"[{i}]{w}", m) for w, m in self.subset(o, n)]
        problems += [(f"[]{w}", m) for w, m in self.subset(old_rest, new_rest)]
        return problems

    def _object_changes(self, old: dict[str, Any], new: dict[str, Any]) -> list[Problem]:
        problems = _bound_changes(old, new, "minProperties", "maxProperties")
        newly = sorted(set(new.get("required", [])) - set(old.get("required", [])))
        problems += [(f".{name}", "became required") for name in newly]
        for name, deps in new.get("dependentRequired", {}).items():
            if set(deps) - set(old.get("dependentRequired", {}).get(name, [])):
                problems.append((f".{name}", "dependentRequired added or extended"))
        problems += [(f" (property names){w}", m) for w, m in
                     self.subset(old.get("propertyNames", True), new.get("propertyNames", True))]
        names = {**old.get("properties", {}), **new.get("properties", {})}
        for name in sorted(names):
            problems += self._property_change(old, new, name)
        return problems + self._other_properties(old, new)

    def _property_change(self, old: dict[str, Any], new: dict[str, Any],
                         name: str) -> list[Problem]:
        before, after = _applicable(old, name), _applicable(new, name)
        if name not in new.get("properties", {}) and after == [False]:
            if _merge_old(before) is False:
                return []
            return [(f".{name}", "removed, and additionalProperties is false: a message "
                                 "carrying it is refused")]
        found = self.subset(_merge_old(before), {"allOf": after} if len(after) > 1 else after[0])
        return [(f".{name}{w}", m) for w, m in found]

    def _other_properties(self, old: dict[str, Any], new: dict[str, Any]) -> list[Problem]:
        """Names neither side lists in `properties`: patternProperties, then the rest."""
        old_extra, new_extra = old.get("additionalProperties", True), new.get(
            "additionalProperties", True)
        old_patterns, new_patterns = old.get("patternProperties", {}), new.get(
            "patternProperties", {})
        pairs: list[tuple[str, Any, Any]] = [(".*", old_extra, new_extra)]
        for pattern, schema in new_patterns.items():
            sources = ([old_patterns[pattern]] if pattern in old_patterns
                       else [old_extra, *old_patterns.values()])
            pairs += [(f".<{pattern}>", source, schema) for source in sources]
        pairs += [(f".<{pattern}>", schema, new_extra)
                  for pattern, schema in old_patterns.items() if pattern not in new_patterns]
        problems: list[Problem] = []
        for where, before, after in pairs:
            found = self.subset(before, after)
            if where == ".*" and after is False and found:
                found = [("", "additionalProperties closed: a property the published schema "
                              "allowed is refused")]
            problems += [(f"{where}{w}", m) for w, m in found]
        return problems

    # -- single values (published enum and const) ------------------------------------------

    def _value_refused(self, schema: Any, value: Any, depth: int = 0) -> str | None:
        """Why `schema` refuses `value`, or None when it surely accepts it."""
        if schema is True or schema is False:
            return None if schema else "nothing is accepted"
        if depth > 64:
            return "too deeply nested to decide"
        parts = self._conjuncts_new(schema)
        if len(parts) != 1 or parts[0] is not schema:
            reasons = (self._value_refused(part, value, depth + 1) for part in parts)
            return next((r for r in reasons if r), None)
        for union in UNIONS:
            if union in schema:
                matches = sum(not self._value_refused(b, value, depth + 1) for b in schema[union])
                wanted = matches == 1 if union == "oneOf" else matches >= 1
                return None if wanted else f"matches {matches} of its {union} branches"
        return _scalar_refused(_validating(schema), value)


def _tuple_form(schema: dict[str, Any]) -> tuple[list[Any], Any]:
    items = schema.get("items", True)
    if isinstance(items, list):  # draft 2019-09 and before: tuple items, additionalItems
        return items, schema.get("additionalItems", True)
    return schema.get("prefixItems", []), items


def _applicable(schema: dict[str, Any], name: str) -> list[Any]:
    """The schemas a property `name` must satisfy under an object schema."""
    found = [schema["properties"][name]] if name in schema.get("properties", {}) else []
    found += [s for p, s in schema.get("patternProperties", {}).items() if re.search(p, name)]
    return found or [schema.get("additionalProperties", True)]


def _bound_changes(old: dict[str, Any], new: dict[str, Any], low: str,
                   high: str) -> list[Problem]:
    problems: list[Problem] = []
    if new.get(low, 0) > old.get(low, 0):
        problems.append(("", f"{low} raised from {old.get(low, 0)} to {new[low]}"))
    if high in new and (high not in old or new[high] < old[high]):
        problems.append(("", f"{high} lowered from {old.get(high, 'none')} to {new[high]}"))
    return problems


def _string_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Problem]:
    problems = _bound_changes(old, new, "minLength", "maxLength")
    for key in ("pattern", "format"):
        if key in new and new[key] != old.get(key):
            was = f"from {old[key]!r} " if key in old else ""
            problems.append(("", f"{key} {'changed' if was else 'added'} {was}to {new[key]!r}"))
    return problems


Bound = tuple[Fraction, bool]  # (value, exclusive)


def _bound(schema: dict[str, Any], side: str, integer_only: bool) -> Bound | None:
    inclusive, exclusive = ("minimum", "exclusiveMinimum") if side == "low" else (
        "maximum", "exclusiveMaximum")
    candidates: list[Bound] = []
    if isinstance(schema.get(exclusive), bool):  # draft 4: a flag on minimum/maximum
        if inclusive in schema:
            candidates.append((Fraction(str(schema[inclusive])), schema[exclusive]))
    else:
        if inclusive in schema:
            candidates.append((Fraction(str(schema[inclusive])), False))
        if exclusive in schema:
            candidates.append((Fraction(str(schema[exclusive])), True))
    if integer_only:  # among integers, > 0 is >= 1 and >= 0.5 is >= 1
        step = 1 if side == "low" else -1
        round_in = math.floor if side == "low" else math.ceil
        round_out = math.ceil if side == "low" else math.floor
        candidates = [(Fraction(round_in(v) + step), False) if excl else
                      (Fraction(round_out(v)), False) for v, excl in candidates]
    if not candidates:
        return None
    tighter = max if side == "low" else min
    return tighter(candidates, key=lambda b: (b[0], b[1]) if side == "low" else (b[0], not b[1]))


def _tightened(old: Bound | None, new: Bound | None, side: str) -> bool:
    if new is None:
        return False
    if old is None:
        return True
    if new[0] != old[0]:
        return new[0] > old[0] if side == "low" else new[0] < old[0]
    return new[1] and not old[1]


def _number_changes(old: dict[str, Any], new: dict[str, Any],
                    integer_only: bool) -> list[Problem]:
    problems: list[Problem] = []
    for side, word in (("low", "lower"), ("high", "upper")):
        before, after = _bound(old, side, integer_only), _bound(new, side, integer_only)
        if _tightened(before, after, side):
            problems.append(("", f"{word} bound tightened from {_show(before)} to "
                                 f"{_show(after)}"))
    if "multipleOf" in new:
        step = Fraction(str(new["multipleOf"]))
        base = Fraction(str(old["multipleOf"])) if "multipleOf" in old else (
            Fraction(1) if integer_only else None)
        if base is None or (base / step).denominator != 1:
            problems.append(("", f"multipleOf {new['multipleOf']} added or changed"))
    return problems


def _show(bound: Bound | None) -> str:
    if bound is None:
        return "none"
    value = bound[0].numerator if bound[0].denominator == 1 else float(bound[0])
    return f"{value} (exclusive)" if bound[1] else f"{value}"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    names = {float: "number", str: "string", list: "array", dict: "object"}
    return names.get(type(value), "unknown")


def _same_json(a: Any, b: Any) -> bool:
    kinds = {_json_type(a), _json_type(b)}
    return a == b and (len(kinds) == 1 or kinds <= {"integer", "number"})


def _scalar_refused(schema: dict[str, Any], value: Any) -> str | None:
    kind = _json_type(value)
    if "type" in schema and not _type_allowed(kind, _types(schema)):
        return f"type {kind!r} not allowed"
    if "enum" in schema and not any(_same_json(value, v) for v in schema["enum"]):
        return "not among the enum values"
    if "const" in schema and not _same_json(value, schema["const"]):
        return "not the const value"
    if kind == "string":
        return _string_refused(schema, value)
    if kind in ("integer", "number"):
        return _number_refused(schema, value)
    checked = {"type", "enum", "const", *STRING_KEYS, *NUMBER_KEYS}
    if kind in ("array", "object"):  # a published enum of arrays or objects: not decided here
        checked = {"type", "enum", "const"}
    unknown = set(schema) - checked
    return f"cannot verify {sorted(unknown)}" if unknown else None


def _not_applying(schema: dict[str, Any], kind: str) -> str | None:
    """Keywords for other types do not apply to this value; any other keyword, and a format on
    a string (which this check does not validate), is not decided."""
    unknown = set(schema) - {"type", "enum", "const"} - STRING_KEYS - NUMBER_KEYS - ARRAY_KEYS
    unknown -= OBJECT_KEYS
    if kind == "string" and "format" in schema:
        unknown.add("format")
    return f"cannot verify {sorted(unknown)}" if unknown else None


def _string_refused(schema: dict[str, Any], value: str) -> str | None:
    if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", math.inf):
        return "length outside the limits"
    if "pattern" in schema and not re.search(schema["pattern"], value):
        return f"does not match {schema['pattern']!r}"
    return _not_applying(schema, "string")


def _number_refused(schema: dict[str, Any], value: float) -> str | None:
    exact = Fraction(str(value))
    low, high = _bound(schema, "low", False), _bound(schema, "high", False)
    if low is not None and (exact < low[0] or (low[1] and exact == low[0])):
        return "below the lower bound"
    if high is not None and (exact > high[0] or (high[1] and exact == high[0])):
        return "above the upper bound"
    if "multipleOf" in schema and (exact / Fraction(str(schema["multipleOf"]))).denominator != 1:
        return f"not a multiple of {schema['multipleOf']}"
    return _not_applying(schema, "number")
