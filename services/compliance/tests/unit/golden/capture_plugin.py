"""pytest plugin used by `regenerate.py`: records every context the unit tests pass to
`evaluate` with the default registry. Not a test module; only loaded with `-p`."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import pytest

import compliance.domain.decision as decision

_ORIGINAL = decision.evaluate
_CAPTURED: list[tuple[str, str | None, str]] = []


def _spy(ctx: Any, *, pack_version: str | None = None, registry: Any = None) -> Any:
    registry = registry or decision.DEFAULT_REGISTRY
    if registry is decision.DEFAULT_REGISTRY:
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
        _CAPTURED.append((test, pack_version, ctx.model_dump_json()))
    return _ORIGINAL(ctx, pack_version=pack_version, registry=registry)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for module in list(sys.modules.values()):
        if getattr(module, "evaluate", None) is _ORIGINAL:
            module.evaluate = _spy  # type: ignore[attr-defined]


def pytest_sessionfinish() -> None:
    with open(os.environ["GOLDEN_CAPTURE_FILE"], "w", encoding="utf-8") as f:
        json.dump(_CAPTURED, f)
