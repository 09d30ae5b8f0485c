"""Canonical JSON: the one byte form used for hashing, signing and the wire.

Sorted keys, no insignificant white space, UTF-8. Floats are refused: money is integer minor
units, and a float's text form is not stable enough to hash.
"""

from __future__ import annotations

from typing import Any

import orjson


class NotCanonical(ValueError):
    pass


def _reject_floats(value: Any, path: str = "$") -> None:
    if isinstance(value, float):
        raise NotCanonical(f"float at {path}: use integer minor units or a string")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonical(f"non-string key at {path}")
            _reject_floats(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_floats(item, f"{path}[{index}]")


def canonical_json(value: Any) -> bytes:
    _reject_floats(value)
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)
