"""S1103 unstructured-logging."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import JS_FAMILY, CodeMatch, code_pattern
from twelve.lint.facts.files import is_cli_path
from twelve.lint.rule import rule
from twelve.lint.rules.f11_logs._logged_values import PY_PRINT_TEXT
from twelve.model import Location, Severity, Verdict, fail

PY, GO, RUST = Language.PYTHON, Language.GO, Language.RUST
Rule = dict[str, Any]


def _callee(regex: str, kind: str = "call") -> Rule:
    return {"kind": kind, "has": {"field": "function", "regex": regex}}


# --- a structured (JSON) logger is configured ---------------------------------------------
_PY_JSON_LIBRARIES = (
    r"\b(structlog|pythonjsonlogger|python_json_logger|json_log_formatter|ecs_logging)\b"
)
STRUCTURED = code_pattern(
    "structured-logger",
    [PY],
    {"any": [
        {"any": [{"kind": "import_statement"}, {"kind": "import_from_statement"}],
         "regex": _PY_JSON_LIBRARIES},
        # dictConfig: {"()": "pythonjsonlogger.jsonlogger.JsonFormatter"}
        {"kind": "string", "regex": _PY_JSON_LIBRARIES},
        # loguru: logger.add(sys.stdout, serialize=True)
        {"kind": "keyword_argument", "regex": r"^serialize\s*=\s*True$"},
        # class JsonFormatter(logging.Formatter): ... json.dumps(...)
        {"kind": "class_definition", "all": [
            {"has": {"field": "superclasses", "regex": r"\bFormatter\b"}},
            {"has": {"field": "body", "stopBy": "end", "regex": r"\b(json|orjson|ujson)\.dumps\b"}},
        ]},
        # a hand-written JSON line writer: json.dumps(record) then print/sys.stdout.write
        {"kind": "function_definition", "all": [
            {"has": {"stopBy": "end", **_callee(r"^(json|orjson|ujson)\.dumps$")}},
            {"has": {"stopBy": "end", **_callee(r"^(print|sys\.std(out|err)\.write)$")}},
        ]},
    ]},
    # What each branch needs: a library's name, serialize=, json.dumps (orjson.dumps, ...)
    # and, for the last two, a Formatter class or a print call in the same file.
    ["structlog", "pythonjsonlogger", "python_json_logger", "json_log_formatter", "ecs_logging",
     "serialize", "json.dumps"],
    requires=(_PY_JSON_LIBRARIES, r"serialize\s*=\s*True",
              r"(?s)\A(?=.*?\b(?:json|orjson|ujson)\.dumps\b)"
              r"(?=.*?(?:\bFormatter\b|\bprint\b|sys\.std(?:out|err)\.write))"),
)  # fmt: skip
_JS_JSON_LIBRARIES = (r"^[\"'](pino|pino-http|express-pino-logger|nestjs-pino|hono-pino|bunyan|"
                      r"@elastic/ecs-pino-format|@elastic/ecs-winston-format)[\"']$")  # fmt: skip
code_pattern(
    "structured-logger",
    JS_FAMILY,
    {"any": [
        {"kind": "string", "regex": _JS_JSON_LIBRARIES, "inside": {"stopBy": "end", "any": [
            {"kind": "import_statement"},
            _callee(r"^(require|import)$", "call_expression"),
        ]}},
        # winston: format.json() / format.logstash(), or a bare json() inside combine(...)
        _callee(r"(^|\.)format\.(json|logstash)$", "call_expression"),
        {**_callee(r"^json$", "call_expression"),
         "inside": {"stopBy": "end", **_callee(r"(^|\.)combine$", "call_expression")}},
        # fastify logs through pino: Fastify({ logger: true })
        {"kind": "pair", "regex": r"^logger\s*:\s*(true|\{)",
         "inside": {"stopBy": "end", **_callee(r"(?i)^fastify$", "call_expression")}},
        # a hand-written JSON line writer: JSON.stringify(record) then stdout
        {"any": [{"kind": "function_declaration"}, {"kind": "function_expression"},
                 {"kind": "arrow_function"}, {"kind": "method_definition"}], "all": [
            {"has": {"stopBy": "end", **_callee(r"^JSON\.stringify$", "call_expression")}},
            {"has": {"stopBy": "end", **_callee(
                r"^(process\.std(out|err)\.write|console\.(log|info|warn|error))$",
                "call_expression")}},
        ]},
    ]},
    ["pino", "bunyan", "json(", "logstash", "ecs-", "logger"],
)  # fmt: skip
code_pattern(
    "structured-logger",
    [GO],
    {"any": [
        _callee(r"(^|\.)(NewJSONHandler|NewJSONLogger|NewJSONEncoder)$", "call_expression"),
        {"kind": "import_spec", "regex": r"\"(go\.uber\.org/zap|github\.com/rs/zerolog|"
                                         r"go\.elastic\.co/ecszap)(/[^\"]*)?\""},
        {"kind": "composite_literal", "has": {"field": "type", "regex": r"(^|\.)JSONFormatter$"}},
        # a hand-written JSON line writer: json.NewEncoder(os.Stdout)
        {**_callee(r"^json\.NewEncoder$", "call_expression"),
         "has": {"field": "arguments", "regex": r"os\.Std(out|err)"}},
    ]},
    ["JSON", "zap", "zerolog"],
)  # fmt: skip
_RUST_JSON_KEY = r'\\"(level|timestamp|time|message|msg)\\"\s*:'  # "{\"level\":..." formats
code_pattern(
    "structured-logger",
    [RUST],
    {"any": [
        # tracing_subscriber::fmt().json(), fmt::layer().json(), fmt::format().json()
        _callee(r"(?s)(tracing_subscriber|fmt\(\)|layer\(\)|format\(\)|Subscriber).*\.json$",
                "call_expression"),
        {"kind": "use_declaration", "regex": r"\b(slog_json|json_logger|tracing_bunyan_formatter|"
                                             r"tracing_stackdriver|json_env_logger)\b"},
        _callee(r"^(slog_json|json_logger|tracing_bunyan_formatter|json_env_logger)::",
                "call_expression"),
        # a hand-written JSON line writer: serde_json or a "{\"level\":..." format, to stdout
        {"kind": "function_item", "all": [
            {"has": {"stopBy": "end", "any": [
                _callee(r"^serde_json::", "call_expression"),
                {"kind": "macro_invocation", "regex": r"^(serde_json::)?json!"},
                {"kind": "string_literal", "regex": _RUST_JSON_KEY},
            ]}},
            {"has": {"stopBy": "end", "any": [
                _callee(r"(^|::)std(out|err)$", "call_expression"),
                {"kind": "macro_invocation", "regex": r"^e?println!"},
            ]}},
        ]},
    ]},
    ["json", "bunyan", "stackdriver"],
)  # fmt: skip

# --- the code logs at all (so a missing structured logger matters) ------------------------
_PY_LOGGING_CALLS = r"(getLogger|basicConfig|debug|info|warning|warn|error|exception|critical|log)"
LOGS = code_pattern(
    "logging-call",
    [PY],
    {"any": [
        _callee(rf"^logging\.{_PY_LOGGING_CALLS}$"),
        _callee(r"^print$"),
        {"kind": "import_from_statement", "regex": r"^from loguru import"},
    ]},
    ["logging.", "print(", "loguru"],
    requires=(PY_PRINT_TEXT, rf"logging\.{_PY_LOGGING_CALLS}\b", "from loguru import"),
)  # fmt: skip
code_pattern(
    "logging-call",
    JS_FAMILY,
    {"any": [
        _callee(r"^console\.(log|info|warn|error|debug)$", "call_expression"),
        {"kind": "string", "regex": r"^[\"'](winston|log4js|loglevel|signale|consola|morgan)[\"']$",
         "inside": {"stopBy": "end", "any": [
             {"kind": "import_statement"},
             _callee(r"^(require|import)$", "call_expression"),
         ]}},
    ]},
    ["console.", "winston", "log4js", "loglevel", "signale", "consola", "morgan"],
)  # fmt: skip
code_pattern(
    "logging-call",
    [GO],
    _callee(
        r"^(log\.(Print|Fatal|Panic)\w*|slog\.(Debug|Info|Warn|Error|Log)\w*|"
        r"fmt\.Print(f|ln)?|logrus\.\w+)$",
        "call_expression",
    ),
    [
        "log.Print",
        "log.Fatal",
        "log.Panic",
        "slog.Debug",
        "slog.Info",
        "slog.Warn",
        "slog.Error",
        "slog.Log",
        "fmt.Print",
        "logrus.",
    ],
)
code_pattern(
    "logging-call",
    [RUST],
    {"kind": "macro_invocation", "has": {"field": "macro", "regex":
        r"^((log|tracing)::)?(trace|debug|info|warn|error)$|^e?println$"}},
    ["info!", "warn!", "error!", "debug!", "trace!", "println!"],
)  # fmt: skip

_GROUPS = {
    Language.PYTHON: "Python",
    Language.JAVASCRIPT: "JavaScript/TypeScript",
    Language.TYPESCRIPT: "JavaScript/TypeScript",
    Language.TSX: "JavaScript/TypeScript",
    Language.GO: "Go",
    Language.RUST: "Rust",
}
_SUGGESTION = {
    "Python": "structlog or python-json-logger",
    "JavaScript/TypeScript": "pino or winston with format.json()",
    "Go": "log/slog with slog.NewJSONHandler, zap or zerolog",
    "Rust": "tracing_subscriber::fmt().json()",
}
# Browser code logs to the browser console, which no log platform reads.
_UI_DIRS = frozenset({"public", "static", "frontend", "client", "www", "components", "pages"})


def _service_code(match: CodeMatch) -> bool:
    parts = match.path.split("/")
    if is_cli_path(match.path):
        return False
    if match.language in JS_FAMILY:
        ui = match.path.endswith((".tsx", ".jsx")) or any(p in _UI_DIRS for p in parts[:-1])
        return not ui
    return True


@rule(
    id="S1103",
    name="unstructured-logging",
    factor=11,
    severity=Severity.INFO,
    summary="A language's service code logs, but no structured (JSON) logger is configured",
    remediation="Configure a JSON logger once at startup (structlog, pino, slog's JSON "
    "handler, tracing-subscriber's json()) and log fields, not formatted strings.",
)
def unstructured_logging(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    For each language of the service (Python; JavaScript and TypeScript together; Go;
    Rust), checks that a structured logger is configured somewhere when the code of that
    language logs at all. The heuristic, per language:

    - it logs: Python `logging.getLogger/basicConfig/info/...`, `print` or loguru; JS/TS
      `console.log/info/warn/error/debug` or an import of winston, log4js, loglevel,
      signale, consola or morgan; Go `log.Print*/Fatal*/Panic*`, `slog.Info/...`,
      `fmt.Print*` or logrus; Rust `info!`/`warn!`/`error!`/`debug!`/`trace!` (also
      `log::`/`tracing::`) or `println!`/`eprintln!`. Tests, command-line tools and
      scripts (`scripts/`, `bin/`, `cli.py`, `manage.py`, ...) do not count, nor, for
      JS/TS, `.tsx`/`.jsx` files and UI directories (`public/`, `static/`, `frontend/`,
      `client/`, `www/`, `components/`, `pages/`).
    - it is structured: Python imports structlog, python-json-logger, json-log-formatter
      or ecs-logging (or names one in a `dictConfig` string), uses twelve.kit (which
      routes stdlib logging through its JSON logger), passes `serialize=True` to
      loguru, or subclasses `logging.Formatter` with a `json.dumps`; JS/TS imports pino,
      pino-http, nestjs-pino, bunyan or an ECS format, uses winston's `format.json()`/
      `format.logstash()`, or `Fastify({ logger: ... })`; Go calls
      `slog.NewJSONHandler` (or another `NewJSON*`), imports zap, zerolog or ecszap, or
      uses logrus's `JSONFormatter`; Rust calls `.json()` on a tracing-subscriber
      formatter or uses slog-json, json_logger, tracing-bunyan-formatter or
      tracing-stackdriver.

    One finding per language, located at the first (in path order) service file of
    that language that logs; there is no line, as the finding is about the whole code.

    ## Why is this bad?
    Free-text log lines can only be grepped. A log platform indexes, filters, aggregates
    and alerts on fields (`level`, `request_id`, `order_id`, `duration_ms`), and the
    service's twelve.toml `[logs]` contract promises one JSON object per line with fixed
    fields. Without a structured logger every line has to be parsed with fragile
    patterns, and multi-line messages and tracebacks split into several events.

    ## Example
    ```python
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    log.info("order %s paid", order_id)
    ```

    ## Use instead
    ```python
    structlog.configure(processors=[structlog.processors.add_log_level,
                                    structlog.processors.TimeStamper(fmt="iso"),
                                    structlog.processors.JSONRenderer()])
    log.info("order paid", order_id=order_id)
    ```

    ## Known problems
    Configuration is recognised by library, not followed: structlog configured with a
    console renderer still counts as structured, and a JSON format configured outside
    the code (a logging config file, `LOG_FORMAT=json` read by a framework) is not seen.
    JavaScript that runs in the browser outside the listed UI paths counts as service
    code.
    """
    structured = {_GROUPS[match.language] for match in facts.matches(STRUCTURED)}
    if facts.uses_kit:  # twelve.kit routes stdlib logging through its JSON logger
        structured.add(_GROUPS[PY])
    first: dict[str, CodeMatch] = {}
    for match in facts.matches(LOGS):
        group = _GROUPS[match.language]
        if group not in structured and group not in first and _service_code(match):
            first[group] = match
    for group, match in first.items():
        yield fail(
            f"{group} code logs without a structured logger (e.g. {_SUGGESTION[group]})",
            Location(match.path),
        )
