"""S1202 no-admin-entry."""

from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.facts.files import is_test_path
from twelve.lint.facts.yamldocs import k8s_containers
from twelve.lint.rule import rule
from twelve.lint.rules.f05_build_release_run._start_commands import script_commands
from twelve.lint.rules.f12_admin_processes._migrations import (
    is_migration,
    is_trivial,
    mentions_migration,
)
from twelve.model import Location, Severity, Verdict, fail, not_applicable

_MIGRATION_DIRS = frozenset({"migrations", "migration"})
_RUN_TO_COMPLETION = frozenset({"Job", "CronJob"})


@rule(
    id="S1202",
    name="no-admin-entry",
    factor=12,
    severity=Severity.WARNING,
    summary="The repository has migrations but no admin task or release phase runs them",
    remediation=(
        "Declare how migrations run: an `[admin.migrate]` task in twelve.toml (e.g. "
        '`command = "alembic upgrade head"`), or a Procfile `release:` entry.'
    ),
)
def no_admin_entry(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Looks for database migrations in the repository (`alembic.ini`, a `migrations/`
    directory as Alembic, Django, Prisma, knex, golang-migrate, goose, sqlx and diesel
    write them, Rails' `db/migrate/`) and checks that a declared admin process runs
    them: an `[admin.*]` task of the contract whose name or command is a migration
    (`alembic upgrade head`, `python manage.py migrate`, `prisma migrate deploy`, ...),
    a Procfile `release:` entry (or a Procfile process type that only migrates), or a
    Kubernetes Job or CronJob that runs one. Without a contract, only the Procfile and
    Kubernetes count. Reported once, at the first migrations directory (or
    `alembic.ini`). Not applicable when there are no migrations, or when every
    dependency manifest is a library's (a reusable Django app ships migrations that its
    users run).

    ## Why is this bad?
    Migrations that no declared process runs are run by hand from a laptop, from a
    forgotten CI step, or on boot by every replica. Nobody can tell from the repository
    how a release changes the schema, with which config and credentials, or whether it
    ran at all. An explicit admin process runs once per release, against the release's
    config, with the same logs as the service, and the release stops if it fails.

    ## Example
    ```text
    alembic.ini
    migrations/versions/20240101_add_orders.py
    twelve.toml          # [processes.web] only
    ```

    ## Use instead
    ```toml
    [admin.migrate]
    command = "alembic upgrade head"
    idempotent = true
    description = "Apply database migrations; run once per release, before the rollout"
    ```

    ## Known problems
    A CI or deploy pipeline step that runs migrations is not recognised (test jobs also
    run them, so the step says nothing about releases); declare the task in the contract
    as well. A directory named `migrations` that holds something else is taken for
    database migrations.
    """
    markers = _markers(facts.tree.present)
    if not markers:
        yield not_applicable("no database migrations")
        return
    manifests = facts.manifests.manifests
    if manifests and all(m.is_library for m in manifests):
        yield not_applicable("a library: the applications that use it run its migrations")
        return
    if _contract_runs(facts) or _procfile_runs(facts) or _job_runs(facts):
        return
    more = f" (and {len(markers) - 1} more)" if len(markers) > 1 else ""
    yield fail(
        f"database migrations (`{markers[0]}`{more}) but no admin task or release phase runs them",
        Location(markers[0]),
    )


def _markers(present: set[str]) -> list[str]:
    """Where migrations live: `alembic.ini` files and the top migration directories."""
    found: set[str] = set()
    for path in present:
        if is_test_path(path):
            continue
        parts = path.split("/")
        if parts[-1] == "alembic.ini":
            found.add(path)
        for index, part in enumerate(parts[:-1]):
            previous = parts[index - 1] if index else ""
            if part in _MIGRATION_DIRS or (previous, part) == ("db", "migrate"):
                found.add("/".join(parts[: index + 1]))
                break
            if (previous, part) == ("alembic", "versions"):
                found.add("/".join(parts[:index]))
                break
    return sorted(found, key=lambda marker: (marker.count("/"), marker))


def _contract_runs(facts: Facts) -> bool:
    contract = facts.contract
    if contract is None:
        return False
    return any(
        "migrat" in name.lower() or mentions_migration(task.command)
        for name, task in contract.admin.items()
    )


def _procfile_runs(facts: Facts) -> bool:
    procfile = facts.procfile
    if procfile is None:
        return False
    for entry in procfile.entries:
        commands = [argv for argv in script_commands(entry.command) if not is_trivial(argv)]
        migrates = any(is_migration(argv) for argv in commands)
        if migrates and (entry.name == "release" or all(is_migration(a) for a in commands)):
            return True
    return False


def _job_runs(facts: Facts) -> bool:
    for obj in facts.yaml.k8s_objects:
        if obj.kind not in _RUN_TO_COMPLETION:
            continue
        for container, _ in k8s_containers(obj, init=True):
            argv = [*_words(container.get("command")), *_words(container.get("args"))]
            if argv and mentions_migration(argv):
                return True
    return False


def _words(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []
