"""What reaches the arguments of a log or print call, in every language; used by S1104.

Declares the code patterns: names passed to a log call (`logged-name`), env reads passed
to one (`logged-env-read`), the token text of Rust log macros (`logged-macro-text`), and
variables assigned from an env read (`env-variable`). Each log-call match captures the
callee as `FN`.
"""

from __future__ import annotations

from typing import Any

from twelve.lint.facts import Language
from twelve.lint.facts.code import JS_FAMILY, RUST_TEST_CODE, code_pattern

PY, GO, RUST = Language.PYTHON, Language.GO, Language.RUST
Rule = dict[str, Any]


def _callee(regex: str, kind: str) -> Rule:
    """A call whose callee matches `regex`; the callee's text is captured as $FN."""
    return {"kind": kind, "has": {"field": "function", "regex": regex, "pattern": "$FN"}}


def _in_log_arguments(arguments: str, log_call: Rule, wrappers: Rule, stops: list[str]) -> Rule:
    """Inside the arguments of a log call, passing through formatting wrappers only.

    The upward search stops at the first other call (`log.info("%s", mask(token))` logs
    what `mask` returns, not `token`) and at statement boundaries (`stops`), so that most
    names are rejected after a step or two.
    """
    boundary = {"any": [
        {"kind": log_call["kind"], "not": {"has": {"field": "function", **wrappers}}},
        *({"kind": kind} for kind in stops),
    ]}  # fmt: skip
    return {"inside": {"stopBy": boundary, "kind": arguments, "inside": log_call}}


# A logger is an object named log/logger/logging (or *_log, *Logger, ...). The regexes
# are ASCII-only (?-u): Unicode classes make them several times slower on every call.
# Prefilter: a logger call's text has a name ending in log/logger/logging, then a dot.
_LOGGER_NEEDLES = ("og.", "OG.", "ogger.", "OGGER.", "ogging.")
_LOGGER = r"(\w+\.)*((\w*_)?(?i:log|logger|logging)|[a-z]\w*(Log|Logger))"
_PY_METHODS = r"(debug|info|warning|warn|error|exception|critical|fatal|log|msg|bind)"
_PY_LOG = _callee(rf"(?-u)^(print|sys\.(stdout|stderr)\.write|{_LOGGER}\.{_PY_METHODS})$", "call")
# What the text of a file with a Python print or log call holds (`requires`): a bare
# `print(` outside a doctest prompt, or a name ending in log/logger/logging and a method.
# Each starts with a literal, which Python's `re` finds fast; files with the needles only
# in `pprint(`, `>>> print(` or `catalog.` are not parsed.
PY_PRINT_TEXT = r"print\((?<=(?<![\w.])(?<!>>> )(?<!\.\.\. )print\()"
PY_LOG_TEXT = (
    PY_PRINT_TEXT,
    r"sys\.std(?:out|err)\.write",
    # `log.`, `_logger.`, `LOGGING.`, `auditLog.`: not `catalog.`, `dialog.`.
    r"\.(?:(?<=(?i:log)\.)(?<![^\W_](?i:log)\.)|(?<=(?i:logger)\.)(?<![^\W_](?i:logger)\.)"
    rf"|(?<=(?i:logging)\.)(?<![^\W_](?i:logging)\.)|(?<=\wLog\.)|(?<=\wLogger\.)){_PY_METHODS}\b",
)
_PY_WRAPPERS = {"regex": r"^(str|repr|format|dict|json\.dumps)$|\.format$"}
_PY_ENV = [
    {"pattern": "os.environ[$K]"},
    {"pattern": "os.environ.get($K)"},
    {"pattern": "os.environ.get($K, $$$)"},
    {"pattern": "os.getenv($K)"},
    {"pattern": "os.getenv($K, $$$)"},
]
_JS_LOG = _callee(
    rf"(?-u)^(console\.(log|info|warn|error|debug|trace)|process\.(stdout|stderr)\.write|{_LOGGER}\."
    r"(trace|debug|info|warn|warning|error|fatal|log|child))$",
    "call_expression",
)
_PY_STOPS = ["expression_statement", "block", "return_statement", "decorator"]
_JS_STOPS = ["expression_statement", "statement_block", "lexical_declaration", "return_statement"]
_GO_STOPS = ["statement_list", "block", "return_statement"]
_JS_WRAPPERS = {"regex": r"^(String|JSON\.stringify|util\.(format|inspect))$"}
_GO_LOG = {"any": [
    _callee(
        rf"(?-u)^(fmt\.Print(f|ln)?|log\.(Print|Fatal|Panic)(f|ln)?|slog\.(Debug|Info|Warn|Error|Log)"
        rf"(Context|Attrs)?|{_LOGGER}\.(Debug|Info|Warn|Error|Fatal|Panic|Print|Log)"
        r"(f|ln|w|Context)?|(\w+\.)*(?i:log|logger)\.With(Field|Fields)?)$",
        "call_expression",
    ),
    # zerolog: log.Info().Str("token", token).Msg("...")
    _callee(r"(?s)^([a-zA-Z0-9_]+\.)*(?i:log|logger)\.[A-Za-z]+\(.*\)\.(Str|Interface|Any|Msgf|Msg)$",
            "call_expression"),
]}  # fmt: skip
_GO_LOG_CALL = {"kind": "call_expression", **_GO_LOG}
_GO_WRAPPERS = {"regex": r"^(fmt\.Sprint(f|ln)?|zap\.(String|Any|Stringer|Reflect|ByteString)|"
                         r"slog\.(String|Any)|string)$"}  # fmt: skip
_RUST_LOG = {"kind": "macro_invocation", "has": {"field": "macro", "pattern": "$FN", "regex":
    r"^((log|tracing)::)?(trace|debug|info|warn|error|event)$|^(e?print(ln)?|dbg)$"}}  # fmt: skip

# Names passed to a log call (each declaration tests identifiers only `within` log calls,
# not every identifier of the file): a variable, an attribute (`settings.SECRET_KEY`), an
# interpolation in an f-string or template. Not a keyword name (`token=`), the object of
# an attribute (`token.expires_at`), a callee (`token()`), or a slice (`token[:4]`).
LOGGED_NAME = code_pattern(
    "logged-name",
    [PY],
    {
        "kind": "identifier",
        # `all` runs in order: the rare log-argument test first, the exclusions after.
        "all": [
            _in_log_arguments("argument_list", _PY_LOG, _PY_WRAPPERS, _PY_STOPS),
            {"not": {"any": [
                {"inside": {"kind": "keyword_argument", "field": "name"}},
                {"inside": {"kind": "attribute", "field": "object"}},
                {"inside": {"kind": "call", "field": "function"}},
                {"inside": {"kind": "attribute", "inside": {"kind": "call", "field": "function"}}},
                {"inside": {"kind": "subscript", "field": "value"}},
            ]}},
        ],
    },
    ["print(", "sys.std", *_LOGGER_NEEDLES],
    requires=PY_LOG_TEXT,
    within=_PY_LOG,
)  # fmt: skip
code_pattern(
    "logged-name",
    JS_FAMILY,
    {
        "any": [
            {"kind": "identifier"},
            {"kind": "shorthand_property_identifier"},  # logger.info({ token })
            {"kind": "property_identifier", "inside": {"kind": "member_expression",
                                                       "field": "property"}},
        ],
        "all": [
            _in_log_arguments("arguments", _JS_LOG, _JS_WRAPPERS, _JS_STOPS),
            {"not": {"any": [
                {"inside": {"kind": "member_expression", "field": "object"}},
                {"inside": {"kind": "call_expression", "field": "function"}},
                {"inside": {"kind": "member_expression",
                            "inside": {"kind": "call_expression", "field": "function"}}},
            ]}},
        ],
    },
    ["console.", "process.std", *_LOGGER_NEEDLES],
    within=_JS_LOG,
)  # fmt: skip
code_pattern(
    "logged-name",
    [GO],
    {
        "any": [
            {"kind": "identifier"},
            {"kind": "field_identifier", "inside": {"kind": "selector_expression",
                                                    "field": "field"}},
        ],
        "all": [
            _in_log_arguments("argument_list", _GO_LOG_CALL, _GO_WRAPPERS, _GO_STOPS),
            {"not": {"any": [
                {"inside": {"kind": "selector_expression", "field": "operand"}},
                {"inside": {"kind": "call_expression", "field": "function"}},
                {"inside": {"kind": "selector_expression",
                            "inside": {"kind": "call_expression", "field": "function"}}},
            ]}},
        ],
    },
    ["fmt.Print", *_LOGGER_NEEDLES],
    within=_GO_LOG_CALL,
)  # fmt: skip
code_pattern(
    "logged-name",
    [RUST],
    {
        "kind": "identifier",
        # Directly in the macro's arguments; not a field name (`token = %x`), a receiver
        # (`token.len()`), a path segment or a function name (`mask(token)`).
        "all": [
            {"inside": {"kind": "token_tree", "inside": _RUST_LOG}},
            {"not": {"any": [
                {"precedes": {"regex": r"^(\.|=|::|\(.*)$"}},
                {"follows": {"regex": r"^::$"}},
                RUST_TEST_CODE,
            ]}},
        ],
    },
    ["print", "info!", "warn!", "error!", "debug!", "trace!", "event!", "dbg!"],
    within=_RUST_LOG,
)  # fmt: skip
# An env read straight in the arguments: log.info(os.environ["DATABASE_URL"]).
LOGGED_ENV = code_pattern(
    "logged-env-read",
    [PY],
    {"any": _PY_ENV, **_in_log_arguments("argument_list", _PY_LOG, _PY_WRAPPERS, _PY_STOPS)},
    ["environ", "getenv"],
    requires=PY_LOG_TEXT,
)
code_pattern(
    "logged-env-read",
    JS_FAMILY,
    {
        "pattern": "process.env[$K]",
        **_in_log_arguments("arguments", _JS_LOG, _JS_WRAPPERS, _JS_STOPS),
    },
    ["process.env["],
)
code_pattern(
    "logged-env-read",
    [GO],
    {"kind": "call_expression", "has": {"field": "function", "regex": r"^os\.(Getenv|LookupEnv)$"},
     "all": [{"has": {"field": "arguments", "has": {"nthChild": 1, "pattern": "$K"}}}],
     **_in_log_arguments("argument_list", _GO_LOG_CALL, _GO_WRAPPERS, _GO_STOPS)},
    ["os.Getenv", "os.LookupEnv"],
)  # fmt: skip
# Rust macro arguments are tokens: inline format args ("{token}") and env::var("X") are
# read from the text of the macro's token tree.
RUST_MACRO = code_pattern(
    "logged-macro-text",
    [RUST],
    {**_RUST_LOG, "all": [{"has": {"kind": "token_tree", "pattern": "$ARGS"}}],
     "not": RUST_TEST_CODE},
    ["print", "info!", "warn!", "error!", "debug!", "trace!", "event!", "dbg!"],
)  # fmt: skip

# Variables assigned from an env read, to follow a contract's secret keys into the code.
_JS_ENV = [{"pattern": "process.env.$K"}, {"pattern": "process.env[$K]"}]
_RUST_ENV = [{"pattern": "env::var($K)"}, {"pattern": "std::env::var($K)"}]


def _value_reads(field: str, reads: list[Rule]) -> Rule:
    return {"has": {"field": field, "any": [*reads, {"has": {"stopBy": "end", "any": reads}}]}}


ENV_VARIABLE = code_pattern(
    "env-variable",
    [PY],
    {"kind": "assignment", "all": [{"has": {"field": "left", "pattern": "$V"}},
                                   _value_reads("right", _PY_ENV)]},
    ["environ", "getenv"],
)  # fmt: skip
code_pattern(
    "env-variable",
    JS_FAMILY,
    {"kind": "variable_declarator", "all": [
        {"has": {"field": "name", "kind": "identifier", "pattern": "$V"}},
        _value_reads("value", _JS_ENV),
    ]},
    ["process.env"],
)  # fmt: skip
code_pattern(
    "env-variable",
    [GO],
    {"any": [{"kind": "short_var_declaration"}, {"kind": "assignment_statement"}], "all": [
        {"has": {"field": "left", "has": {"nthChild": 1, "pattern": "$V"}}},
        {"has": {"field": "right", "has": {
            "stopBy": "end", "kind": "call_expression",
            "has": {"field": "function", "regex": r"^os\.(Getenv|LookupEnv)$"},
            "all": [{"has": {"field": "arguments", "has": {"nthChild": 1, "pattern": "$K"}}}],
        }}},
    ]},
    ["os.Getenv", "os.LookupEnv"],
)  # fmt: skip
code_pattern(
    "env-variable",
    [RUST],
    {"kind": "let_declaration", "all": [{"has": {"field": "pattern", "pattern": "$V"}},
                                        _value_reads("value", _RUST_ENV)]},
    ["env::var"],
)  # fmt: skip
