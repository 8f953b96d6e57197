"""S0601 local-state."""

import re
from collections.abc import Iterator

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import JS_FAMILY, CodeMatch, code_pattern
from twelve.lint.facts.env import literal
from twelve.lint.facts.files import is_cli_path
from twelve.lint.rule import rule
from twelve.model import Lifecycle, Severity, Verdict, fail

PY, GO, RUST = Language.PYTHON, Language.GO, Language.RUST


def _call(function: str) -> dict[str, object]:
    """`function(first, ...)` with the first argument captured as $P."""
    return {"any": [{"pattern": f"{function}($P)"}, {"pattern": f"{function}($P, $$$)"}]}


def _go(call: str) -> dict[str, object]:
    return {"pattern": {"context": f"func f() {{ {call} }}", "selector": "call_expression"}}


# SQLite (and other embedded) databases opened on a file. $P is the path or URL, $D a driver.
DATABASE = code_pattern(
    "local-state-database",
    [PY],
    {
        "any": [
            _call("sqlite3.connect"),
            _call("create_engine"),
            _call("create_async_engine"),
            _call("sqlalchemy.create_engine"),
            {"pattern": "SQLALCHEMY_DATABASE_URI = $P"},
            {"pattern": '$X["SQLALCHEMY_DATABASE_URI"] = $P'},
            {"kind": "pair", "has": {"field": "value",
                                     "regex": r"""^["']django\.db\.backends\.sqlite3["']$"""}},
        ]
    },
    ["sqlite"],
)  # fmt: skip
code_pattern(
    "local-state-database",
    JS_FAMILY,
    {"any": [{"pattern": f"new {cls}($P)"} for cls in ("Database", "sqlite3.Database")]
            + [{"pattern": f"new {cls}($P, $$$)"} for cls in ("Database", "sqlite3.Database")]},
    ["sqlite3"],
)  # fmt: skip
code_pattern(
    "local-state-database",
    [GO],
    {"any": [_go("sql.Open($D, $P)"), _go("sqlite.Open($P)")]},
    ["sqlite"],
)
code_pattern(
    "local-state-database",
    [RUST],
    {
        "kind": "call_expression",
        "has": {"field": "function", "regex": r"(?:^|::)(?:Connection::open|SqlitePool::connect"
                                              r"|SqliteConnection::connect|sled::open)$"},
        "pattern": "$F($P)",
    },
    ["rusqlite", "Sqlite", "sled"],
)  # fmt: skip
# State written to local files: shelve, and pickle into a file opened for writing.
FILE = code_pattern(
    "local-state-file",
    [PY],
    {
        "any": [
            {"pattern": "shelve.open($$$)"},
            {"pattern": "pickle.dump($O, open($$$))"},
            {"pattern": "pickle.dump($$$)",
             "inside": {"stopBy": "end", "kind": "with_statement",
                        "has": {"stopBy": "end", "kind": "call",
                                "regex": r"""(?:^|\.)open\(.*["'](?:[wa]\+?b|b[wa])\+?["']\)$"""}}},
        ]
    },
    ["shelve", "pickle"],
)  # fmt: skip
# Session stores that keep sessions inside one process or on its disk.
SESSION = code_pattern(
    "local-state-session",
    [PY],
    {
        "any": [
            {"pattern": "SESSION_TYPE = $V"},
            {"pattern": '$X["SESSION_TYPE"] = $V'},
            {"kind": "keyword_argument", "has": {"field": "name", "regex": "^SESSION_TYPE$"},
             "pattern": "SESSION_TYPE=$V"},
            {"kind": "pair", "has": {"field": "key", "regex": r"""^["']SESSION_TYPE["']$"""},
             "pattern": "$K: $V"},
        ]
    },
    ["SESSION_TYPE"],
)  # fmt: skip
code_pattern(
    "local-state-session",
    JS_FAMILY,
    {"any": [{"pattern": "session($V)"}, {"pattern": "session()"}]},
    ["express-session"],
)
code_pattern(
    "local-state-session",
    [GO],
    {"kind": "call_expression", "has": {"field": "function",
                                        "regex": r"^sessions\.NewFilesystemStore$"}},
    ["NewFilesystemStore"],
)  # fmt: skip
_SQLITE_URL = re.compile(r"^sqlite(?:\+\w+)?:(?://)?/?(?P<path>.*)$", re.IGNORECASE)
_URL_SHAPED = ("create_engine", "create_async_engine", "SQLALCHEMY_DATABASE_URI", "Sqlite")


@rule(
    id="S0601",
    name="local-state",
    factor=6,
    severity=Severity.WARNING,
    summary="State kept in the process or on its local disk (SQLite file, shelve, memory sessions)",
    remediation=(
        "Keep the state in a backing service (Postgres, Redis, object storage) reached through "
        "a URL from config, so any process can serve any request and restarts lose nothing."
    ),
    lifecycle=Lifecycle.PREVIEW,
)
def local_state(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds service state kept on the process's own disk or in its memory:

    - SQLite databases on a file: Python `sqlite3.connect("app.db")`,
      `create_engine("sqlite:///app.db")`, `SQLALCHEMY_DATABASE_URI = "sqlite:///..."`,
      Django's `"ENGINE": "django.db.backends.sqlite3"`; Go `sql.Open("sqlite3", "app.db")`
      and GORM's `sqlite.Open("app.db")`; Rust rusqlite `Connection::open("app.db")`, sqlx
      `SqlitePool::connect("sqlite://app.db")` and `sled::open("state")`; JavaScript
      better-sqlite3 `new Database("app.db")` and `new sqlite3.Database("app.db")`.
      In-memory databases (`":memory:"`, `sqlite://`) and paths that are not literals are
      not reported.
    - Python state files: `shelve.open(...)`, and `pickle.dump` into a file opened for
      writing (`open(..., "wb")`).
    - Sessions stored by the process: express-session's `session({...})` without a
      `store` (the default MemoryStore), Flask-Session's `SESSION_TYPE = "filesystem"`,
      gorilla/sessions' `NewFilesystemStore`.

    Scripts and command-line tools (`scripts/`, `bin/`, `manage.py`, ...) are skipped.

    ## Why is this bad?
    Processes are disposable and interchangeable: the platform restarts them, moves them
    and runs several side by side. State on one process's disk or in its memory is lost on
    restart, invisible to the other processes (a user logged in on one instance is logged
    out on the next request), and makes it impossible to scale out.

    ## Example
    ```python
    engine = create_engine("sqlite:///shop.db")
    ```

    ```javascript
    app.use(session({ secret: process.env.SESSION_SECRET }));
    ```

    ## Use instead
    ```python
    engine = create_engine(os.environ["DATABASE_URL"])
    ```

    ```javascript
    app.use(session({ store: new RedisStore({ client }), secret: process.env.SESSION_SECRET }));
    ```

    ## Known problems
    A database path given through a variable or config is not reported, even when it
    points at a local file; a SQLite file that is read-only reference data (a GeoIP
    database shipped with the image) is reported and may be suppressed with a reason.
    `session(options)` with options built elsewhere is not checked. Caches written with
    other libraries (joblib, diskcache) and plain files written by hand are not found.
    """
    for match in facts.matches(DATABASE):
        if not is_cli_path(match.path) and (message := _database(match)) is not None:
            yield fail(message, match.location())
    for match in facts.matches(FILE):
        if not is_cli_path(match.path):
            name = "shelve.open" if match.text.startswith("shelve") else "pickle.dump"
            yield fail(f"`{name}` keeps state in a local file", match.location())
    for match in facts.matches(SESSION):
        if not is_cli_path(match.path) and (message := _session(match)) is not None:
            yield fail(message, match.location())


def _database(match: CodeMatch) -> str | None:
    if "django.db.backends.sqlite3" in match.text:
        return "Django database on SQLite keeps data in a local file"
    if "D" in match.captures and literal(match.captures["D"]) not in ("sqlite3", "sqlite"):
        return None  # Go `sql.Open` with another driver
    target = literal(match.captures.get("P", ""))
    if target is None:
        return None
    if (url := _SQLITE_URL.match(target)) is not None:
        target = url["path"]
    elif any(shape in match.text for shape in _URL_SHAPED):
        return None  # a URL of another database (postgresql://...)
    if target in ("", "/") or "memory" in target.lower():
        return None
    target = target.removeprefix("file:").split("?", 1)[0]  # SQLite URI filenames
    kind = "sled" if match.text.startswith("sled") else "SQLite"
    return f"{kind} database file `{target}` is local state"


def _session(match: CodeMatch) -> str | None:
    if match.language is GO:
        return "`sessions.NewFilesystemStore` keeps sessions on local disk"
    value = match.captures.get("V")
    if match.language is PY:
        if value is None or literal(value) != "filesystem":
            return None
        return 'Flask-Session `SESSION_TYPE = "filesystem"` keeps sessions on local disk'
    if value is not None and (not value.startswith("{") or "..." in value):
        return None  # options built or spread from elsewhere: cannot tell
    if value is not None and re.search(r"(?:^|[{,\s])store\s*[:,}]", value):
        return None
    return "`session()` without a `store` keeps sessions in process memory"
