"""JSON log lines on stdout, one call to set up: structlog + orjson, stdlib and uvicorn included.

Every line is one JSON object with `timestamp` (RFC 3339, UTC), `level`, `message`,
`logger`, `service`, `version`, `env`, the request's `request_id`, `trace_id` and
`span_id` when there is one (a context variable the ASGI middleware sets), values bound with
structlog's contextvars, and the event's own fields. An exception becomes `exc_type`,
`exc_message` and `stack` (the traceback text, no frame locals) on the same line. Every
line is redacted last: no secret value of the config, and no URL password, is written.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from contextvars import ContextVar
from types import TracebackType
from typing import IO, Any

import orjson
import structlog

from twelve.kit.config import Config
from twelve.kit.redact import MIN_LENGTH, REDACTOR, Redactor
from twelve.kit.secret import Secret
from twelve.kit.sink import SINK, now_rfc3339, rfc3339, utc_second

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50}
_UVICORN = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
# The request being served (request_id, trace_id, span_id): set by the ASGI middleware for
# the request only. One context variable, cheaper than three structlog contextvars.
REQUEST: ContextVar[Mapping[str, str] | None] = ContextVar("twelve_kit_request", default=None)
_NONE: Mapping[str, str] = {}
_ACTIVE: list[Any] = []  # [Render, minimum level] once setup_logging ran
_METHOD_LEVELS = {"warn": "warning", "exception": "error", "fatal": "critical", "msg": "info"}
_RECORD_FIELDS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
_HEADS = 256  # encoded line heads kept per renderer; write_event's callers use a handful


def setup_logging(
    config: Config | None = None,
    *,
    level: str | None = None,
    stream: IO[bytes] | IO[str] | None = None,
    secrets: Iterable[str] = (),
    fields: Mapping[str, str] | None = None,
) -> structlog.typing.FilteringBoundLogger:
    """Configure structlog, stdlib logging and uvicorn's loggers to write redacted JSON lines.

    Args:
        config: the loaded config: service, version, env, `LOG_LEVEL` and secret values.
        level: the minimum level (default: `LOG_LEVEL` from the config, else "info").
        stream: where lines go (default: stdout).
        secrets: more values to redact, besides the config's secret values.
        fields: static fields for every line (default: service, version, env of `config`).
    """
    if level is None and config is not None and isinstance(config.values.get("LOG_LEVEL"), str):
        level = str(config.values["LOG_LEVEL"])
    number = LEVELS.get((level or "info").lower(), logging.INFO)
    SINK.target(stream if stream is not None else sys.stdout)
    REDACTOR.set([*(config.secrets() if config else ()), *secrets])
    if fields is None:
        fields = {"service": "unknown", "version": "unknown", "env": "unknown"}
        if config is not None:
            fields = {"service": config.service, "version": config.version, "env": config.env}
    render = Render(fields, REDACTOR)
    _ACTIVE[:] = [render, number]
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, render],
        wrapper_class=structlog.make_filtering_bound_logger(number),
        logger_factory=SINK.logger,
        context_class=dict,
        cache_logger_on_first_use=True,
    )
    _route_stdlib(number, render)
    if config is not None and (short := _too_short(config)):
        # Redacting a value this short would mangle every line; say so, never what it is.
        get_logger("twelve.kit").warning(
            "secret too short to redact", keys=short, min_length=MIN_LENGTH
        )
    return get_logger("app")


def _too_short(config: Config) -> list[str]:
    """The secret keys whose value is too short to be redacted."""
    return sorted(
        name
        for name, value in config.values.items()
        if isinstance(value, Secret) and 0 < len(str(value.get_secret_value())) < MIN_LENGTH
    )


def write_event(
    level: str, message: str, logger: str, fields: Mapping[str, Any], check: Iterable[str] = ()
) -> None:
    """Write one event straight through the kit's rendering, skipping structlog's pipeline.

    For the one line per request the middleware writes, where the pipeline's cost is a
    measurable share of a small request. The line has the fields `log.info` gives, with
    the caller's `fields` (the request ids first, as the middleware passes them) in place
    of the context's request ids and values bound with structlog's contextvars. Only
    `check` is searched for secrets: the caller vouches that nothing else can hold one.

    Args:
        level: "info", "error", ...
        message: the event.
        logger: the logger name.
        fields: the event's fields.
        check: the strings that may hold anything: the message, a path, a header.
    """
    if not _ACTIVE:
        get_logger(logger).log(LEVELS[level], message, **fields)
        return
    render, minimum = _ACTIVE
    if LEVELS[level] < minimum:
        return
    now = time.time()
    # Few steps, most of them calls into C: this runs once per request.
    if fields and render.static.isdisjoint(fields) and not REDACTOR.suspect_text(check):
        head = render.heads.get((level, message, logger)) or render.head(level, message, logger)
        try:
            tail = orjson.dumps(fields)
        except TypeError:  # what orjson refuses by itself: `dumps` renders it as text
            tail = dumps(fields)
        seconds = int(now)
        # The constant middle is encoded once, the timestamp's date part once a second;
        # %06d truncates the float of microseconds as int() would.
        micro = (now - seconds) * 1_000_000
        SINK.write(
            b'{"timestamp":"%s.%06dZ",%s%s' % (utc_second(seconds)[1], micro, head, tail[1:])
        )
        return
    line = {
        "timestamp": rfc3339(now),
        "level": level,
        "message": message,
        "logger": logger,
        **render._fields,
        **fields,
    }
    SINK.write(render.render(line))


def get_logger(name: str = "app") -> structlog.typing.FilteringBoundLogger:
    """A logger whose lines carry `logger: name`; safe to create before `setup_logging`.

    Args:
        name: the logger name, e.g. the module's.
    """
    log: structlog.typing.FilteringBoundLogger = structlog.get_logger(name)
    return log


class Render:
    """The kit's processor: the line's fields in order, exception fields, orjson, redaction.

    One processor instead of structlog's level, timestamp and JSON renderer chain: the
    line is built once, in its final key order.

    Args:
        fields: static fields added to every line (an event's own field wins).
        redactor: applied to the rendered bytes.
    """

    __slots__ = ("_fields", "_redactor", "heads", "static")

    def __init__(self, fields: Mapping[str, str], redactor: Redactor) -> None:
        self._fields = dict(fields)
        self._redactor = redactor
        self.static = frozenset(self._fields)  # the static fields' names
        self.heads: dict[tuple[str, str, str], bytes] = {}  # see `head`

    def head(self, level: str, message: str, logger: str) -> bytes:
        """`"level":…,"message":…,"logger":…,` and the static fields, as JSON members
        followed by a comma (the event's own fields follow).

        Args:
            level: the level name.
            message: the event.
            logger: the logger name.
        """
        key = (level, message, logger)
        if (head := self.heads.get(key)) is None:
            if len(self.heads) >= _HEADS:
                self.heads.clear()
            members = {"level": level, "message": message, "logger": logger, **self._fields}
            head = self.heads[key] = dumps(members)[1:-1] + b","
        return head

    def __call__(self, logger: object, method: str, event: MutableMapping[str, Any]) -> bytes:
        exc_info = event.pop("exc_info", None)
        line = {
            "timestamp": now_rfc3339(),
            "level": _METHOD_LEVELS.get(method, method),
            "message": event.pop("event", ""),
            "logger": event.pop("logger", None) or getattr(logger, "name", "app"),
            **self._fields,
            **(REQUEST.get() or _NONE),
            **event,
        }
        if exc_info:
            line.update(exception_fields(exc_info))
        return self.render(line)

    def render(self, line: dict[str, Any]) -> bytes:
        """One line's JSON bytes, redacted (and still one JSON object).

        Args:
            line: the fields, in order.
        """
        data = dumps(line)
        if not self._redactor.suspect(line):
            return data
        redacted = self._redactor.line(data)
        return data if redacted == data else _still_json(redacted, line, self._redactor)


def dumps(line: Mapping[str, Any]) -> bytes:
    """The line as JSON; what orjson refuses (an int beyond 64 bits, a non-string key)
    becomes text instead of an exception in the code that logged it.

    Args:
        line: the fields.
    """
    try:
        return orjson.dumps(line, default=str)
    except TypeError:
        return orjson.dumps(_jsonable(line), default=str)


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        return str(value)
    return value


def _still_json(redacted: bytes, line: dict[str, Any], redactor: Redactor) -> bytes:
    """The redacted bytes if they are still one JSON object, else a value-by-value redaction."""
    try:
        orjson.loads(redacted)
    except orjson.JSONDecodeError:
        return orjson.dumps(redactor.value(orjson.loads(dumps(line))))
    return redacted


def exception_fields(exc_info: object) -> dict[str, str]:
    """`exc_type`, `exc_message`, `stack` for structlog's `exc_info` (True, an exception, a tuple).

    Args:
        exc_info: as given to a log call.
    """
    info: Any = exc_info
    if info is True:
        info = sys.exc_info()
    elif isinstance(info, BaseException):
        info = (type(info), info, info.__traceback__)
    if not isinstance(info, tuple) or len(info) != 3 or info[0] is None:
        return {}
    kind, exc, tb = info
    stack = "".join(traceback.format_exception(kind, exc, tb)).rstrip("\n")
    return {"exc_type": kind.__name__, "exc_message": str(exc), "stack": stack}


class StdlibHandler(logging.Handler):
    """Routes stdlib `logging` records (uvicorn's too) through the same rendering.

    Args:
        render: the kit's last processor.
    """

    def __init__(self, render: Render) -> None:
        super().__init__()
        self._render = render

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line: dict[str, Any] = {
                "timestamp": rfc3339(record.created),
                "level": record.levelname.lower(),
                "message": record.getMessage(),
                "logger": record.name,
                **self._render._fields,
                **(REQUEST.get() or _NONE),
                **structlog.contextvars.get_contextvars(),
            }
            extra = record.__dict__.keys() - _RECORD_FIELDS
            line.update((key, record.__dict__[key]) for key in extra if key[0] != "_")
            line.pop("color_message", None)  # uvicorn's ANSI copy of the message
            if record.exc_info:
                line.update(exception_fields(record.exc_info))
            SINK.write(self._render.render(line))
        except Exception:  # noqa: BLE001 -- a logging failure must never take the app down
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:
        """A record that cannot be rendered (arguments that do not fit its format string):
        one redacted line saying so, with the template and the error, never the arguments.

        logging's own handler would print the traceback, the template and the raw
        arguments on stderr, where a secret among the arguments would go out unredacted.
        """
        line: dict[str, Any] = {
            "timestamp": rfc3339(record.created),
            "level": "error",
            "message": "log record could not be rendered",
            "logger": "twelve.kit",
            **self._render._fields,
            "record_logger": record.name,
            "record_level": record.levelname.lower(),
        }
        with contextlib.suppress(Exception):  # nothing more can be done for this record
            line["template"] = str(record.msg)
            line.update(exception_fields(sys.exc_info()))
        with contextlib.suppress(Exception):
            SINK.write(self._render.render(line))


def _route_stdlib(level: int, render: Render) -> None:
    """Root logger -> the kit's handler; uvicorn's loggers propagate to it; warnings too."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(StdlibHandler(render))
    root.setLevel(level)
    for name in _UVICORN:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    logging.captureWarnings(True)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """An uncaught exception is one redacted JSON line, not a raw traceback on stderr."""
    try:
        get_logger("twelve.kit").critical("uncaught exception", exc_info=(kind, exc, tb))
    except Exception:  # noqa: BLE001 -- the last resort: a redacted plain traceback
        text = "".join(traceback.format_exception(kind, exc, tb))
        sys.stderr.write(REDACTOR.text(text))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        exc_info = (args.exc_type, args.exc_value, args.exc_traceback)
        thread = args.thread.name if args.thread else None
        get_logger("twelve.kit").critical("uncaught exception", exc_info=exc_info, thread=thread)


@contextlib.contextmanager
def restored_after() -> Iterator[None]:
    """Put back, when the block ends, what `setup_logging` changes: the stream, the static
    fields and level, structlog's configuration, the root and uvicorn loggers and the
    exception hooks. The redactor keeps every secret it knew before or learnt meanwhile:
    a value once secret stays redacted.
    """
    root = logging.getLogger()
    uvicorn = {name: logging.getLogger(name) for name in _UVICORN}
    kept = {name: (list(lg.handlers), lg.propagate, lg.level) for name, lg in uvicorn.items()}
    handlers, level, active = list(root.handlers), root.level, list(_ACTIVE)
    hooks = (sys.excepthook, threading.excepthook)
    structlog_config = structlog.get_config()
    secrets = REDACTOR.secrets
    stream = SINK.current
    try:
        yield
    finally:
        SINK.target(stream)
        REDACTOR.add(secrets)
        structlog.configure(**structlog_config)
        _ACTIVE[:] = active
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, (logger_handlers, propagate, logger_level) in kept.items():
            uvicorn[name].handlers[:] = logger_handlers
            uvicorn[name].propagate = propagate
            uvicorn[name].setLevel(logger_level)
        sys.excepthook, threading.excepthook = hooks


def add_secrets(secrets: Iterable[str]) -> None:
    """Also redact these values from now on (a token fetched at runtime).

    Args:
        secrets: raw secret values.
    """
    REDACTOR.add(secrets)


def flush() -> None:
    """Flush the log stream (the kit flushes every line; this is for shutdown paths)."""
    SINK.flush()
