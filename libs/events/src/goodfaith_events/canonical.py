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


def _reject_floats(value: Any, path: str = "$") -> None:
    # Hot path of every append: scalars are checked inline, containers walked.
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
    _reject_floats(value)
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)
