"""Refuse, as a 4xx problem, request input that PostgreSQL or the event log could not store.

JSON and Python accept values that a service can validate, but never store: text holding a NUL
character (PostgreSQL's text and jsonb refuse it), text with an unpaired UTF-16 surrogate (not
encodable as UTF-8, so no canonical JSON and no hash), integers outside the signed 64-bit
range (bigint, and the canonical JSON encoder, stop there) and the non-finite numbers Python's
JSON parser lets through (NaN, Infinity, 1e400). Without this guard they reached the database
or the hash chain and came back as a 500 (found by fuzzing the ledger's API with schemathesis).

One guard in front of every service, rather than a constraint on each model's fields: no
endpoint can forget it, and the answer names where the value was without echoing it (it may be
personal data). Bodies above `max_body_bytes` are refused with 413 before they are read whole.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from goodfaith_runtime.problems import Problem, problem_json

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_BODY_BYTES = 1 << 20


def _text_flaw(text: str) -> str | None:
    if "\x00" in text:
        return "text may not contain a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "text may not contain an unpaired surrogate"
    return None


def _scalar_flaw(value: Any) -> tuple[str, str] | None:
    """(message, error type) for a JSON scalar that cannot be stored, or None."""
    if isinstance(value, str):
        flaw = _text_flaw(value)
        return (flaw, "unstorable_text") if flaw else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        return "integers must fit in a signed 64-bit integer", "integer_out_of_range"
    if isinstance(value, float) and not math.isfinite(value):
        return "numbers must be finite", "not_finite"
    return None


def unstorable(value: Any, loc: tuple[str | int, ...] = ()) -> Iterator[dict[str, Any]]:
    """Each place in a parsed JSON value that cannot be stored, as a validation-style error."""
    if isinstance(value, dict):
        for key, item in value.items():
            if flaw := _text_flaw(key):
                yield {"loc": [*loc, "<key>"], "msg": flaw, "type": "unstorable_text"}
            else:
                yield from unstorable(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable(item, (*loc, index))
    elif found := _scalar_flaw(value):
        yield {"loc": list(loc), "msg": found[0], "type": found[1]}


def _url_errors(scope: Scope) -> list[dict[str, Any]]:
    errors = []
    if flaw := _text_flaw(scope.get("path", "")):
        errors.append({"loc": ["path"], "msg": flaw, "type": "unstorable_text"})
    # Decoded as Starlette decodes it (bad UTF-8 becomes U+FFFD), so only NUL can be left.
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if (flaw := _text_flaw(name) or _text_flaw(value)) is not None:
            errors.append({"loc": ["query", name], "msg": flaw, "type": "unstorable_text"})
    return errors


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media: bytes = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


def _reject_constant(name: str) -> float:
    return float("nan")  # NaN, Infinity, -Infinity: reported by unstorable() with their place


class StorableInput:
    """ASGI middleware: the guard described in the module docstring."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if errors := _url_errors(scope):
            # The path itself is bad: not echoed as the instance.
            await problem_json(_invalid(errors), None)(scope, receive, send)
            return
        body, more = await _read_body(receive, self.max_body_bytes)
        if more:
            too_large = Problem(413, "Request body too large",
                                f"send at most {self.max_body_bytes} bytes", type_="body-too-large")
            await problem_json(too_large, scope.get("path"))(scope, receive, send)
            return
        if body and _is_json(scope) and (errors := _body_errors(body)):
            await problem_json(_invalid(errors), scope.get("path"))(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


def _body_errors(body: bytes) -> list[dict[str, Any]]:
    try:
        parsed = json.loads(body, parse_constant=_reject_constant)
        return [{**e, "loc": ["body", *e["loc"]]} for e in unstorable(parsed)]
    except ValueError:
        return []  # not JSON at all: FastAPI answers that with its own 400
    except RecursionError:  # FastAPI's own parse would fail the same way, as a 500
        return [{"loc": ["body"], "msg": "JSON nested too deeply", "type": "too_deep"}]


def _invalid(errors: list[dict[str, Any]]) -> Problem:
    return Problem(422, "Invalid request", "the request holds a value that cannot be stored",
                   type_="validation", errors=errors)


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The body, and whether it went past `limit` (then reading stopped there)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False  # the client went away; the app will see it too
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
