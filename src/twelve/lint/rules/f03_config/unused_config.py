"""S0304 unused-config."""

import re
from collections.abc import Iterator

from twelve.contract import Contract
from twelve.lint.facts import Facts
from twelve.lint.rule import rule
from twelve.model import Location, Severity, Verdict, fail, not_applicable

# Read by SDKs, servers and runtimes on their own, without a line of the service's code.
LIBRARY_VARIABLES = frozenset(
    {"RUST_LOG", "RUST_BACKTRACE", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "NODE_ENV",
     "NODE_OPTIONS", "GOMAXPROCS", "GOMEMLIMIT", "GOOGLE_APPLICATION_CREDENTIALS",
     "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD",
     "PGDATABASE", "PGSSLMODE"}
)  # fmt: skip
LIBRARY_PREFIXES = ("AWS_", "OTEL_", "SENTRY_", "PYTHON")
_COMMAND_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


@rule(
    id="S0304",
    name="unused-config",
    factor=3,
    severity=Severity.INFO,
    summary="A config key declared in twelve.toml is never read in code",
    remediation=(
        "Remove the `[config.NAME]` table, or if a library reads the variable, suppress the "
        "finding on that line with a reason: `# twelve: ignore[S0304] read by dj-database-url`."
    ),
)
def unused_config(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds `[config.NAME]` keys of twelve.toml that nothing reads: no env read of that name
    in code, no string literal equal to the name in code (a list of names read in a
    loop, a settings alias), and no `$NAME`/`${NAME}` in a process or admin command.
    Reported at the key's line in twelve.toml.

    Not reported: the `port_env` of a web process (binding to it is S0701's business and
    servers such as gunicorn read `PORT` themselves), `service.version_env` (often read by
    the logging setup or the platform), and variables that SDKs and runtimes read on their
    own: `AWS_*`, `OTEL_*`, `SENTRY_*`, `PYTHON*`, `RUST_LOG`, `RUST_BACKTRACE`,
    `WEB_CONCURRENCY`, `GUNICORN_CMD_ARGS`, `NODE_ENV`, `NODE_OPTIONS`, `GOMAXPROCS`,
    `GOMEMLIMIT`, `GOOGLE_APPLICATION_CREDENTIALS`, `HTTP(S)_PROXY`, `NO_PROXY` and
    libpq's `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`. Not
    applicable without a contract, without code in a supported language, or when the
    service loads its config through `twelve.kit`, which reads every key by name at
    run time.

    Severity is info: a key nobody reads breaks nothing (a key read but undeclared does,
    that is S0303), and reads by libraries are invisible to a static rule, so this rule
    has false positives by construction.

    ## Why is this bad?
    Every declared key is a promise to operators: the runbook lists it, `.env.example`
    has it, the probe demands a value for it when it is required, and deploys set it,
    secrets included. A key the service no longer reads is a stale secret kept alive in
    every environment and a false statement in the docs.

    ## Example
    ```toml
    [config.MEMCACHED_URL]       # the cache moved to Redis two releases ago
    type = "url"
    required = true
    ```

    ## Use instead
    Delete the table, or, when a library reads the variable by itself, say so:
    ```toml
    # twelve: ignore[S0304] read by dj-database-url
    [config.DATABASE_URL]
    type = "url"
    ```

    ## Known problems
    Keys consumed by a framework or library rather than by the service's own code are
    reported: `DATABASE_URL` read by dj-database-url, Prisma's `env("DATABASE_URL")` or
    sqlx, `REDIS_URL` read by a job-queue library, a Rust struct filled by `envy`, a
    `BaseSettings` field inherited from a base class in another package. Suppress them
    per key with an inline comment on (or just above) the `[config.NAME]` line, as above.
    A key only read through a computed name (`os.environ[f"{prefix}_URL"]`) is reported
    unless its full name also appears as a string somewhere in the code.
    """
    contract = facts.contract
    if contract is None:
        yield not_applicable("no contract")
        return
    if not any(file.language is not None for file in facts.files):
        yield not_applicable("no code in a supported language")
        return
    if facts.uses_kit:
        yield not_applicable("config is loaded from the contract by twelve.kit")
        return
    used = {read.name for read in facts.env_reads}
    # A key named as a plain string anywhere in code (`REQUIRED = ["REDIS_URL"]` read in a
    # loop, `Field(alias="REDIS_URL")`, envconfig-style lookups) counts as read.
    used |= facts.scanned.quoted_names
    used |= _command_variables(contract)
    if contract.service.version_env:
        used.add(contract.service.version_env)
    used |= {p.port_env for p in contract.processes.values() if p.kind == "web"}
    path = facts.contract_path
    for name in contract.config:
        if name in used or name in LIBRARY_VARIABLES or name.startswith(LIBRARY_PREFIXES):
            continue
        location = Location(path, contract.line_of("config", name), snippet=f"[config.{name}]")
        yield fail(f"`{name}` declared but never read", location)


def _command_variables(contract: Contract) -> set[str]:
    """Names referenced as `$NAME` or `${NAME}` in process and admin commands."""
    commands = [p.command for p in contract.processes.values()]
    commands += [task.command for task in contract.admin.values()]
    words = [word for c in commands for word in ([c] if isinstance(c, str) else c)]
    return {name for word in words for name in _COMMAND_VARIABLE.findall(word)}
