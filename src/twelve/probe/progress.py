"""A progress display for probe runs on a terminal (stderr), silent elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from twelve.probe.runner import Progress as ProgressCallback


@contextmanager
def progress_display(*, enabled: bool) -> Iterator[ProgressCallback | None]:
    """Yield a `(done, total, label)` callback drawing a bar on stderr, or None when disabled.

    Args:
        enabled: draw at all (the CLI enables it on a TTY without `-q`).
    """
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("probing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def update(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=label)

        yield update
