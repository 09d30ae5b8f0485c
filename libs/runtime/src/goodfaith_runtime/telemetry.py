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
from contextlib import contextmanager
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


def _drop_personal(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> Mapping[str, Any]:
    # A guard, not a licence: code must not log personal data in the first place.
    for key in _PERSONAL_KEYS.intersection(event_dict):
        event_dict[key] = "[redacted]"
    return event_dict


def configure_logging(service: str, level: str = "INFO") -> None:
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _stamp_trace,
            _drop_personal,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)


def configure_tracing(service: str, exporter: SpanExporter | None = None) -> TracerProvider:
    """Install a tracer provider. Without an explicit exporter, export OTLP over HTTP when
    OTEL_EXPORTER_OTLP_ENDPOINT is set, otherwise record nothing outward."""
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
    return provider


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
