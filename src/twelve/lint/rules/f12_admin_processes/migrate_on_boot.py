"""S1201 migrate-on-boot."""

import re
from collections.abc import Iterator

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import JS_FAMILY, CodeMatch, code_pattern
from twelve.lint.facts.env import literal
from twelve.lint.facts.files import is_cli_path
from twelve.lint.rule import rule
from twelve.lint.rules.f05_build_release_run._start_commands import StartCommand, start_commands
from twelve.lint.rules.f12_admin_processes._migrations import is_migration, is_trivial
from twelve.model import Severity, Verdict, fail

PY, GO, RUST = Language.PYTHON, Language.GO, Language.RUST
_GO_MAIN = {
    "stopBy": "end",
    "kind": "source_file",
    "has": {"kind": "package_clause", "regex": r"^package\s+main$"},
}
ALEMBIC = code_pattern(
    "migrate-on-boot-alembic",
    [PY],
    {"any": [{"pattern": "alembic.command.upgrade($$$)"}, {"pattern": "command.upgrade($$$)"}]},
    ["alembic"],
)
CREATE_ALL = code_pattern(
    "migrate-on-boot-create-all",
    [PY],
    {"any": [{"pattern": "$B.metadata.create_all($$$)"},
             {"pattern": "$C.run_sync($B.metadata.create_all)"}]},
    ["create_all"],
)  # fmt: skip
DJANGO = code_pattern(
    "migrate-on-boot-django",
    [PY],
    {"any": [{"pattern": "call_command($M, $$$)"}, {"pattern": "call_command($M)"},
             {"pattern": "$X.call_command($M, $$$)"}, {"pattern": "$X.call_command($M)"}]},
    ["call_command"],
)  # fmt: skip
GOOSE = code_pattern(
    "migrate-on-boot-goose",
    [GO],
    {
        "kind": "call_expression",
        "has": {"field": "function", "regex": r"^goose\.Up(?:To|ByOne)?(?:Context)?$"},
        "inside": _GO_MAIN,
    },
    ["goose"],
)
GOLANG_MIGRATE = code_pattern(
    "migrate-on-boot-golang-migrate",
    [GO],
    {
        "all": [{"pattern": {"context": "func f() { $M.Up() }", "selector": "call_expression"}}],
        "inside": _GO_MAIN,
    },
    ["golang-migrate/migrate"],
)
RUST_MIGRATE = code_pattern(
    "migrate-on-boot-rust",
    [RUST],
    {"any": [{"pattern": "sqlx::migrate!($$$).run($$$)"}, {"pattern": "migrate!($$$).run($$$)"},
             {"pattern": "$C.run_pending_migrations($$$)"}]},
    ["migrate!", "run_pending_migrations"],
)  # fmt: skip
JS_MIGRATE = code_pattern(
    "migrate-on-boot-js",
    JS_FAMILY,
    {"any": [{"pattern": "$K.migrate.latest($$$)"}, {"pattern": "$D.runMigrations($$$)"},
             {"pattern": "sequelize.sync($$$)"},
             {"kind": "call_expression",
              "has": {"field": "function", "regex": r"^(?:umzug|migrator)\.up$"}}]},
    ["migrate.latest", "runMigrations", "sequelize.sync", "umzug", "migrator"],
)  # fmt: skip
_CODE = (ALEMBIC, CREATE_ALL, DJANGO, GOOSE, GOLANG_MIGRATE, RUST_MIGRATE, JS_MIGRATE)
# Files that are admin entry points by name: migration tools, management commands, seeds.
_ADMIN_PART = re.compile(
    r"(?i)^(?:.*migrat.*|alembic|admin|manage|management|commands|seeds?|scripts?|tools|tasks"
    r"|setup|init_?db|bootstrap|cli|fixtures)$"
)


@rule(
    id="S1201",
    name="migrate-on-boot",
    factor=12,
    severity=Severity.WARNING,
    summary="Database migrations run as part of starting the service",
    remediation=(
        "Run migrations as a separate one-off admin process: an `[admin.migrate]` task in "
        "twelve.toml, a Procfile `release:` phase, or a Kubernetes Job before the rollout."
    ),
)
def migrate_on_boot(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds database migrations on the path that starts a long-running process:

    - a start command that migrates and then starts something else:
      `alembic upgrade head && gunicorn ...`, `python manage.py migrate && ...`,
      `npx prisma migrate deploy && node ...`, `knex migrate:latest && ...`,
      `goose ... up && ./server`, `sqlx migrate run; exec ./api` in a Dockerfile's final
      `CMD`/`ENTRYPOINT` (also inside `sh -c`), a Procfile entry, a compose `command:`,
      a contract process or a Kubernetes container. A Procfile `release:` entry is the
      right place and is not reported, and neither is a command that only migrates (a
      compose `migrate` service, a Job);
    - code that migrates when the application starts: Python
      `alembic.command.upgrade(...)`, `Base.metadata.create_all(...)`,
      `call_command("migrate")`; Go `goose.Up(...)` or golang-migrate's `m.Up()` in a
      `main` package; Rust `sqlx::migrate!().run(...)` or diesel's
      `run_pending_migrations(...)` in `main.rs` or `src/bin/`; JavaScript and
      TypeScript `knex.migrate.latest()`, `umzug.up()`, `dataSource.runMigrations()`,
      `sequelize.sync()`.

    Code in admin entry points is not reported: files or directories named for
    migrations, management commands, seeds, scripts, CLIs or setup (`migrate.py`,
    `management/commands/`, `cmd/migrate/main.go`, `src/bin/migrate.rs`, `scripts/`).

    ## Why is this bad?
    Every replica runs the migration when it starts: several at once on a deploy or a
    scale-out, racing for locks, and again on every crash-restart. A slow migration
    makes startup slow and fails readiness and liveness checks, so the platform kills
    the process mid-migration. A failed migration takes the service down instead of
    failing the release before any traffic moved, and rollbacks run old code against
    the new schema. Migrations are an admin process: run once per release, explicitly,
    observably.

    ## Example
    ```dockerfile
    CMD ["sh", "-c", "alembic upgrade head && exec gunicorn orders.wsgi"]
    ```

    ## Use instead
    ```toml
    # twelve.toml: an admin process, run once per release before the rollout
    # (by the release pipeline, a Kubernetes Job or a Procfile `release:` entry)
    [admin.migrate]
    command = "alembic upgrade head"
    idempotent = true
    ```
    ```dockerfile
    CMD ["gunicorn", "orders.wsgi"]
    ```

    ## Known problems
    Entrypoint scripts (`./docker-entrypoint.sh`) and package.json scripts are not read,
    so migrations inside them are missed. A migration call is reported where it is
    written: an `init_db()` helper in `db.py` is reported even when only an admin script
    calls it (move it to the admin module, or suppress with a reason). A service that
    deliberately migrates on boot (a single-replica internal tool) should suppress the
    finding with its reason.
    """
    for start in start_commands(facts):
        if not (start.origin == "procfile" and start.process == "release"):
            found = _migrate_then_serve(start)
            if found is not None:
                yield fail(found, start.location)
    for key in _CODE:
        for match in facts.matches(key):
            message = _code_message(key, match)
            if message is not None and not _admin_path(match.path):
                yield fail(message, match.location())


def _migrate_then_serve(start: StartCommand) -> str | None:
    """The message when the start command migrates before starting something else."""
    commands = start.commands
    first = next((i for i, argv in enumerate(commands) if is_migration(argv)), None)
    if first is None:
        return None
    served = next(
        (argv for argv in commands[first + 1 :] if not is_migration(argv) and not is_trivial(argv)),
        None,
    )
    if served is None:
        return None
    migration = " ".join(commands[first][:3])
    return f"{start.label} runs `{migration}` before starting `{served[0]}`"


def _code_message(key: str, match: CodeMatch) -> str | None:
    callee = match.text.split("(", 1)[0]
    if key == DJANGO:
        if literal(match.captures.get("M", "")) != "migrate":
            return None
        return '`call_command("migrate")` migrates the database at startup'
    if key == CREATE_ALL:
        return "`metadata.create_all` creates the schema at startup"
    if key == RUST_MIGRATE and not _rust_main(match.path):
        return None
    return f"`{callee}` migrates the database at startup"


def _rust_main(path: str) -> bool:
    return path.endswith("main.rs") or "/bin/" in f"/{path}"


def _admin_path(path: str) -> bool:
    """A file that is an admin entry point by its name or a directory's."""
    parts = path.split("/")
    stem = parts[-1].split(".", 1)[0]
    named = any(_ADMIN_PART.match(part) for part in [*parts[:-1], stem] if part != "bin")
    return named or (is_cli_path(path) and not path.endswith(".rs"))
