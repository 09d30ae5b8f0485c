"""Database spans from the asyncpg instrumentation (real PostgreSQL, in-memory exporter): a
query inside a trace gets a span with its statement, never its parameters, and a failed
query's span does not quote the error message, which can hold a value."""

import asyncpg
import pytest

from goodfaith_runtime.eventstore import Metadata, NewEvent, PostgresEventStore
from goodfaith_runtime.telemetry import tracer

pytestmark = pytest.mark.integration
SECRET = "Jane Roe, 1 Main St"


def everything_recorded(span) -> str:  # type: ignore[no-untyped-def]
    events = [(e.name, dict(e.attributes or {})) for e in span.events]
    return repr((span.name, dict(span.attributes or {}), events, span.status.description))


def database_spans(exporter, *, resets: bool = False) -> list:  # type: ignore[no-untyped-def]
    """The database spans recorded, but for the pool's reset of a released connection (its
    own span, in the trace of whoever released it) unless `resets`."""
    return [s for s in exporter.get_finished_spans()
            if ((s.attributes or {}).get("db.system") == "postgresql"
                or (s.attributes or {}).get("db.system.name") == "postgresql")
            and (resets or "RESET ALL" not in statement(s))]


def statement(span) -> str:  # type: ignore[no-untyped-def]
    attributes = span.attributes or {}
    return str(attributes.get("db.statement", attributes.get("db.query.text")))


async def test_a_query_in_a_trace_gets_a_span_without_its_parameters(
        pool, span_exporter) -> None:
    span_exporter.clear()
    with tracer().start_as_current_span("request") as parent:
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT $1::text", SECRET) == SECRET
    [span] = database_spans(span_exporter)
    assert span.name == "SELECT" and statement(span) == "SELECT $1::text"
    assert span.parent is not None and span.parent.span_id == parent.get_span_context().span_id
    assert SECRET not in everything_recorded(span)


async def test_an_append_in_a_trace_records_no_payload(pool, span_exporter) -> None:
    span_exporter.clear()
    store = PostgresEventStore(pool, producer="test")
    with tracer().start_as_current_span("command"):
        await store.append("s", 0, [NewEvent(type="test.Happened", payload={"note": SECRET})],
                           Metadata(tenant="acme", producer="test"))
    spans = database_spans(span_exporter, resets=True)
    assert spans, "the append's statements got no span"
    for span in spans:
        assert SECRET not in everything_recorded(span)


async def test_failed_queries_record_the_error_but_not_its_message(pool, span_exporter) -> None:
    span_exporter.clear()
    with tracer().start_as_current_span("request"):
        async with pool.acquire() as conn:
            # Refused by PostgreSQL, whose message quotes the value...
            with pytest.raises(asyncpg.InvalidTextRepresentationError, match="Jane Roe"):
                await conn.fetchval("SELECT $1::text::int", SECRET)
            # ... and by asyncpg before sending, whose message quotes it too.
            with pytest.raises(asyncpg.DataError, match="Jane Roe"):
                await conn.fetchval("SELECT $1::int", SECRET)
    spans = database_spans(span_exporter)
    assert len(spans) == 2
    for span in spans:
        assert span.status.status_code.name == "ERROR"
        assert SECRET not in everything_recorded(span)
        assert "Jane Roe" not in everything_recorded(span)


async def test_queries_outside_any_trace_start_no_span(pool, span_exporter) -> None:
    span_exporter.clear()
    async with pool.acquire() as conn:
        await conn.fetchval("SELECT 1")
    assert database_spans(span_exporter, resets=True) == []


async def test_the_standard_variable_switches_database_spans_off(
        pool, span_exporter, monkeypatch) -> None:
    from opentelemetry import trace
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    from goodfaith_runtime.telemetry import instrument_asyncpg

    provider = trace.get_tracer_provider()
    AsyncPGInstrumentor().uninstrument()
    try:
        monkeypatch.setenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "aiokafka, asyncpg")
        instrument_asyncpg(provider)  # type: ignore[arg-type]
        span_exporter.clear()
        with tracer().start_as_current_span("request"):
            async with pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
        assert database_spans(span_exporter, resets=True) == []
    finally:
        monkeypatch.delenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS")
        instrument_asyncpg(provider)  # type: ignore[arg-type]
    span_exporter.clear()
    with tracer().start_as_current_span("request"):
        async with pool.acquire() as conn:
            await conn.fetchval("SELECT 2")
    assert [statement(s) for s in database_spans(span_exporter)] == ["SELECT 2"]


@pytest.mark.parametrize(("env", "instrumented"), [
    ({}, False),  # nothing exported: no span per query for nobody to read
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"}, True),
])
def test_database_spans_are_on_exactly_when_spans_are_exported(env, instrumented) -> None:
    import os
    import subprocess
    import sys

    probe = ("from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor\n"
             "from goodfaith_runtime.telemetry import configure_tracing\n"
             "configure_tracing('probe')\n"
             "print(AsyncPGInstrumentor().is_instrumented_by_opentelemetry)")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    out = subprocess.run([sys.executable, "-c", probe], env={**clean, **env}, check=True,
                         capture_output=True, text=True, timeout=60).stdout.strip()
    assert out == str(instrumented)
