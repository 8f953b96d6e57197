"""P1202 admin-task-fails-fast."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from twelve.model import Severity, Verdict, fail, not_applicable, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f03_config._broken_start import names_key
from twelve.probe.probes.f12_admin_processes._tasks import TaskRun, applies, run_task, task_database

LIMIT_S = 6.0  # a config error needs no work: a few seconds, with room for a slow interpreter
_PARALLEL = 6


@probe(
    id="P1202",
    name="admin-task-fails-fast",
    factor=12,
    severity=Severity.ERROR,
    summary="Without a required config key an admin task exits non-zero at once, naming the key",
    remediation="Load and check the app's config before an admin task does anything.",
    kinds=("web", "worker"),
    budget=4 * LIMIT_S + 10.0,
)
def admin_task_fails_fast(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    For each `[admin.NAME]` task and each required config key (ports aside: a task
    serves nothing), runs the task once without that key, several runs in parallel. Each
    must exit non-zero within 6 s and name the missing key in its output.

    ## Why is this bad?
    An admin task that does not check its config runs with a default, an empty value or
    a half-set environment: a migration against a local database instead of the real
    one, a backfill that silently does nothing, or a stack trace far from the cause.

    ## Example
    ```python
    # shop/admin.py
    url = os.environ.get("DATABASE_URL", "postgresql://localhost/shop")
    migrate(url)
    ```

    ## Use instead
    ```python
    # shop/admin.py
    settings = Settings()        # the app's config class: exits 1 naming every missing key
    migrate(settings.database_url)
    ```

    ## Known problems
    A key counts as named when its name appears as a whole word in any case. The contract
    has no per-task key lists: every task is tested with every required key.
    """
    tasks = list(service.contract.admin)
    if (why := applies(service, tasks, "no [admin.*] tasks declared")) is not None:
        yield why
        return
    ports = {p.port_env for p in service.contract.processes.values() if p.kind == "web"}
    keys = [
        name for name, key in service.contract.keys().items() if key.required and name not in ports
    ]
    if not keys:
        yield not_applicable("no required config keys (other than ports)")
        return
    database = task_database(ctx)
    cases = [(task, key) for task in tasks for key in keys]

    def attempt(case: tuple[str, str]) -> TaskRun:
        task, key = case
        return run_task(
            service, ctx, task, database=database, drop=[key], limit=LIMIT_S, title=f"{key}: "
        )

    with ThreadPoolExecutor(min(len(cases), _PARALLEL), "twelve-admin") as pool:
        runs = list(pool.map(attempt, cases))
    failing = [
        (task, key, run, problem)
        for (task, key), run in zip(cases, runs, strict=True)
        if (problem := _problem(run, key)) is not None
    ]
    if failing:
        yield fail(
            "; ".join(f"{task} without {key}: {problem}" for task, key, _, problem in failing),
            evidence=[e for _, _, run, _ in failing for e in run.evidence],
            secrets=[secret for _, _, run, _ in failing for secret in run.secrets],
        )
        return
    slowest = max(run.seconds for run in runs)
    codes = "/".join(sorted({str(run.code) for run in runs}))
    yield passed(
        f"{len(runs)} run(s) of {len(tasks)} task(s) without {', '.join(keys)}:"
        f" each exited {codes} within {slowest:.2f} s naming the key"
    )


def _problem(run: TaskRun, key: str) -> str | None:
    if run.code is None:
        return f"still running after {run.limit:g} s"
    if run.code == 0:
        return f"exit 0 after {run.seconds:.2f} s"
    if not names_key(run.output, key):
        return f"exit {run.code} but output never names {key}"
    return None
