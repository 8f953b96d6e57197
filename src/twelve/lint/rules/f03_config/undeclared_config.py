"""S0303 undeclared-config."""

from collections.abc import Iterator

from twelve.lint.facts import EnvRead, Facts
from twelve.lint.rule import rule
from twelve.model import Severity, Verdict, fail, not_applicable

# Set by the OS, the shell, the container runtime or the CI system, not by the deploy's
# config; services read them without them being part of their contract.
PLATFORM_VARIABLES = frozenset(
    {"HOME", "PATH", "PWD", "USER", "LOGNAME", "SHELL", "HOSTNAME", "TZ", "LANG", "LC_ALL",
     "TERM", "TMPDIR", "TMP", "TEMP", "CI", "NO_COLOR", "FORCE_COLOR", "NODE_OPTIONS",
     "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "DJANGO_SETTINGS_MODULE"}
)  # fmt: skip
PLATFORM_PREFIXES = ("PYTHON", "CARGO_")


@rule(
    id="S0303",
    name="undeclared-config",
    factor=3,
    severity=Severity.WARNING,
    summary="An environment variable is read in code but not declared in twelve.toml",
    remediation=(
        "Declare the variable as a `[config.NAME]` table in twelve.toml (type, required or "
        "default, secret, description), or stop reading it."
    ),
)
def undeclared_config(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds environment variables that the code reads by name (`os.environ["X"]`,
    `os.getenv`, pydantic-settings fields, `process.env.X`, `os.Getenv`, Go `env:"X"`
    tags, `std::env::var`) but that the contract does not declare. Declared are the
    `[config.*]` keys, the `port_env` of every web process, and `service.version_env`.
    Reported once per variable, at its first read, with the number of other reads.

    A few variables set by the platform rather than by the deploy's config are never
    reported: `HOME`, `PATH`, `PWD`, `USER`, `LOGNAME`, `SHELL`, `HOSTNAME`, `TZ`, `LANG`,
    `LC_ALL`, `TERM`, `TMPDIR`, `TMP`, `TEMP`, `CI`, `NO_COLOR`, `FORCE_COLOR`,
    `NODE_OPTIONS`, `KUBERNETES_SERVICE_HOST`, `KUBERNETES_SERVICE_PORT`,
    `DJANGO_SETTINGS_MODULE`, and anything starting with `PYTHON` or `CARGO_`.
    Not applicable without a contract.

    ## Why is this bad?
    The contract is the one list of the service's config: the docs, the `.env.example`,
    the probe and the startup validation are built from it. A variable read but not
    declared is config nobody knows to set: it is missing from the runbook, it is not
    validated at startup, and a deploy learns about it from an incident.

    ## Example
    ```python
    redis = Redis.from_url(os.environ["REDIS_URL"])  # twelve.toml has no [config.REDIS_URL]
    ```

    ## Use instead
    ```toml
    [config.REDIS_URL]
    type = "url"
    schemes = ["redis", "rediss"]
    required = true
    backing_service = true
    description = "Cache for sessions and rate limits"
    ```

    ## Known problems
    Only reads with a literal name are seen: a name built at run time
    (`os.environ[f"{PREFIX}_URL"]`) and variables read by libraries on their own
    (`AWS_REGION` by boto3, `RUST_LOG` by `EnvFilter::from_default_env`) are not
    reported. `[probe] env` does not declare a variable: it only sets it for the probe.
    Scripts and tools in the repository (`scripts/`, `bin/`) are linted too; exclude them
    with a per-path ignore when their variables are not the service's config.
    """
    if facts.contract is None:
        yield not_applicable("no contract")
        return
    declared = set(facts.contract.keys())
    if facts.contract.service.version_env:
        declared.add(facts.contract.service.version_env)
    reads: dict[str, list[EnvRead]] = {}
    for read in facts.env_reads:
        if read.name not in declared and not _is_platform_variable(read.name):
            reads.setdefault(read.name, []).append(read)
    for name, sites in sorted(reads.items(), key=lambda item: _position(item[1][0])):
        others = len(sites) - 1
        more = f" ({others} more read{'s' if others > 1 else ''})" if others else ""
        yield fail(f"`{name}` read but not declared in twelve.toml{more}", sites[0].location())


def _is_platform_variable(name: str) -> bool:
    """Whether an environment variable comes from the platform rather than the deploy."""
    return name in PLATFORM_VARIABLES or name.startswith(PLATFORM_PREFIXES)


def _position(read: EnvRead) -> tuple[str, int, int]:
    return read.path, read.line, read.column
