"""Admin tasks (factor XII): registered by name, run as one-off processes, never at boot.

    admin = AdminTasks()

    @admin.task("migrate", description="Apply pending schema changes")
    async def migrate(config: Config) -> None: ...

    @admin.task("backfill")
    def backfill(config: Config, args: list[str]) -> None: ...  # `admin backfill --since 2026-01`

    # in the service's __main__: `python -m app admin migrate`
    admin.main(sys.argv[2:], load=lambda: load_config(CONTRACT))

A task that takes a second parameter gets the command line's arguments after its name; a
task that does not is refused them (exit 2), never run with them silently dropped.

Registering runs nothing, and imports nothing heavy: a service that builds its registry at
import time still reports a config error fast (structlog loads only for a run). A run
loads the same config (exit 78 on problems), sets up the same logs, logs the start and the
end with its duration, and exits 0, or 1 when the task raised, 2 for an unknown task name or
arguments it does not take.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import NoReturn, TypeVar

from twelve.kit.calls import call_either
from twelve.kit.config import Config

Task = Callable[..., Awaitable[object] | object]  # (config) or (config, args)
F = TypeVar("F", bound=Task)
EX_USAGE = 2


@dataclass(frozen=True, slots=True)
class _Registered:
    name: str
    run: Task
    description: str
    takes_args: bool


class AdminTasks:
    """A registry of the service's admin tasks."""

    def __init__(self) -> None:
        self._tasks: dict[str, _Registered] = {}

    def task(self, name: str | None = None, *, description: str = "") -> Callable[[F], F]:
        """Register the decorated function (async or sync) as a task: it takes the config,
        and, when it has a second parameter, the list of arguments given after its name.

        Args:
            name: the task's name on the command line (default: the function's).
            description: one line for the task list.
        """

        def register(fn: F) -> F:
            key = name or fn.__name__.replace("_", "-")
            if key in self._tasks:
                raise ValueError(f"admin task {key!r} is registered twice")
            doc = (inspect.getdoc(fn) or "").split("\n", 1)[0]
            self._tasks[key] = _Registered(key, fn, description or doc, _takes_args(fn))
            return fn

        return register

    @property
    def names(self) -> list[str]:
        """The registered task names, sorted."""
        return sorted(self._tasks)

    def run(self, name: str, config: Config, args: Sequence[str] = ()) -> int:
        """Run one task in this process with logging set up; its exit code.

        Args:
            name: the task.
            config: the loaded config.
            args: the task's own arguments (refused, exit 2, by a task that takes none).
        """
        from twelve.kit.logs import get_logger, setup_logging  # noqa: PLC0415 -- see module doc

        setup_logging(config)
        log = get_logger("twelve.kit.admin")
        registered = self._tasks.get(name)
        if registered is None:
            log.error("unknown admin task", task=name, known=self.names)
            return EX_USAGE
        if args and not registered.takes_args:
            # How many, not what: an argument may be a secret typed on the command line.
            log.error("admin task takes no arguments", task=name, arguments=len(args))
            return EX_USAGE
        log.info("admin task started", task=name)
        started = time.monotonic()
        given = (config, list(args)) if registered.takes_args else (config,)
        try:
            asyncio.run(call_either(registered.run, *given))
        except Exception:
            log.exception("admin task failed", task=name, seconds=_since(started))
            return 1
        log.info("admin task finished", task=name, seconds=_since(started))
        return 0

    def main(self, argv: Sequence[str], *, load: Callable[[], Config]) -> NoReturn:
        """`<program> admin NAME [ARGS...]`: run the task NAME and exit; no name lists the
        tasks.

        Args:
            argv: the arguments after `admin`.
            load: loads the config (typically `load_config`, which exits 78 on problems).
        """
        from twelve.kit.shutdown import exit_now  # noqa: PLC0415 -- see module doc

        if not argv or argv[0] in ("-h", "--help", "list"):
            lines = [f"{t.name:20} {t.description}".rstrip() for t in self._tasks.values()]
            sys.stdout.write("admin tasks:\n" + "".join(f"  {line}\n" for line in lines))
            exit_now(0 if argv else EX_USAGE)
        exit_now(self.run(argv[0], load(), argv[1:]))


def _takes_args(fn: Task) -> bool:
    """Whether `fn` takes a second positional argument (the task's arguments)."""
    positional = 0
    for parameter in inspect.signature(fn).parameters.values():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            return True
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            positional += 1
    return positional >= 2


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)
