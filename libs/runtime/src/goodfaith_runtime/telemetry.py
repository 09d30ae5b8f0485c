"""Logs and traces.

structlog writes JSON lines stamped with the current trace and span ids. OpenTelemetry is
configured from the standard OTEL_* variables. Personal data never goes into either: log event
names and ids, never payloads, names, addresses, phone numbers or emails.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import structlog
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Span, SpanKind

_PERSONAL_KEYS = frozenset({
    "name", "first_name", "last_name", "email", "phone", "address", "endpoint", "payload",
    "body", "content", "dob", "ssn",
})


def current_trace_id() -> str | None:
    """The current span's trace id as the 32 hex digits Grafana searches by, if any."""
    ctx = trace.get_current_span().get_span_context()
    return _trace_hex(ctx) if ctx.is_valid else None


def _trace_hex(ctx: trace.SpanContext) -> str:
    return format(ctx.trace_id, "032x")


def _stamp_trace(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> Mapping[str, Any]:
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:  # one span lookup per log line: this runs for every line
        event_dict["trace_id"] = _trace_hex(ctx)
        event_dict["span_id"] = format(ctx.span_id, "016x")
    return event_dict


_REDACTED = "[redacted]"
_CONTAINERS = (dict, list, tuple)
# A line whose values are all of these exact types (nearly every line) has nothing to walk.
_SCALARS = frozenset({str, int, float, bool, type(None)})
# Deeper than this, a nested value is redacted whole rather than walked (and a cyclic one
# cannot recurse forever).
_MAX_DEPTH = 8


def _drop_personal(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> Mapping[str, Any]:
    # A guard, not a licence: code must not log personal data in the first place.
    # It runs on every log line, and most lines are flat: one set intersection for the
    # top-level keys and one pass over the values' types; only dicts, lists and tuples (and
    # their subclasses) are walked.
    for key in _PERSONAL_KEYS.intersection(event_dict):
        event_dict[key] = _REDACTED
    if _SCALARS.issuperset(map(type, event_dict.values())):
        return event_dict
    for key, value in event_dict.items():
        if isinstance(value, _CONTAINERS):
            event_dict[key] = _redact_nested(value, 1)
    return event_dict


def _redact_nested(value: Any, depth: int) -> Any:
    """A copy of `value` with the personal keys of every nested dict redacted. A copy: the
    caller's own objects are never changed by logging them."""
    if depth > _MAX_DEPTH:
        return _REDACTED
    if isinstance(value, dict):
        return {key: _REDACTED if key in _PERSONAL_KEYS
                else _redact_nested(item, depth + 1) if isinstance(item, _CONTAINERS) else item
                for key, item in value.items()}
    return [_redact_nested(item, depth + 1) if isinstance(item, _CONTAINERS) else item
            for item in value]


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to sys.stdout as it is when a line is logged, not when configured (a test's
    capture, replaced and closed between tests, say)."""

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def configure_logging(service: str, level: str = "INFO") -> None:
    """JSON lines on stdout for our own events and for every library that logs through the
    standard library (uvicorn, aiokafka, asyncpg, embedded PostgreSQL), the latter with their
    logger's name: one parser reads every line a service writes. Idempotent (a service
    process configures it before uvicorn starts and again with its settings)."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _stamp_trace,
        _drop_personal,
    ]
    render: list[Any] = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    handler = _StdoutHandler()
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *render],
    ))
    root = logging.getLogger()
    for previous in [h for h in root.handlers if isinstance(h, _StdoutHandler)]:
        root.removeHandler(previous)  # ours from an earlier call; others' handlers stay
    root.addHandler(handler)
    root.setLevel(level)
    structlog.configure(
        processors=[*shared, *render],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)


def configure_tracing(
    service: str, exporter: SpanExporter | None = None, *, database_spans: bool | None = None,
) -> TracerProvider:
    """Install a tracer provider. Without an explicit exporter, export OTLP over HTTP when
    OTEL_EXPORTER_OTLP_ENDPOINT is set, otherwise record nothing outward. Database spans
    (`database_spans`) default to on exactly when spans are exported: a recorded span costs
    ~50 us a query (a gate decision makes four or five), for nobody to read."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        provider = current
    else:
        resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service)})
        provider = TracerProvider(resource=resource)
        trace.set_tracer_provider(provider)
    if exporter is None and os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    if database_spans if database_spans is not None else exporter is not None:
        instrument_asyncpg(provider)
    return provider


class _DatabaseTracer:
    """The tracer the asyncpg instrumentation starts its spans with, made to keep personal
    data out of them and root spans out of the trace store:

    - the statement text is recorded (the store's statements carry values as $n parameters),
      the parameters never (`capture_parameters=False`);
    - a failed query's span gets the error status and no exception event or status
      description: a database error's message can quote a value ('invalid input syntax for
      type integer: "Jane Roe"', asyncpg's 'invalid input for query argument $1: ...');
    - a query outside any span (the outbox relay's rounds and listens, start-up migrations)
      starts no span: one root trace per statement would bury the requests' and messages'
      traces, and costs on every relay round.
    """

    def __init__(self, tracer: trace.Tracer) -> None:
        self.wrapped = tracer

    def start_as_current_span(self, name: str, *args: Any,
                              **kwargs: Any) -> AbstractContextManager[Span]:
        if not trace.get_current_span().get_span_context().is_valid:
            return nullcontext(trace.INVALID_SPAN)
        kwargs["record_exception"] = False
        kwargs["set_status_on_exception"] = False
        return self.wrapped.start_as_current_span(name, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


def instrument_asyncpg(provider: TracerProvider) -> None:
    """Database spans for every asyncpg query inside a trace, without its parameters (see
    _DatabaseTracer). Once per process; safe to call again.

    A recorded span costs the process some tens of microseconds a query (~50 us measured on
    this 2-core machine, against ~30 us for a local SELECT): sampling (OTEL_TRACES_SAMPLER=
    parentbased_traceidratio) makes unsampled traces' spans cheap, and
    OTEL_PYTHON_DISABLED_INSTRUMENTATIONS=asyncpg, as for `opentelemetry-instrument`,
    switches the database spans off."""
    disabled = os.environ.get("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "")
    if "asyncpg" in {name.strip() for name in disabled.split(",")}:
        return
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    # One instance per process (BaseInstrumentor is a singleton), whoever instrumented first
    # (`opentelemetry-instrument`, say): its settings are made ours either way.
    instrumentor = AsyncPGInstrumentor(capture_parameters=False)  # type: ignore[no-untyped-call]
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider)
    current = instrumentor._tracer
    if current is not None and not isinstance(current, _DatabaseTracer):
        instrumentor._tracer = _DatabaseTracer(current)  # type: ignore[assignment]


@functools.cache
def tracer(name: str = "goodfaith") -> trace.Tracer:
    # One tracer per name for the process: get_tracer builds a new one on every call, and
    # this runs for every message consumed and published. Taken before the provider is
    # installed, it is a proxy that follows the provider once set.
    return trace.get_tracer(name)


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, or None outside any span. Formatted directly:
    it runs on every append, and the propagator API costs ~20x more."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"


def context_from_traceparent(traceparent: str | None) -> otel_context.Context:
    return extract({"traceparent": traceparent} if traceparent else {})


@contextmanager
def span_from_traceparent(
    name: str, traceparent: str | None, kind: SpanKind, attributes: dict[str, Any] | None = None,
) -> Iterator[Span]:
    """Start a span whose parent is the remote context in `traceparent` (if any)."""
    parent = context_from_traceparent(traceparent)
    with tracer().start_as_current_span(
        name, context=parent, kind=kind, attributes=attributes or {},
    ) as span:
        yield span
