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


def test_library_log_lines_are_json_too(capsys, span_exporter) -> None:
    import logging

    configure_logging("test")
    with tracer().start_as_current_span("work") as span:
        logging.getLogger("uvicorn.error").warning("Started server process [%d]", 42)
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["event"] == "Started server process [42]" and line["level"] == "warning"
    assert line["logger"] == "uvicorn.error" and line["service"] == "test"
    assert line["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert "timestamp" in line


def test_current_traceparent_matches_the_w3c_propagator(span_exporter) -> None:
    from opentelemetry.propagate import inject

    from goodfaith_runtime.telemetry import current_traceparent

    assert current_traceparent() is None
    with tracer().start_as_current_span("work"):
        carrier: dict[str, str] = {}
        inject(carrier)
        assert current_traceparent() == carrier["traceparent"]


def test_personal_keys_are_redacted_however_deep_they_are_nested(capsys) -> None:
    configure_logging("test")
    request = {"debtor_id": "p-1", "contact": {"email": "jane@example.com",
                                               "channels": [{"phone": "+1415", "kind": "sms"}]},
               "history": ({"address": "1 Main St"}, "call")}
    structlog.get_logger("t").info("request.received", request=request, attempt=2)
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["request"] == {
        "debtor_id": "p-1",
        "contact": {"email": "[redacted]", "channels": [{"phone": "[redacted]", "kind": "sms"}]},
        "history": [{"address": "[redacted]"}, "call"]}
    assert line["attempt"] == 2
    for secret in ("jane@example.com", "+1415", "1 Main St"):
        assert secret not in json.dumps(line)
    # Logging never changes the caller's own objects.
    assert request["contact"]["email"] == "jane@example.com"  # type: ignore[index]
    assert request["history"][0] == {"address": "1 Main St"}  # type: ignore[index]


def test_a_personal_key_holding_a_container_is_redacted_whole_and_depth_is_bounded() -> None:
    from goodfaith_runtime.telemetry import _drop_personal

    deep: dict = {"email": "jane@example.com"}
    for _ in range(20):
        deep = {"next": deep}
    event = _drop_personal(None, "info", {"event": "e", "payload": {"debt_id": "d"},
                                          "deep": deep, "items": [[{"name": "Jane"}]]})
    assert event["payload"] == "[redacted]"
    assert event["items"] == [[{"name": "[redacted]"}]]
    assert "jane@example.com" not in json.dumps(event["deep"])  # cut off, not walked forever


def test_flat_lines_pass_through_unchanged_but_for_personal_keys() -> None:
    from goodfaith_runtime.telemetry import _drop_personal

    flat = {"event": "e", "debtor_id": "p-1", "n": 3, "ok": True, "ratio": 0.5, "none": None}
    assert _drop_personal(None, "info", {**flat, "email": "x@y"}) == {**flat,
                                                                    "email": "[redacted]"}
