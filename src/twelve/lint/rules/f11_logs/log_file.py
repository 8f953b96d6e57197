"""S1102 log-file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import JS_FAMILY, RUST_TEST_CODE, code_pattern
from twelve.lint.rule import rule
from twelve.model import Severity, Verdict, fail

PY, GO, RUST = Language.PYTHON, Language.GO, Language.RUST
Rule = dict[str, Any]


def _callee(regex: str, kind: str = "call") -> Rule:
    return {"kind": kind, "has": {"field": "function", "regex": regex}}


def _keyword(name: str, value: str = "") -> Rule:
    """A Python call argument `name=...` (whose value matches `value`, if given)."""
    checks: list[Rule] = [{"has": {"field": "name", "regex": f"^{name}$"}}]
    if value:
        checks.append({"has": {"field": "value", "regex": value}})
    return {"has": {"field": "arguments", "has": {"kind": "keyword_argument", "all": checks}}}


def _pair(key: str, value: Rule) -> Rule:
    """A JS object property `key: <value>`."""
    return {"kind": "pair", "all": [{"has": {"field": "key", "regex": f"^[\"']?{key}[\"']?$"}},
                                    {"has": {"field": "value", **value}}]}  # fmt: skip


_HANDLERS = "FileHandler|RotatingFileHandler|TimedRotatingFileHandler|WatchedFileHandler"
FILE_SINK = code_pattern(
    "log-file",
    [PY],
    {"any": [
        _callee(rf"^((logging\.)?handlers\.|logging\.)?({_HANDLERS}|ConcurrentRotatingFileHandler)$"),
        {"all": [_callee(r"^logging\.basicConfig$"), _keyword("filename")]},
        # dictConfig: {"class": "logging.handlers.RotatingFileHandler", ...}
        {"kind": "string", "regex": rf"^[\"']logging\.(handlers\.)?({_HANDLERS})[\"']$"},
        {"all": [_callee(r"(^|\.)(Write|Print|Bytes)LoggerFactory$"),
                 _keyword("file", r"(^|\.)open\(")]},
        # loguru: logger.add("logs/app_{time}.log") -- a string or Path sink is a file.
        {"all": [
            _callee(r"^logger\.add$"),
            {"has": {"field": "arguments", "has": {"nthChild": 1, "any": [
                {"kind": "string"}, _callee(r"^(pathlib\.)?Path$")]}}},
            {"inside": {"kind": "module", "stopBy": "end", "regex": r"\bloguru\b"}},
        ]},
    ]},
    ["FileHandler", "basicConfig", "LoggerFactory", "logger.add"],
)  # fmt: skip
_JS_STRING = {"any": [{"kind": "string"}, {"kind": "template_string"}]}
code_pattern(
    "log-file",
    JS_FAMILY,
    {"any": [
        {"kind": "new_expression", "has": {"field": "constructor", "regex":
            r"^((winston\.)?transports\.(File|DailyRotateFile)|DailyRotateFile)$"}},
        # pino.destination("/var/log/app.log") or ({ dest: "app.log" }); 1 and 2 are stdio.
        {"all": [
            _callee(r"^pino\.destination$", "call_expression"),
            {"has": {"field": "arguments", "has": {"nthChild": 1, "any": [
                _JS_STRING["any"][0], _JS_STRING["any"][1],
                {"kind": "object", "has": _pair("dest", _JS_STRING)},
            ]}}},
        ]},
        # pino.transport({ target: "pino/file", options: { destination: "app.log" } })
        {**_pair("destination", _JS_STRING), "inside": {"stopBy": "end", "kind": "object",
            "has": {"kind": "pair", "regex": r"^target\s*:\s*[\"'`](pino/file|pino-roll)"}}},
        # log4js.configure({ appenders: { app: { type: "file", ... } } })
        {**_pair("type", {"regex": r"^[\"'](file|fileSync|dateFile|multiFile)[\"']$"}),
         "inside": {"stopBy": "end", "kind": "pair",
                    "has": {"field": "key", "regex": "^[\"']?appenders[\"']?$"}}},
        # bunyan.createLogger({ streams: [{ path: "/var/log/app.log" }] })
        {**_pair("path", _JS_STRING), "inside": {"stopBy": "end", "kind": "pair",
                                                 "has": {"field": "key", "regex": "^streams$"}}},
    ]},
    ["transports", "DailyRotateFile", "pino", "appenders", "streams"],
)  # fmt: skip
_GO_LOG_PATH = r"\.log\"$|^\"/var/log/"
code_pattern(
    "log-file",
    [GO],
    {"any": [
        {"all": [
            _callee(r"^os\.(OpenFile|Create)$", "call_expression"),
            {"has": {"field": "arguments", "has": {"nthChild": 1, "any": [
                {"kind": "interpreted_string_literal", "regex": _GO_LOG_PATH},
                {"has": {"stopBy": "end", "kind": "interpreted_string_literal",
                         "regex": _GO_LOG_PATH}},
            ]}}},
        ]},
        {"kind": "composite_literal", "has": {"field": "type", "regex": r"^lumberjack\.Logger$"}},
        # zap.Config{OutputPaths: []string{"/var/log/app.log"}}
        {"kind": "keyed_element", "regex": r"^(OutputPaths|ErrorOutputPaths)\s*:",
         "has": {"stopBy": "end", "kind": "interpreted_string_literal",
                 "not": {"regex": r"^\"(stdout|stderr)\"$"}}},
    ]},
    [".log\"", "/var/log/", "lumberjack", "OutputPaths"],
)  # fmt: skip
code_pattern(
    "log-file",
    [RUST],
    {"all": [
        {"not": RUST_TEST_CODE},
        {"any": [
            _callee(r"(^|::)rolling::(daily|hourly|minutely|never)$", "call_expression"),
            _callee(r"(^|::)(FileAppender|RollingFileAppender)::(builder|new)$",
                    "call_expression"),
            _callee(r"^fern::log_file$", "call_expression"),
            _callee(r"\.log_to_file$", "call_expression"),
            {"all": [
                _callee(r"(^|::)WriteLogger::(new|init)$", "call_expression"),
                {"has": {"field": "arguments", "has": {"stopBy": "end", **_callee(
                    r"(^|::)(File::(create|open|options)|OpenOptions::new)$",
                    "call_expression")}}},
            ]},
        ]},
    ]},
    ["rolling::", "FileAppender", "fern::log_file", "log_to_file", "WriteLogger"],
)  # fmt: skip


def _sink(text: str) -> str:
    """What writes the file, for the message: a callee, a handler class or a property."""
    head = text.removeprefix("new ").lstrip("&").strip()
    if head.startswith(("'", '"')):  # dictConfig "class" string
        return head.strip("'\"")
    if "basicConfig" in head:
        return "logging.basicConfig(filename=...)"
    if ".log_to_file(" in head:
        return ".log_to_file(...)"
    if re.match(r"[\"']?\w+[\"']?\s*:[^:]", head):  # a property: `type: "file"`, `OutputPaths: ...`
        key, _, value = head.partition(":")
        value = value.strip().rstrip(",")
        return f"{key}: {value}" if value[:1] in ("'", '"', "`") else key
    return head.split("(", 1)[0].split("{", 1)[0].strip()


@rule(
    id="S1102",
    name="log-file",
    factor=11,
    severity=Severity.WARNING,
    summary="Service writes its logs to a file instead of stdout",
    remediation="Write logs to stdout (or stderr) as an unbuffered event stream and let "
    "the platform route, rotate and store them.",
)
def log_file(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds loggers configured to write to files:

    - Python: `logging.FileHandler`, `RotatingFileHandler`, `TimedRotatingFileHandler`,
      `WatchedFileHandler` (called, or named as a `dictConfig` handler class),
      `logging.basicConfig(filename=...)`, structlog `WriteLoggerFactory(file=open(...))`
      (and `PrintLoggerFactory`/`BytesLoggerFactory`), loguru `logger.add("app.log")`.
    - JavaScript/TypeScript: winston `new winston.transports.File(...)` and
      `DailyRotateFile`, `pino.destination("/var/log/app.log")` or `({dest: "app.log"})`
      (not the stdout/stderr descriptors 1 and 2), a `pino/file` or `pino-roll` transport
      with a path `destination`, log4js `file`/`fileSync`/`dateFile`/`multiFile` appenders,
      bunyan streams with a `path`.
    - Go: `os.OpenFile`/`os.Create` of a `*.log` or `/var/log/...` path, lumberjack
      `&lumberjack.Logger{...}`, zap `OutputPaths`/`ErrorOutputPaths` other than
      `stdout`/`stderr`.
    - Rust: `tracing_appender::rolling::daily/hourly/minutely/never`,
      `RollingFileAppender`, log4rs `FileAppender`/`RollingFileAppender`,
      `simplelog::WriteLogger::new(..., File::create(...))`, `fern::log_file`, flexi_logger
      `.log_to_file(...)`.

    ## Why is this bad?
    A twelve-factor process never routes or stores its own output: it writes an event
    stream to stdout and the platform collects it. Log files live on a container's
    ephemeral disk and vanish with it, fill the disk when rotation is misconfigured, are
    invisible to `kubectl logs`/`docker logs` and the log platform, and need a sidecar or
    agent per service to ship them.

    ## Example
    ```python
    handler = logging.handlers.RotatingFileHandler("/var/log/orders.log", maxBytes=10_000_000)
    logging.getLogger().addHandler(handler)
    ```

    ## Use instead
    ```python
    handler = logging.StreamHandler(sys.stdout)
    logging.getLogger().addHandler(handler)
    ```

    ## Known problems
    A file opened elsewhere and passed to a logger (`log.SetOutput(f)` with a path that
    is not a `*.log` literal, `pino(fs.createWriteStream(path))`) is not found. Writing a
    `*.log` file in Go is reported even when it is not the service's own log.
    """
    for match in facts.matches(FILE_SINK):
        yield fail(f"`{_sink(match.text)}` writes logs to a file", match.location())
