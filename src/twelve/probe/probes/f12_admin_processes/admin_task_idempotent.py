"""P1203 admin-task-idempotent."""

from collections.abc import Iterator

from twelve.model import CheckInconclusive, Evidence, Severity, Verdict, fail, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.postgres import EphemeralPostgres, PostgresUnavailable, Snapshot
from twelve.probe.probe import probe
from twelve.probe.probes.f12_admin_processes._tasks import (
    TASK_TIMEOUT_S,
    applies,
    run_task,
    task_database,
)


@probe(
    id="P1203",
    name="admin-task-idempotent",
    factor=12,
    severity=Severity.ERROR,
    summary="An admin task marked idempotent can run twice: exit 0, nothing changed",
    remediation="Make the task check what is already done (IF NOT EXISTS, upserts, markers).",
    kinds=("web", "worker"),
    budget=4 * TASK_TIMEOUT_S,
)
def admin_task_idempotent(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Runs the contract's admin tasks in the order declared, on a fresh database of twelve's
    own Postgres when it provides one; each task marked `idempotent = true` runs a second
    time right after its first run. The second run must exit 0 and change nothing a
    service could observe: the same tables, columns and indexes, the same rows.

    ## Why is this bad?
    Deploys retry, operators re-run, and release phases run a task on every deploy. A
    task declared idempotent that fails the second time ("relation already exists")
    blocks the next release; one that adds the same rows again corrupts data quietly.

    ## Example
    ```sql
    CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric);
    INSERT INTO settings (name, value) VALUES ('currency', 'EUR');
    ```

    ## Use instead
    ```sql
    CREATE TABLE IF NOT EXISTS orders (id bigserial PRIMARY KEY, total numeric);
    INSERT INTO settings (name, value) VALUES ('currency', 'EUR') ON CONFLICT DO NOTHING;
    ```

    ## Known problems
    Only the database twelve provides is compared; effects elsewhere (files, queues, other
    services) are not seen. Without a twelve-provided Postgres only the exit codes count.
    """
    contract = service.contract
    idempotent = [name for name, task in contract.admin.items() if task.idempotent]
    none = "no admin task is marked idempotent" if contract.admin else "no [admin.*] tasks declared"
    if (why := applies(service, idempotent, none)) is not None:
        yield why
        return
    database = task_database(ctx)
    postgres = ctx.backing.postgres if database is not None else None
    checked = []
    for task in contract.admin:
        first = run_task(service, ctx, task, database=database, title="first run: ")
        if (problem := first.problem()) is not None:
            raise CheckInconclusive(f"{task}: first run {problem}", first.evidence)
        if task not in idempotent:
            continue
        before = _snapshot(postgres, database)
        second = run_task(service, ctx, task, database=database, title="second run: ")
        if (problem := second.problem()) is not None:
            yield fail(
                f"{task}: second run {problem}",
                evidence=(*first.evidence, *second.evidence),
                secrets=first.secrets | second.secrets,
            )
            return
        after = _snapshot(postgres, database)
        if before is not None and after is not None and (changes := before.changes(after)):
            yield fail(
                f"{task}: the second run changed the database ({len(changes)} changes)",
                evidence=(Evidence("database changes", tuple(changes)), *second.evidence),
                secrets=second.secrets,
            )
            return
        checked.append(f"{task} ({first.seconds:.2f} s, then {second.seconds:.2f} s)")
    compared = "database unchanged" if postgres is not None else "database not compared"
    yield passed(f"second runs exited 0, {compared}: {', '.join(checked)}")


def _snapshot(postgres: EphemeralPostgres | None, database: str | None) -> Snapshot | None:
    if postgres is None or database is None:
        return None
    try:
        return postgres.snapshot(database)
    except PostgresUnavailable as exc:
        raise CheckInconclusive(f"could not read the database: {exc}") from None
