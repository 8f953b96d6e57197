"""S0801 no-process-types."""

from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.facts.files import is_test_path
from twelve.lint.rule import rule
from twelve.model import Location, Severity, Verdict, fail


@rule(
    id="S0801",
    name="no-process-types",
    factor=8,
    severity=Severity.WARNING,
    summary="No process types are declared: no Procfile and no [processes] in twelve.toml",
    remediation=(
        "Declare each process type (web, worker, ...) with its command as a "
        "`[processes.NAME]` table in twelve.toml (`twelve init` drafts them), or in a Procfile."
    ),
)
def no_process_types(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Checks that the repository declares its process types: a `Procfile` anywhere outside
    test paths, or at least one `[processes.NAME]` table in twelve.toml. Reported once,
    on twelve.toml when there is one, else on the repository root.

    ## Why is this bad?
    Twelve-factor services scale out by running more processes of each type: web
    processes for requests, workers for background jobs, each started the same way
    everywhere. Without a declaration, how to start the service (and which parts of it
    may run many times) lives in a README, a Dockerfile `CMD` or someone's head; the
    platform, the probe and the generated runbook have nothing to go by.

    ## Example
    ```toml
    [service]
    name = "shop"
    # no [processes.*]; the Dockerfile runs `gunicorn shop.wsgi` and a cron job runs
    # `python -m shop.jobs` somewhere
    ```

    ## Use instead
    ```toml
    [processes.web]
    command = "gunicorn shop.wsgi"

    [processes.worker]
    kind = "worker"
    command = "python -m shop.jobs"
    ```

    ## Known problems
    A Dockerfile `CMD`, a compose file or Kubernetes manifests also say how processes
    start, but they do not count here: they describe one deployment, not the service's
    process types. A library or a tool repository (not a service) is reported; exclude
    this rule with `--ignore S0801` there.
    """
    if facts.contract is not None and facts.contract.processes:
        return
    if any(
        path.rsplit("/", 1)[-1] == "Procfile" and not is_test_path(path)
        for path in facts.tree.present
    ):
        return
    if facts.contract is None:
        yield fail("no process types declared: no Procfile and no twelve.toml", Location("."))
        return
    path = facts.contract_path
    yield fail(
        "no process types declared: no Procfile and no [processes] in twelve.toml",
        Location(path, snippet="[processes]"),
    )
