"""S1104 secret-logged."""

from __future__ import annotations

import re
from collections.abc import Iterator

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import CodeMatch
from twelve.lint.facts.env import literal
from twelve.lint.facts.files import is_cli_path
from twelve.lint.rule import rule
from twelve.lint.rules.f11_logs._logged_values import (
    ENV_VARIABLE,
    LOGGED_ENV,
    LOGGED_NAME,
    RUST_MACRO,
)
from twelve.model import Location, Severity, Verdict, fail

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
    return f"{call}!" if match.language is Language.RUST else call


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
