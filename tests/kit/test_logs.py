"""JSON log lines: fields, context ids, stdlib and uvicorn routing, exceptions, redaction."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
from collections.abc import Iterator

import orjson
import pytest
import structlog

from twelve.kit.config import Config
from twelve.kit.logs import (
    REQUEST,
    StdlibHandler,
    add_secrets,
    get_logger,
    restored_after,
    setup_logging,
    write_event,
)
from twelve.kit.secret import Secret
from twelve.kit.sink import rfc3339, utc_second

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
CONFIG = Config(
    service="demo",
    version="abc123",
    env="staging",
    values={
        "DATABASE_URL": Secret("postgresql://app:db-pass-7f3a@127.0.0.1/app"),
        "API_TOKEN": Secret("tok-91c2-secret"),
        "LOG_LEVEL": "info",
    },
)


class Lines:
    """What the kit wrote, as parsed JSON lines and raw text."""

    def __init__(self, stream: io.BytesIO) -> None:
        self._stream = stream

    @property
    def raw(self) -> str:
        return self._stream.getvalue().decode()

    def events(self) -> list[dict[str, object]]:
        return [orjson.loads(line) for line in self.raw.splitlines()]


@pytest.fixture
def lines() -> Iterator[Lines]:
    stream = io.BytesIO()
    setup_logging(CONFIG, stream=stream)
    yield Lines(stream)
    setup_logging(CONFIG, stream=sys.stdout)


def test_every_line_has_the_contract_fields(lines: Lines) -> None:
    """A line has timestamp (RFC 3339 UTC), level, message, logger, service, version, env."""
    get_logger("demo.web").info("listening", port=8080)
    (event,) = lines.events()
    assert RFC3339_UTC.match(str(event.pop("timestamp")))
    assert event == {
        "level": "info",
        "message": "listening",
        "logger": "demo.web",
        "service": "demo",
        "version": "abc123",
        "env": "staging",
        "port": 8080,
    }


def test_context_ids_come_from_contextvars(lines: Lines) -> None:
    """Values bound with structlog's contextvars appear on lines until they are unbound."""
    log = get_logger()
    with structlog.contextvars.bound_contextvars(request_id="r-1", trace_id="t" * 32):
        log.info("inside")
    log.info("outside")
    inside, outside = lines.events()
    assert (inside["request_id"], inside["trace_id"]) == ("r-1", "t" * 32)
    assert "request_id" not in outside


def test_stdlib_and_uvicorn_loggers_are_routed(lines: Lines) -> None:
    """stdlib records (uvicorn's too) become the same JSON lines, with their extra fields."""
    logging.getLogger("uvicorn.error").warning("Started %s", "server", extra={"pid": 7})
    logging.getLogger("some.lib").debug("hidden below info")
    (event,) = lines.events()
    assert RFC3339_UTC.match(str(event.pop("timestamp")))
    assert event == {
        "level": "warning",
        "message": "Started server",
        "logger": "uvicorn.error",
        "service": "demo",
        "version": "abc123",
        "env": "staging",
        "pid": 7,
    }


def _fail(password: str) -> None:
    local_secret = password  # a frame local that must never be rendered
    raise RuntimeError(f"cannot connect ({len(local_secret)} chars)")


def test_exception_is_one_line_with_stack_and_no_locals(lines: Lines) -> None:
    """log.exception: one line; exc_type, exc_message and stack; frame locals never appear."""
    try:
        _fail("-".join(["local", "value", "0e1d"]))  # the source line must not hold it whole
    except RuntimeError:
        get_logger().exception("query failed")
    assert len(lines.raw.splitlines()) == 1
    (event,) = lines.events()
    assert event["level"] == "error"
    assert event["exc_type"] == "RuntimeError"
    assert event["exc_message"] == "cannot connect (16 chars)"
    stack = str(event["stack"])
    assert stack.startswith("Traceback (most recent call last):\n")
    assert stack.endswith("RuntimeError: cannot connect (16 chars)")
    assert "local-value-0e1d" not in lines.raw


def test_secret_values_and_url_passwords_are_redacted_everywhere(lines: Lines) -> None:
    """Secrets in message, field, nested value, key and traceback, and any URL password, go."""
    log = get_logger()
    log.info("token tok-91c2-secret used", nested={"deep": ["tok-91c2-secret"]})
    log.info("connect", dsn="host=127.0.0.1 password=db-pass-7f3a", **{"tok-91c2-secret": 1})
    log.info("other", url="https://bob:hunter2-x@api.example/v1")
    try:
        raise ValueError("bad DATABASE_URL postgresql://app:db-pass-7f3a@127.0.0.1/app")
    except ValueError:
        log.exception("failed")
    logging.getLogger("uvicorn.error").error("token %s", "tok-91c2-secret")
    first, second, third, fourth, fifth = lines.events()
    assert first["message"] == "token [REDACTED] used"
    assert first["nested"] == {"deep": ["[REDACTED]"]}
    assert second["dsn"] == "host=127.0.0.1 password=[REDACTED]"
    assert second["[REDACTED]"] == 1
    assert third["url"] == "https://bob:[REDACTED]@api.example/v1"
    assert fourth["exc_message"] == "bad DATABASE_URL [REDACTED]"
    assert str(fourth["stack"]).endswith("ValueError: bad DATABASE_URL [REDACTED]")
    assert fifth["message"] == "token [REDACTED]"
    for secret in ("tok-91c2-secret", "db-pass-7f3a", "hunter2-x"):
        assert secret not in lines.raw


def test_secret_matching_inside_a_number_keeps_the_line_valid_json() -> None:
    """A digit-only secret inside a number: the line stays JSON, the number becomes text."""
    stream = io.BytesIO()
    setup_logging(Config(service="demo", values={"PIN": Secret("48151623")}), stream=stream)
    get_logger().info("count", n=9481516230)
    setup_logging(CONFIG, stream=sys.stdout)
    event = orjson.loads(stream.getvalue())
    assert event["n"] == "9[REDACTED]0"


def test_level_filters_lines() -> None:
    """With level "warning", info lines are dropped and warnings kept."""
    stream = io.BytesIO()
    setup_logging(CONFIG, stream=stream, level="warning")
    log = get_logger()
    log.info("dropped")
    log.warning("kept")
    setup_logging(CONFIG, stream=sys.stdout)
    assert [orjson.loads(line)["message"] for line in stream.getvalue().splitlines()] == ["kept"]


def test_uncaught_exception_is_a_redacted_json_line() -> None:
    """An uncaught exception in a process using the kit: one critical JSON line, secret gone."""
    code = (
        "from twelve.kit.config import Config\n"
        "from twelve.kit.logs import setup_logging\n"
        "from twelve.kit.secret import Secret\n"
        "setup_logging(Config(service='demo', values={'T': Secret('crash-secret-42')}))\n"
        "raise RuntimeError('token crash-secret-42 rejected')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 1
    assert done.stderr == ""
    (event,) = [orjson.loads(line) for line in done.stdout.splitlines()]
    assert (event["level"], event["message"], event["exc_type"]) == (
        "critical",
        "uncaught exception",
        "RuntimeError",
    )
    assert event["exc_message"] == "token [REDACTED] rejected"
    assert "crash-secret-42" not in done.stdout


def test_a_secret_added_later_is_redacted_even_in_text_seen_before(lines: Lines) -> None:
    """A message logged (and remembered as clean) before its value became a secret is
    redacted once add_secrets() names it."""
    log = get_logger()
    log.info("rotated-token-5e6f")
    add_secrets(["rotated-token-5e6f"])
    log.info("rotated-token-5e6f")
    first, second = lines.events()
    assert (first["message"], second["message"]) == ("rotated-token-5e6f", "[REDACTED]")


def test_values_orjson_refuses_become_text(lines: Lines) -> None:
    """An int beyond 64 bits and a non-string key are logged as text, not raised."""
    get_logger().info("odd", big=2**70, mapping={1: "one"})
    (event,) = lines.events()
    assert (event["big"], event["mapping"]) == (str(2**70), {"1": "one"})


def test_write_event_line_has_the_same_fields_and_order_as_a_logged_one(lines: Lines) -> None:
    """The access line's fast path (a pre-encoded head), given the request ids first as the
    middleware passes them: same keys, same order, as `log.info` renders them meanwhile."""
    ids = {"request_id": "r-1", "trace_id": "t" * 32, "span_id": "s" * 16}
    token = REQUEST.set(ids)
    try:
        write_event("info", "request", "demo.access", {**ids, "method": "GET", "status": 200})
        get_logger("demo.access").info("request", method="GET", status=200)
    finally:
        REQUEST.reset(token)
    fast, logged = (list(event.items()) for event in lines.events())
    assert [key for key, _ in fast] == [
        "timestamp",
        "level",
        "message",
        "logger",
        "service",
        "version",
        "env",
        "request_id",
        "trace_id",
        "span_id",
        "method",
        "status",
    ]
    assert fast[1:] == logged[1:]


def test_write_event_field_repeating_a_static_one_takes_its_place(lines: Lines) -> None:
    """An event field named like a static field (`env`) replaces it: one key, in its place."""
    write_event("warning", "odd", "demo", {"env": "override", "n": 1})
    (event,) = lines.events()
    assert lines.raw.count('"env"') == 1
    assert list(event)[4:] == ["service", "version", "env", "n"]
    assert (event["level"], event["env"], event["n"]) == ("warning", "override", 1)


def test_write_event_redacts_what_it_is_told_to_check(lines: Lines) -> None:
    """A secret in a checked field (a path) is redacted on the fast path too."""
    write_event(
        "info", "request", "demo", {"path": "/x/tok-91c2-secret"}, check=["/x/tok-91c2-secret"]
    )
    (event,) = lines.events()
    assert event["path"] == "/x/[REDACTED]"
    assert "tok-91c2-secret" not in lines.raw


def test_write_event_without_fields_is_one_valid_line(lines: Lines) -> None:
    """An event with no fields of its own still renders as one JSON object (the fast path
    needs fields to follow its head: without them, the full rendering writes the line)."""
    write_event("info", "tick", "demo", {}, ("tick",))
    (event,) = lines.events()
    assert list(event) == ["timestamp", "level", "message", "logger", "service", "version", "env"]
    assert (event["message"], event["logger"]) == ("tick", "demo")


def test_write_event_timestamp_has_microseconds_like_every_line(lines: Lines) -> None:
    """The fast path writes the same timestamp form as the full rendering: six digits."""
    write_event("info", "request", "demo.access", {"status": 200}, ("request",))
    get_logger("demo").info("other")
    stamps = [str(event["timestamp"]) for event in lines.events()]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", s) for s in stamps)


def test_rfc3339_keeps_six_digits_and_the_second() -> None:
    """Whole seconds keep `.000000`; the date part is the UTC second of the value."""
    assert rfc3339(0.0) == "1970-01-01T00:00:00.000000Z"
    assert rfc3339(1_700_000_000.25) == "2023-11-14T22:13:20.250000Z"
    assert rfc3339(1_700_000_001.5) == "2023-11-14T22:13:21.500000Z"
    assert utc_second(1_700_000_000) == ("2023-11-14T22:13:20", b"2023-11-14T22:13:20")


def test_importing_the_kit_leaves_structlog_dev_its_rich() -> None:
    """The kit imports structlog as it is: with rich installed, structlog's console
    renderer and tracebacks still find it (no import tricks behind the service's back)."""
    code = (
        "import twelve.kit.logs, structlog.dev, rich;"
        " print(structlog.dev.rich is not None, structlog.dev.rich is rich)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["True", "True"]


def test_a_record_that_cannot_be_rendered_is_one_redacted_line_without_its_arguments(
    lines: Lines, capfd: pytest.CaptureFixture[str]
) -> None:
    """A stdlib call whose arguments do not fit its format string: one error line naming
    the logger, the template and the error; the arguments (here a secret) appear nowhere,
    and nothing is printed on stderr (logging's own handler would print them raw there).
    The record goes to the kit's handler alone: pytest's own handler re-raises the error."""
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, StdlibHandler)]
    lib = logging.getLogger("lib")
    handler.handle(
        lib.makeRecord("lib", logging.INFO, __file__, 1, "token=%d", ("tok-91c2-secret",), None)
    )
    (event,) = lines.events()
    assert {k: event[k] for k in ("level", "message", "logger", "record_logger")} == {
        "level": "error",
        "message": "log record could not be rendered",
        "logger": "twelve.kit",
        "record_logger": "lib",
    }
    assert (event["record_level"], event["template"], event["exc_type"]) == (
        "info",
        "token=%d",
        "TypeError",
    )
    assert "tok-91c2-secret" not in lines.raw
    assert capfd.readouterr().err == ""


def test_a_secret_too_short_to_redact_is_named_at_setup_never_shown() -> None:
    """A 3-character secret cannot be redacted (it would match everywhere): setting up
    logging warns, naming the key and the minimum length, never the value."""
    stream = io.BytesIO()
    config = Config(service="demo", values={"PIN": Secret("7x9"), "TOKEN": Secret("tok-91c2")})
    with restored_after():
        setup_logging(config, stream=stream)
    (event,) = [orjson.loads(line) for line in stream.getvalue().splitlines()]
    assert (event["level"], event["message"], event["keys"], event["min_length"]) == (
        "warning",
        "secret too short to redact",
        ["PIN"],
        4,
    )
    assert "7x9" not in stream.getvalue().decode()
