"""Running admin tasks as one-off processes, and what the admin probes share.

Not a probe itself. Admin tasks belong to the service, not to one process type, so the
admin probes run once, under the contract's first process type (whose environment the
tasks share); the others report not applicable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from twelve.model import Evidence, Verdict, not_applicable
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.harness import OutputLine

TASK_TIMEOUT_S = 30.0  # the contract gives admin tasks no timeout; a fresh database needs little
STOP_GRACE_S = 1.0


@dataclass(frozen=True, slots=True)
class TaskRun:
    """How one run of an admin task went.

    Args:
        task: the task's name.
        code: its exit code, None when it still ran at the limit (it was then stopped).
        seconds: from exec to exit (or to the limit).
        limit: the seconds it had.
        output: everything it wrote.
        evidence: its timeline and output tail.
        secrets: the secret values it was given.
    """

    task: str
    code: int | None
    seconds: float
    limit: float
    output: tuple[OutputLine, ...]
    evidence: tuple[Evidence, ...]
    secrets: frozenset[str]

    def problem(self) -> str | None:
        """Why this was not a clean run (exit 0 in time), or None."""
        if self.code is None:
            return f"still running after {self.limit:g} s"
        if self.code != 0:
            return f"exited {self.code} after {self.seconds:.2f} s"
        return None


def run_task(
    service: ProcessUnderTest,
    ctx: ProbeContext,
    task: str,
    *,
    database: str | None,
    drop: Iterable[str] = (),
    command: str | list[str] | None = None,
    limit: float = TASK_TIMEOUT_S,
    title: str = "",
) -> TaskRun:
    """Run `[admin.<task>]` (or `command`) once, to its end or `limit`.

    Args:
        service: the process whose environment the task shares.
        ctx: the probe context.
        task: the admin task's name.
        database: a database of twelve's Postgres, or None for the run's default.
        drop: env keys to leave out.
        command: run this instead of the task's command.
        limit: the longest wait for its exit.
        title: prefixed to evidence titles ("second run: ").
    """
    with ctx.admin(service, task, command=command, database=database, drop=drop) as run:
        code = run.proc.wait_exit(limit)
        run.stop(STOP_GRACE_S)  # joins the output readers: every line is in
        exited = [e.t for e in run.proc.timeline() if e.label.startswith("exit ")]
        seconds = exited[0] if code is not None and exited else limit
        evidence = tuple(Evidence(f"{title}{e.title}", e.lines) for e in run.evidence())
        return TaskRun(
            task,
            code,
            seconds,
            limit,
            tuple(run.output()),
            evidence,
            frozenset(run.ienv.secrets.values()),
        )


def applies(service: ProcessUnderTest, tasks: Iterable[str], none: str) -> Verdict | None:
    """Not applicable when there are no such tasks, or `service` is not the one they run under.

    Args:
        service: the process type the probe was scheduled for.
        tasks: the admin tasks the probe would run.
        none: the reason to give when there are none ("no [admin.*] tasks declared").
    """
    if not list(tasks):
        return not_applicable(none)
    first = next(iter(service.contract.processes))
    if service.name != first:
        return not_applicable(f"admin tasks are probed once, with the {first!r} process's env")
    return None


def task_database(ctx: ProbeContext) -> str | None:
    """A fresh database of twelve's Postgres for this probe's tasks; None when it has none."""
    return ctx.backing.fresh_database() if ctx.backing.postgres is not None else None
