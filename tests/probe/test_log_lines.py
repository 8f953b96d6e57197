"""Tests for how the log probes read lines: streams, JSON objects, fields, request lines."""

from __future__ import annotations

from twelve.probe.harness import OutputLine
from twelve.probe.instance import Exchange
from twelve.probe.probes.f11_logs._log_lines import Sent, has_field, on_stream, parse_object


def _exchange(path: str, t: float, seconds: float = 0.01) -> Exchange:
    return Exchange(t, "GET", path, 200, {}, "", None, seconds)


def test_lines_are_numbered_on_the_declared_stream_only() -> None:
    """Numbers count lines of the chosen stream; blank lines keep their number but are skipped."""
    lines = [
        OutputLine(0.1, "stdout", "{}"),
        OutputLine(0.2, "stderr", "warning"),
        OutputLine(0.3, "stdout", "   "),
        OutputLine(0.4, "stdout", "plain"),
    ]
    assert [(n, line.text) for n, line in on_stream(lines, "stdout")] == [(1, "{}"), (3, "plain")]
    assert [n for n, _ in on_stream(lines, "stderr")] == [1]
    assert [n for n, _ in on_stream(lines, "either")] == [1, 2, 4]


def test_only_a_json_object_is_a_structured_line() -> None:
    """Arrays, strings, numbers and broken JSON are not log events."""
    assert parse_object('{"level": "info"}') == {"level": "info"}
    for text in ("[1, 2]", '"text"', "42", "{broken", "INFO listening"):
        assert parse_object(text) is None


def test_fields_may_be_dotted_paths_into_nested_objects() -> None:
    """`log.level` is a flat key or a nested one; a missing branch is missing."""
    assert has_field({"log.level": "info"}, "log.level")
    assert has_field({"log": {"level": "info"}}, "log.level")
    assert not has_field({"log": "info"}, "log.level")
    assert not has_field({"level": "info"}, "log.level")


def test_a_request_line_carries_the_id_or_the_path_within_the_window() -> None:
    """The id ties a line to a request at any time; the path only while it was in flight."""
    request = Sent("6f1c7e4e-0000-4000-8000-000000000001", _exchange("/healthz", t=2.0))
    assert request.covers(OutputLine(9.0, "stdout", '{"request_id":"' + request.request_id + '"}'))
    assert request.covers(OutputLine(2.3, "stdout", '{"path":"/healthz","status":200}'))
    assert not request.covers(OutputLine(1.0, "stdout", '{"path":"/healthz","status":200}'))
    assert not request.covers(OutputLine(2.3, "stdout", '{"path":"/readyz","status":200}'))
