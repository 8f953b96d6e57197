"""P1201 admin-task-runs."""

import json
from collections.abc import Iterator

from twelve.contract import Contract
from twelve.model import Severity, Verdict, fail, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f12_admin_processes._tasks import (
    TASK_TIMEOUT_S,
    TaskRun,
    applies,
    run_task,
    task_database,
)

_SHOWN = 3


@probe(
    id="P1201",
    name="admin-task-runs",
    factor=12,
    severity=Severity.ERROR,
    summary="Each admin task runs as a one-off process with the app's env, exits 0, logs JSON",
    remediation="Ship admin tasks as commands of the release that read the same config and log.",
    kinds=("web", "worker"),
    budget=3 * TASK_TIMEOUT_S,
)
def admin_task_runs(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Runs every `[admin.NAME]` task of the contract once, in the order declared, as a
    separate one-off process with the environment the service's processes get (a fresh
    database of twelve's own Postgres when it provides one). Each must exit 0 within 30 s
    and write structured logs: at least one line on the contract's log stream, every line
    a JSON object with the `[logs] fields`.

    ## Why is this bad?
    Admin tasks (migrations, backfills, one-off scripts) that run only from a developer's
    shell, with hand-set variables, drift away from the release: they fail in production,
    run against the wrong database, or leave no trace in the logs of what they changed.

    ## Example
    ```sh
    ssh prod-1 'cd /srv/app && DATABASE_URL=... python scripts/fix_orders.py'
    ```

    ## Use instead
    ```toml
    [admin.fix-orders]
    command = "python -m shop.admin fix-orders"   # same release, same config, JSON logs
    ```

    ## Known problems
    Tasks run one after another on one database, in the order declared, so a task may
    rely on those before it (`migrate` before `seed`). A task that needs input or more
    than 30 s cannot be judged.
    """
    tasks = list(service.contract.admin)
    if (why := applies(service, tasks, "no [admin.*] tasks declared")) is not None:
        yield why
        return
    database = task_database(ctx)
    problems: list[tuple[TaskRun, str]] = []
    runs = []
    for task in tasks:
        run = run_task(service, ctx, task, database=database)
        runs.append(run)
        if (problem := run.problem() or _log_problem(run, service.contract)) is not None:
            problems.append((run, problem))
    if problems:
        yield fail(
            "; ".join(f"{run.task}: {problem}" for run, problem in problems),
            evidence=[e for run, _ in problems for e in run.evidence],
            secrets=[secret for run, _ in problems for secret in run.secrets],
        )
        return
    took = ", ".join(f"{run.task} {run.seconds:.2f} s" for run in runs)
    yield passed(f"{len(runs)} task(s) exited 0 with JSON logs: {took}")


def _log_problem(run: TaskRun, contract: Contract) -> str | None:
    """Why the task's output is not structured logs as the contract declares, or None."""
    stream = contract.logs.stream
    lines = [
        line.text for line in run.output if stream in ("either", line.stream) and line.text.strip()
    ]
    if not lines:
        return f"wrote no log line on {stream}"
    records = [_object(text) for text in lines]
    plain = [n for n, record in enumerate(records, 1) if record is None]
    if plain:
        shown = ", ".join(map(str, plain[:_SHOWN])) + (", ..." if len(plain) > _SHOWN else "")
        return f"{len(plain)} of {len(lines)} lines are not JSON objects (line {shown})"
    for field in contract.logs.fields:
        lacking = [record for record in records if not _has(record or {}, field)]
        if lacking:
            return f"{len(lacking)} of {len(lines)} lines lack the field {field!r}"
    return None


def _object(text: str) -> dict[str, object] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _has(record: dict[str, object], name: str) -> bool:
    """A key, or a dotted path into nested objects (`log.level`), as log-fields reads it."""
    if name in record:
        return True
    head, dot, rest = name.partition(".")
    inner = record.get(head)
    return bool(dot) and isinstance(inner, dict) and _has(inner, rest)
