"""S1104 secret-logged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import JS_FAMILY, CodeMatch, code_pattern
from twelve.lint.facts.env import literal
from twelve.lint.facts.files import is_cli_path
from twelve.lint.rule import rule
from twelve.model import Location, Severity, Verdict, fail

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
_LOGGER = r"(\w+\.)*((\w*_)?(?i:log|logger|logging)|[a-z]\w*(Log|Logger))"
_PY_LOG = _callee(
    rf"(?-u)^(print|sys\.(stdout|stderr)\.write|{_LOGGER}\."
    r"(debug|info|warning|warn|error|exception|critical|fatal|log|msg|bind))$",
    "call",
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
_RUST_TEST = {
    "any": [
        {"inside": {"kind": "mod_item", "stopBy": "end", "has": {"field": "name",
                                                                 "regex": "^tests?$"}}},
        {"inside": {"kind": "mod_item", "stopBy": "end",
                    "follows": {"kind": "attribute_item", "regex": r"cfg\(test\)"}}},
        {"inside": {"kind": "function_item", "stopBy": "end",
                    "follows": {"kind": "attribute_item", "regex": r"^#\[(\w+::)?test\b"}}},
    ]
}  # fmt: skip

# Names passed to a log call: a variable, an attribute (`settings.SECRET_KEY`), an
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
    ["print(", "log", "sys.std"],
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
    ["console.", "log", "process.std"],
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
    ["fmt.Print", "log", "Log"],
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
                _RUST_TEST,
            ]}},
        ],
    },
    ["print", "info!", "warn!", "error!", "debug!", "trace!", "event!", "dbg!"],
)  # fmt: skip
# An env read straight in the arguments: log.info(os.environ["DATABASE_URL"]).
LOGGED_ENV = code_pattern(
    "logged-env-read",
    [PY],
    {"any": _PY_ENV, **_in_log_arguments("argument_list", _PY_LOG, _PY_WRAPPERS, _PY_STOPS)},
    ["environ", "getenv"],
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
     "not": _RUST_TEST},
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

_SECRET_NAME = re.compile(
    r"^(?:\w+_)?(?:password|passwd|passphrase|secret|token|apikey|credentials?|dsn|"
    r"authorization|api_key|secret_key|private_key|access_key|signing_key|"
    r"encryption_key|master_key|database_url|db_url|connection_string|conn_str)$"
)
# Flags and counters about a secret, and tokens that are not credentials.
_NOT_SECRET = re.compile(
    r"^(?:is|has|no|use|with|needs?|requires?|should|can|show|hide|max|min|num|count)_"
    r"|(?:^|_)(?:page|next|prev|previous|continuation|pagination|cursor|sync|csrf)_token$"
)
_PRINTS = re.compile(r"^(print|console\.\w+|fmt\.Print\w*|sys\.std\w+\.write|"
                     r"process\.std\w+\.write|e?print(ln)?|dbg)$")  # fmt: skip
_RUST_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_RUST_INLINE_ARG = re.compile(r"(?<!\{)\{([A-Za-z_]\w*)(?::[^}]*)?\}")
_RUST_ENV_READ = re.compile(r'env::var(?:_os)?\(\s*"(\w+)"\s*\)')


def snake(name: str) -> str:
    """`dbPassword`, `DatabaseURL`, `DB_PASSWORD` -> `db_password`, `database_url`, ..."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.rsplit(".", 1)[-1])
    return re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name).lower()


def _secret_looking(name: str) -> bool:
    word = snake(name)
    return bool(_SECRET_NAME.match(word)) and not _NOT_SECRET.search(word)


def _env_name(capture: str) -> str | None:
    name = literal(capture) or capture
    return name if re.fullmatch(r"[A-Za-z_]\w*", name) else None


class _Secrets:
    """What counts as secret: contract keys, the variables holding them, secret-ish names."""

    __slots__ = ("_holders", "_keys", "_names")

    def __init__(self, facts: Facts) -> None:
        self._keys = set(facts.contract.secret_keys()) if facts.contract else set()
        self._names = {snake(key): key for key in self._keys}
        self._holders: dict[str, dict[str, str]] = {}
        for match in facts.matches(ENV_VARIABLE):
            key = _env_name(match.captures.get("K", ""))
            if key in self._keys:
                variable = snake(match.captures.get("V", ""))
                self._holders.setdefault(match.path, {})[variable] = key

    def of_name(self, path: str, name: str, call: str) -> str | None:
        """Why logging the value of `name` leaks a secret, or None."""
        word = snake(name)
        key = self._holders.get(path, {}).get(word) or self._names.get(word)
        if key is not None:
            return f"`{name}` holds secret {key}, passed to `{call}`"
        if _secret_looking(name):
            return f"`{name}` looks secret, passed to `{call}`"
        return None

    def of_env(self, key: str, call: str) -> str | None:
        """Why logging the env var `key` leaks a secret, or None."""
        if key in self._keys:
            return f"secret {key} passed to `{call}`"
        if _secret_looking(key):
            return f"{key} looks secret, passed to `{call}`"
        return None


def _call(match: CodeMatch) -> str:
    call = match.captures.get("FN", "")
    return f"{call}!" if match.language is RUST else call


def _printed_by_cli(match: CodeMatch, call: str) -> bool:
    """A command-line tool printing a value (say, a freshly made API key) is its output."""
    return is_cli_path(match.path) and bool(_PRINTS.match(call.rstrip("!")))


@rule(
    id="S1104",
    name="secret-logged",
    factor=11,
    severity=Severity.ERROR,
    summary="A secret config value is passed to a log or print call",
    remediation="Never log secrets: log that a value is set, or a masked or hashed form, "
    "not the value itself; rotate any secret that already reached the logs.",
)
def secret_logged(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds secrets passed to a log or print call: Python `print`, `logging.*`,
    `log/logger/*_logger.info/...`, structlog `bind`; JS/TS `console.*`,
    `log/logger/*Logger.info/...`; Go `fmt.Print*`, `log.Print*/Fatal*`, `slog.*`, zap,
    logrus and zerolog loggers; Rust `println!`/`eprintln!`/`dbg!`, `info!`/`warn!`/
    `error!`/`debug!`/`trace!`/`event!` (also `log::`/`tracing::`). A value is a secret
    when:

    - it is a variable, attribute or env read of a config key the contract declares
      `secret = true`: `os.environ["DATABASE_URL"]`, `process.env.STRIPE_KEY`,
      `os.Getenv("API_TOKEN")`, a variable assigned from such a read in the same file
      (`dsn = os.environ["DATABASE_URL"]`), or a name equal to the key in any case style
      (`settings.database_url`, `cfg.DatabaseURL`);
    - or, with or without a contract, its name says so: `password`, `passwd`,
      `passphrase`, `secret`, `token`, `apikey`/`api_key`, `credentials`, `dsn`,
      `authorization`, `*_secret`, `*_token`, `*_password`, `secret_key`,
      `private_key`, `access_key`, `signing_key`, `encryption_key`, `database_url`,
      `db_url`, `connection_string` (in snake, camel or upper case).

    The value must reach the call as is: as an argument, inside an f-string, template
    string or `%`/`+` expression, through `str()`, `.format()`, `JSON.stringify()`,
    `fmt.Sprintf()`, `zap.String()` and the like, or as a Rust inline format argument
    (`"{token}"`). Names in keyword/field position (`token=...`), receivers
    (`token.expires_at`), slices (`token[:4]`) and values passed through any other call
    (`mask(token)`, `len(password)`) are not reported. Print calls in command-line tools
    and scripts (`scripts/`, `bin/`, `cli.py`, ...) are their output and not reported.

    ## Why is this bad?
    Logs are shipped to third parties, kept for months, copied into tickets and readable
    by far more people than the secret store. A secret that reaches the logs is leaked:
    it must be rotated, and until then anyone with log access can use it.

    ## Example
    ```python
    dsn = os.environ["DATABASE_URL"]
    log.info("connecting to %s", dsn)
    ```

    ## Use instead
    ```python
    dsn = os.environ["DATABASE_URL"]
    log.info("connecting to database", host=urlsplit(dsn).hostname)
    ```

    ## Known problems
    Names are a heuristic: a `token` that is a lexer or LLM token is reported, and a
    secret held in a variable with a neutral name (`value`, `url`) is only found when it
    is assigned straight from an env read of a contract secret in the same file. Values
    are not followed through function calls, objects or other files.
    """
    secrets = _Secrets(facts)
    for match in facts.matches(LOGGED_NAME):
        call = _call(match)
        if not _printed_by_cli(match, call) and (
            why := secrets.of_name(match.path, match.text, call)
        ):
            yield fail(why, match.location())
    for match in facts.matches(LOGGED_ENV):
        call = _call(match)
        key = _env_name(match.captures.get("K", ""))
        if key and not _printed_by_cli(match, call) and (why := secrets.of_env(key, call)):
            yield fail(why, match.location())
    for match in facts.matches(RUST_MACRO):
        yield from _rust_macro(match, secrets)


def _rust_macro(match: CodeMatch, secrets: _Secrets) -> Iterator[Verdict]:
    """Inline format arguments and env reads inside a Rust macro's tokens."""
    call, text = _call(match), match.captures.get("ARGS", "")
    if _printed_by_cli(match, call):
        return
    location = Location(match.path, match.line, match.column, snippet=match.text)
    for string in _RUST_STRING.findall(text):
        for name in _RUST_INLINE_ARG.findall(string.replace("{{", "")):
            if why := secrets.of_name(match.path, name, call):
                yield fail(why, location)
    for key in _RUST_ENV_READ.findall(text):
        if why := secrets.of_env(key, call):
            yield fail(why, location)
