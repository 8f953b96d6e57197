"""P0601 no-local-writes."""

import secrets
from collections.abc import Iterator

from twelve.model import Evidence, Severity, Verdict, fail, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f06_processes._file_tree import MAX_ENTRIES, changes, snapshot

_SHOWN = 20


@probe(
    id="P0601",
    name="no-local-writes",
    factor=6,
    severity=Severity.WARNING,
    summary="The process writes nothing into the service directory",
    remediation="Keep state in a backing service; use $TMPDIR for scratch files only.",
    kinds=("web", "worker"),
)
def no_local_writes(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Snapshots the service directory (recursively: path, size, modification time), starts a
    fresh instance until it is ready, exercises a web process a little (liveness,
    readiness, version, an unknown path), stops it, and snapshots again. Any file or
    directory created, changed or deleted is a failure. HOME and TMPDIR point to scratch
    directories outside the service directory, so scratch files there are fine.

    ## Why is this bad?
    Processes are disposable and share nothing: the next request may go to another
    instance, on another machine, started from a fresh copy of the release. A SQLite file,
    an upload directory or a cache written next to the code is lost on the next deploy and
    invisible to every other instance.

    ## Example
    ```python
    db = sqlite3.connect("state.db")   # in the working directory
    ```

    ## Use instead
    ```python
    db = psycopg.connect(os.environ["DATABASE_URL"])   # an attached backing service
    ```

    ## Known problems
    `.git`, `node_modules`, `target`, `.venv`, `venv` and `__pycache__` directories and
    `*.pyc` files are not looked at: they are dependencies, build output and the Python
    interpreter's bytecode cache, not the service's state. The walk stops after 20,000
    entries; beyond that, only paths both walks reached are compared. Other probes run
    instances of the same service at the same time, so a write is attributed to the
    service, not to this instance.
    """
    root = service.root
    before = snapshot(root)
    with ctx.ready_instance(service) as instance:
        if service.kind == "web":
            for path in (
                service.process.liveness,
                service.process.readiness,
                service.process.version,
                f"/twelve-probe-{secrets.token_hex(4)}",
            ):
                if path:
                    instance.request("GET", path)
        evidence = instance.evidence  # read after the block: the instance has stopped
    after = snapshot(root)
    found = changes(before, after)
    notes = []
    if skipped := before.skipped | after.skipped:
        notes.append(f"skipped {', '.join(sorted(skipped))}")
    if before.truncated or after.truncated:
        notes.append(f"only the first {MAX_ENTRIES} entries")
    note = f" ({'; '.join(notes)})" if notes else ""
    if not found:
        count = len(after.entries)
        yield passed(
            f"nothing written in the service directory ({count} path{'s'[: count != 1]}){note}"
        )
        return
    shown = found[:_SHOWN] + ([f"... {len(found) - _SHOWN} more"] if len(found) > _SHOWN else [])
    yield fail(
        f"{len(found)} path(s) written in the service directory: {', '.join(found[:3])}{note}",
        evidence=(Evidence(f"changes under {root}", tuple(shown)), *evidence()),
    )
