"""The compatibility check between a published schema and the current one, and the guarded write.

Each incompatible case carries a witness: a message the published schema accepts and the current
one refuses, confirmed with the jsonschema library, so the check is tested against a real
validator and not only against itself. Each compatible case carries samples valid under both.
"""

import json
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from goodfaith_events.schemas import (
    IncompatibleSchemaChange,
    generate,
    incompatibilities,
    main,
    plan,
    render,
    write,
)

jsonschema = pytest.importorskip("jsonschema")


def _valid(schema: Any, instance: Any) -> bool:
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return validator.is_valid(instance)


def _obj(props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "additionalProperties": False, **extra}


S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741
TREE_OLD = {"$ref": "#/$defs/Node", "$defs": {"Node": _obj(
    {"name": {"type": "string", "maxLength": 10},
     "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}})}}
TREE_NEW = {"$ref": "#/$defs/Node", "$defs": {"Node": _obj(
    {"name": {"type": "string", "maxLength": 3},
     "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}})}}

# (id, published, current, expected text of the report, witness valid under published only)
INCOMPATIBLE: list[tuple[str, Any, Any, str, Any]] = [
    ("maxLength lowered", {"type": "string", "maxLength": 10}, {"type": "string", "maxLength": 5},
     "(root): maxLength lowered from 10 to 5", "abcdefgh"),
    ("maxLength added", S, {"type": "string", "maxLength": 5}, "maxLength lowered from none",
     "abcdefgh"),
    ("minLength raised", {"type": "string", "minLength": 1}, {"type": "string", "minLength": 3},
     "minLength raised from 1 to 3", "ab"),
    ("maximum lowered", {"type": "integer", "maximum": 100}, {"type": "integer", "maximum": 50},
     "upper bound tightened from 100 to 50", 75),
    ("minimum raised", {"type": "number", "minimum": 0}, {"type": "number", "minimum": 0.5},
     "lower bound tightened from 0 to 0.5", 0.25),
    ("minimum made exclusive", {"type": "integer", "minimum": 0},
     {"type": "integer", "exclusiveMinimum": 0}, "lower bound tightened from 0 to 1", 0),
    ("multipleOf added", {"type": "integer"}, {"type": "integer", "multipleOf": 5},
     "multipleOf 5 added", 3),
    ("pattern added", S, {"type": "string", "pattern": "^[A-Z]{3}$"},
     "pattern added to '^[A-Z]{3}$'", "usd"),
    ("pattern changed", {"type": "string", "pattern": "^[a-z]+$"},
     {"type": "string", "pattern": "^[a-z]{1,3}$"}, "pattern changed from '^[a-z]+$'", "abcd"),
    ("format added", S, {"type": "string", "format": "date"}, "format added to 'date'", "soon"),
    ("enum narrowed", {"enum": ["a", "b"]}, {"enum": ["a"]}, "value 'b' no longer accepted",
     "b"),
    ("enum put on a free string", S, {"type": "string", "enum": ["a"]},
     "now restricted to the values ['a']", "z"),
    ("const changed", {"const": 1}, {"const": 2}, "value 1 no longer accepted", 1),
    ("type changed", S, I, "type 'string' no longer allowed", "x"),
    ("number narrowed to integer", {"type": "number"}, I, "type 'number' no longer allowed", 1.5),
    ("property became required", _obj({"a": S}), _obj({"a": S}, required=["a"]),
     "a: became required", {}),
    ("additionalProperties closed", {"type": "object"},
     {"type": "object", "additionalProperties": False}, "additionalProperties closed",
     {"x": 1}),
    ("property removed from a closed object", _obj({"a": S, "b": S}), _obj({"a": S}),
     "b: removed, and additionalProperties is false", {"b": "x"}),
    ("typed property added to an open object", {"type": "object"},
     {"type": "object", "properties": {"x": S}}, "x: type 'number' no longer allowed",
     {"x": 1}),
    ("property limit tightened", _obj({"a": {"type": "string", "maxLength": 9}}),
     _obj({"a": {"type": "string", "maxLength": 2}}), "a: maxLength lowered from 9 to 2",
     {"a": "abc"}),
    ("additionalProperties schema tightened", {"type": "object", "additionalProperties": I},
     {"type": "object", "additionalProperties": {"type": "integer", "maximum": 5}},
     "*: upper bound tightened", {"k": 9}),
    ("patternProperties added", {"type": "object"},
     {"type": "object", "patternProperties": {"^n_": I}}, "<^n_>: type", {"n_x": "s"}),
    ("propertyNames added", {"type": "object"},
     {"type": "object", "propertyNames": {"maxLength": 2}}, "(property names): maxLength",
     {"long": 1}),
    ("array items tightened", {"type": "array", "items": {"type": "string", "maxLength": 5}},
     {"type": "array", "items": {"type": "string", "maxLength": 3}},
     "[]: maxLength lowered from 5 to 3", ["abcd"]),
    ("array items typed", {"type": "array"}, {"type": "array", "items": I},
     "[]: type 'string' no longer allowed", ["x"]),
    ("maxItems lowered", {"type": "array", "maxItems": 3}, {"type": "array", "maxItems": 1},
     "maxItems lowered from 3 to 1", [1, 2]),
    ("minItems raised", {"type": "array"}, {"type": "array", "minItems": 1},
     "minItems raised from 0 to 1", []),
    ("uniqueItems added", {"type": "array"}, {"type": "array", "uniqueItems": True},
     "uniqueItems added", [1, 1]),
    ("prefixItems tightened", {"type": "array", "prefixItems": [S, I], "items": False},
     {"type": "array", "prefixItems": [S, {"type": "integer", "minimum": 0}], "items": False},
     "[1]: lower bound tightened", ["a", -1]),
    ("tightened through $ref into $defs",
     {"properties": {"r": {"$ref": "#/$defs/R"}}, "$defs": {"R": _obj({"id": S})}},
     {"properties": {"r": {"$ref": "#/$defs/R"}},
      "$defs": {"R": _obj({"id": {"type": "string", "maxLength": 2}})}},
     "r.id: maxLength lowered", {"r": {"id": "abc"}}),
    ("tightened in a list of $ref items",
     {"type": "array", "items": {"$ref": "#/$defs/R"}, "$defs": {"R": _obj({"id": S})}},
     {"type": "array", "items": {"$ref": "#/$defs/Renamed"},
      "$defs": {"Renamed": _obj({"id": S}, required=["id"])}},
     "[].id: became required", [{}]),
    ("tightened in a recursive schema", TREE_OLD, TREE_NEW,
     "children[].name: maxLength lowered from 10 to 3",
     {"name": "root", "children": [{"name": "leaf"}]}),
    ("nullable dropped (anyOf branch removed)", {"anyOf": [S, {"type": "null"}]},
     {"anyOf": [S]}, "published anyOf[1]: no anyOf branch accepts it", None),
    ("anyOf branch tightened", {"anyOf": [{"type": "string", "maxLength": 9}, I]},
     {"anyOf": [{"type": "string", "maxLength": 4}, I]},
     "nearest, anyOf[0]: maxLength lowered from 9 to 4", "abcdef"),
    ("oneOf branch tightened",
     {"oneOf": [_obj({"k": {"const": "a"}, "v": S}, required=["k"]),
                _obj({"k": {"const": "b"}}, required=["k"])]},
     {"oneOf": [_obj({"k": {"const": "a"}, "v": {"type": "string", "maxLength": 1}},
                     required=["k"]),
                _obj({"k": {"const": "b"}}, required=["k"])]},
     "v: published oneOf[0]: no oneOf branch accepts it", {"k": "a", "v": "long"}),
    ("allOf constraint added", S, {"allOf": [S, {"maxLength": 2}]}, "maxLength lowered",
     "abc"),
    ("$ref sibling constraint added", {"$ref": "#/$defs/T", "$defs": {"T": S}},
     {"$ref": "#/$defs/T", "maxLength": 2, "$defs": {"T": S}}, "maxLength lowered", "abc"),
    ("not added", S, {"type": "string", "not": {"const": "x"}},
     "'not' added or changed, and this check cannot prove that compatible", "x"),
    ("nothing accepted any more", S, False, "no longer accepts anything", "x"),
]

# (id, published, current, samples valid under both)
COMPATIBLE: list[tuple[str, Any, Any, list[Any]]] = [
    ("optional property added to a closed object", _obj({"a": S}), _obj({"a": S, "b": I}),
     [{"a": "x"}, {}]),
    ("maxLength raised", {"type": "string", "maxLength": 5}, {"type": "string", "maxLength": 9},
     ["abcd"]),
    ("maxLength dropped", {"type": "string", "maxLength": 5}, S, ["abc"]),
    ("minimum lowered", {"type": "integer", "minimum": 5}, {"type": "integer", "minimum": 1},
     [5, 6]),
    ("exclusive bound spelled inclusively on integers", {"type": "integer", "exclusiveMinimum": 0},
     {"type": "integer", "minimum": 1}, [1, 2]),
    ("minItems lowered, maxItems raised", {"type": "array", "minItems": 2, "maxItems": 3},
     {"type": "array", "minItems": 1, "maxItems": 4}, [[1, 2]]),
    ("enum value added", {"enum": ["a", "b"]}, {"enum": ["a", "b", "c"]}, ["a", "b"]),
    ("enum replaced by an accepting pattern", {"type": "string", "enum": ["BLOCK", "REVIEW"]},
     {"type": "string", "pattern": "^(BLOCK|REVIEW)$"}, ["BLOCK"]),
    ("nullable added", S, {"anyOf": [S, {"type": "null"}]}, ["x"]),
    ("type list split into anyOf", {"type": ["string", "null"]}, {"anyOf": [S, {"type": "null"}]},
     ["x", None]),
    ("integer widened to number", I, {"type": "number"}, [1]),
    ("required made optional", _obj({"a": S}, required=["a"]), _obj({"a": S}), [{"a": "x"}]),
    ("property removed from an open object", {"type": "object", "properties": {"a": S}},
     {"type": "object"}, [{"a": "x"}]),
    ("additionalProperties opened", _obj({"a": S}), {"type": "object", "properties": {"a": S}},
     [{"a": "x"}]),
    ("items loosened", {"type": "array", "items": {"type": "string", "maxLength": 3}},
     {"type": "array", "items": S}, [["abc"]]),
    ("definition renamed",
     {"properties": {"m": {"$ref": "#/$defs/Money"}}, "$defs": {"Money": _obj({"a": I})}},
     {"properties": {"m": {"$ref": "#/$defs/Amount"}}, "$defs": {"Amount": _obj({"a": I})}},
     [{"m": {"a": 1}}]),
    ("annotations changed", {"type": "string", "title": "A", "description": "old"},
     {"type": "string", "title": "B", "description": "new", "x-personal-data": True}, ["x"]),
    ("recursive schema unchanged", TREE_OLD, TREE_OLD, [{"name": "r", "children": []}]),
    ("oneOf branch added", {"oneOf": [_obj({"k": {"const": "a"}}, required=["k"])]},
     {"oneOf": [_obj({"k": {"const": "a"}}, required=["k"]),
                _obj({"k": {"const": "b"}}, required=["k"])]}, [{"k": "a"}]),
    ("allOf on the published side", {"allOf": [S, {"maxLength": 2}]},
     {"type": "string", "maxLength": 2}, ["ab"]),
    ("anything accepted now", {"type": "string", "maxLength": 1}, True, ["a"]),
]


@pytest.mark.parametrize(("published", "current", "expected", "witness"),
                         [case[1:] for case in INCOMPATIBLE], ids=[c[0] for c in INCOMPATIBLE])
def test_the_check_flags_each_incompatible_change(published, current, expected, witness) -> None:
    assert _valid(published, witness) and not _valid(current, witness), "a bad witness"
    problems = incompatibilities(published, current)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(("published", "current", "samples"),
                         [case[1:] for case in COMPATIBLE], ids=[c[0] for c in COMPATIBLE])
def test_the_check_passes_each_compatible_change(published, current, samples) -> None:
    assert all(_valid(published, s) and _valid(current, s) for s in samples), "a bad sample"
    assert incompatibilities(published, current) == []


def test_a_changed_topic_is_incompatible() -> None:
    published = {"type": "object", "x-topic": "goodfaith.a"}
    assert incompatibilities(published, {**published, "x-topic": "goodfaith.b"}) == [
        "(root): topic changed from 'goodfaith.a' to 'goodfaith.b': consumers of the published "
        "version would not receive it"]


def test_the_check_on_pydantic_models() -> None:
    """Models as the contracts are written: a tightened field inside a list of a nested model."""

    class Closed(BaseModel):
        model_config = ConfigDict(extra="forbid")

    class RuleV1(Closed):
        rule_id: Annotated[str, Field(max_length=100)]

    class RuleV1b(Closed):
        rule_id: Annotated[str, Field(max_length=40)]

    class BlockedV1(Closed):
        rules: list[RuleV1]
        note: str | None = None

    class BlockedV1b(Closed):
        rules: list[RuleV1b]
        note: str | None = None
        reasons: list[str] = Field(default_factory=list)  # optional: compatible

    old, new = BlockedV1.model_json_schema(), BlockedV1b.model_json_schema()
    assert incompatibilities(old, new) == ["rules[].rule_id: maxLength lowered from 100 to 40"]
    # the reverse is compatible for this check: what old consumers make of it is not checked
    assert incompatibilities(new, old) == ["reasons: removed, and additionalProperties is "
                                           "false: a message carrying it is refused"]


def test_every_checked_in_schema_is_a_valid_json_schema() -> None:
    for schema in generate().values():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert incompatibilities(schema, schema) == []


# -- the write step, on a temporary directory -----------------------------------------------

NAME = "ledger.InvoiceOverdue.v1.json"


def _published_looser(directory: Path) -> str:
    """Publish InvoiceOverdue v1 with a looser governing_state than the current model has."""
    schema = json.loads(json.dumps(generate()[NAME]))
    schema["properties"]["governing_state"]["anyOf"][0]["maxLength"] = 20
    text = render(schema)
    (directory / NAME).write_text(text)
    return text


def test_write_writes_new_versions_and_then_nothing(tmp_path: Path) -> None:
    assert write(tmp_path) == sorted(generate())
    assert write(tmp_path) == []
    assert plan(tmp_path).new == plan(tmp_path).changed == {}


def test_write_refuses_an_incompatible_change_and_writes_nothing(tmp_path: Path) -> None:
    published = _published_looser(tmp_path)
    with pytest.raises(IncompatibleSchemaChange) as refused:
        write(tmp_path)
    message = str(refused.value)
    assert "ledger.InvoiceOverdue v1 (ledger.InvoiceOverdue.v1.json)" in message
    assert "governing_state: published anyOf[0]: no anyOf branch accepts it" in message
    assert "maxLength lowered from 20 to 10" in message
    assert (tmp_path / NAME).read_text() == published
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAME], "new versions were written"


def test_the_command_exits_non_zero_naming_contract_version_and_change(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    published = _published_looser(tmp_path)
    assert main(["write", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "refusing to write" in err and "ledger.InvoiceOverdue v1" in err
    assert "maxLength lowered from 20 to 10" in err
    assert (tmp_path / NAME).read_text() == published
    assert main(["check", "--dir", str(tmp_path)]) == 1


def test_write_rewrites_a_compatible_change(tmp_path: Path) -> None:
    schema = json.loads(json.dumps(generate()[NAME]))
    schema["properties"]["governing_state"]["anyOf"][0]["maxLength"] = 5  # current: looser
    (tmp_path / NAME).write_text(render(schema))
    todo = plan(tmp_path)
    assert list(todo.changed) == [NAME] and not todo.refusals
    assert NAME in write(tmp_path)
    assert (tmp_path / NAME).read_text() == render(generate()[NAME])
    assert main(["check", "--dir", str(tmp_path)]) == 0


def test_make_schemas_goes_through_the_guarded_write() -> None:
    makefile = (Path(__file__).resolve().parents[3] / "Makefile").read_text()
    target = makefile.split("\nschemas:", 1)[1].split("\n.PHONY", 1)[0]
    assert "python -m goodfaith_events.schemas write" in target
