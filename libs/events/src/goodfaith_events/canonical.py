"""Canonical JSON: the one byte form used for hashing, signing and the wire.

Sorted keys, no insignificant white space, UTF-8. Floats are refused: money is integer minor
units, and a float's text form is not stable enough to hash.
"""

from __future__ import annotations

from typing import Any

import orjson


class NotCanonical(ValueError):
    pass


_SCALARS = (str, int, bool, type(None))


def _reject_floats(value: Any) -> None:
    """No float and no non-string key anywhere. The hot path of every append: an explicit
    stack, and a container's path is kept as (parent path, key) links, spelled out only for
    the error (a path string per container cost a third of the walk)."""
    stack: list[tuple[Any, Any]] = [(value, None)]
    pop, push = stack.pop, stack.append
    while stack:
        item, where = pop()
        kind = type(item)
        if kind is dict:
            for key, child in item.items():
                if type(key) is not str:
                    raise NotCanonical(f"non-string key at {_path(where)}")
                if type(child) not in _SCALARS:
                    push((child, (where, key)))
        elif kind is list or kind is tuple:
            for index, child in enumerate(item):
                if type(child) not in _SCALARS:
                    push((child, (where, index)))
        elif kind is float:
            raise NotCanonical(f"float at {_path(where)}: use integer minor units or a string")


def _path(where: Any) -> str:
    steps: list[str] = []
    while where is not None:
        where, step = where
        steps.append(f"[{step}]" if isinstance(step, int) else f".{step}")
    return "$" + "".join(reversed(steps))


def canonical_json(value: Any) -> bytes:
    _reject_floats(value)
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)
