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


def _is_clean(value: Any) -> bool:
    """No float and no non-string key anywhere. The hot path of every append: an explicit
    stack and no paths (a path string per container cost a third of the walk); the path is
    worked out by `_reject_floats` only when something is wrong."""
    stack = [value]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        kind = type(item)
        if kind is dict:
            for key, child in item.items():
                if type(key) is not str:
                    return False
                if type(child) not in _SCALARS:
                    push(child)
        elif kind is list or kind is tuple:
            for child in item:
                if type(child) not in _SCALARS:
                    push(child)
        elif kind is float:
            return False
    return True


def _reject_floats(value: Any, path: str = "$") -> None:
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise NotCanonical(f"non-string key at {path}")
            if type(item) not in _SCALARS:
                _reject_floats(item, f"{path}.{key}")
    elif kind is list or kind is tuple:
        for index, item in enumerate(value):
            if type(item) not in _SCALARS:
                _reject_floats(item, f"{path}[{index}]")
    elif kind is float:
        raise NotCanonical(f"float at {path}: use integer minor units or a string")


def canonical_json(value: Any) -> bytes:
    if not _is_clean(value):
        _reject_floats(value)  # raises, naming where
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)
