"""P1204 no-migrate-on-boot."""

from collections.abc import Iterator

from twelve.model import (
    CheckInconclusive,
    Evidence,
    Severity,
    Verdict,
    fail,
    inconclusive,
    not_applicable,
    passed,
)
from twelve.probe.backing import migration_tasks
from twelve.probe.context import READY_SLACK_S, ProbeContext, ProcessUnderTest
from twelve.probe.instance import wait_until
from twelve.probe.postgres import EphemeralPostgres, PostgresUnavailable, Snapshot
from twelve.probe.probe import probe
from twelve.probe.probes.f12_admin_processes._tasks import TASK_TIMEOUT_S, run_task

SETTLE_S = 0.5  # after ready (or a worker's first line): time for work started "in background"
_SHOWN = 8


@probe(
    id="P1204",
    name="no-migrate-on-boot",
    factor=12,
    severity=Severity.WARNING,
    summary="Starting a process creates no tables; the declared migration task does",
    remediation="Move schema changes out of startup into a migration admin task.",
    kinds=("web", "worker"),
    budget=TASK_TIMEOUT_S + READY_SLACK_S + 10.0,
)
def no_migrate_on_boot(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Needs a Postgres backing service that twelve provides (a `backing_service` key of
    type `url` with a Postgres scheme and no value in `[probe.values]`). It makes a fresh,
    empty database, starts only this process type against it, and waits until it is ready
    (a worker: until it has written a line), plus half a second. The database must still
    have no tables. Then it runs the migration admin task (a task whose name contains
    `migrat`), which must create some.

    ## Why is this bad?
    Migrations at startup run once per instance, all at the same time, on every restart
    and every scale-out: they race each other, hold locks while traffic arrives, and tie
    schema changes to code rollouts, so a rollback cannot undo them. A release phase runs
    them once, before any new instance starts.

    ## Example
    ```python
    app = create_app()
    with engine.begin() as db:
        Base.metadata.create_all(db)     # every instance, every start
    serve(app)
    ```

    ## Use instead
    ```toml
    [admin.migrate]
    command = "alembic upgrade head"     # run once per release, before the new processes
    idempotent = true
    ```
    """
    backing = ctx.backing
    if not any(key.postgres for key in backing.keys.values()):
        yield not_applicable("no backing-service key is a Postgres URL")
        return
    postgres = backing.postgres
    if postgres is None:
        yield inconclusive(backing.postgres_unavailable())
        return
    database = backing.fresh_database()
    with ctx.launch(service, database=database) as instance:
        if service.kind == "web":
            instance.wait_ready(service.process.startup_timeout + READY_SLACK_S)
        else:
            wait_until(ctx.clock, service.process.startup_timeout, lambda: bool(instance.output()))
        ctx.clock.sleep(SETTLE_S)
        booted = _snapshot(postgres, database)
        if booted.tables:
            yield fail(
                f"created {len(booted.tables)} table(s) at startup: {_names(booted)}",
                evidence=(
                    Evidence("tables after startup", tuple(booted.tables)),
                    *instance.evidence(),
                ),
            )
            return
    tasks = migration_tasks(service.contract)
    if not tasks:
        yield passed("created no tables at startup (no migration task declared to compare)")
        return
    for task in tasks:
        run = run_task(service, ctx, task, database=database)
        if (problem := run.problem()) is not None:
            yield inconclusive(f"migration task {task} {problem}", evidence=run.evidence)
            return
    migrated = _snapshot(postgres, database)
    if not migrated.tables:
        yield inconclusive(
            f"{', '.join(tasks)} created no tables either: an empty schema shows nothing"
        )
        return
    yield passed(
        f"created no tables at startup; {', '.join(tasks)} created"
        f" {len(migrated.tables)}: {_names(migrated)}"
    )


def _snapshot(postgres: EphemeralPostgres, database: str) -> Snapshot:
    try:
        return postgres.snapshot(database)
    except PostgresUnavailable as exc:
        raise CheckInconclusive(f"could not read the database: {exc}") from None


def _names(snapshot: Snapshot) -> str:
    names = sorted(snapshot.tables)
    return ", ".join(names[:_SHOWN]) + (", ..." if len(names) > _SHOWN else "")
