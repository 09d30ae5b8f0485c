import json

import structlog

from goodfaith_runtime.telemetry import configure_logging, tracer


def test_log_lines_are_json_with_trace_ids_and_no_personal_data(capsys, span_exporter) -> None:
    configure_logging("test")
    log = structlog.get_logger("t")
    with tracer().start_as_current_span("work") as span:
        log.info("debtor.updated", debtor_id="p-1", email="jane@example.com", phone="+1415")
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["event"] == "debtor.updated" and line["service"] == "test"
    assert line["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert line["email"] == line["phone"] == "[redacted]"
    assert line["debtor_id"] == "p-1"


def test_current_traceparent_matches_the_w3c_propagator(span_exporter) -> None:
    from opentelemetry.propagate import inject

    from goodfaith_runtime.telemetry import current_traceparent

    assert current_traceparent() is None
    with tracer().start_as_current_span("work"):
        carrier: dict[str, str] = {}
        inject(carrier)
        assert current_traceparent() == carrier["traceparent"]
