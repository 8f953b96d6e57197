"""What a database migration looks like, as a command; shared by S1201 and S1202."""

from __future__ import annotations

import re

from twelve.lint.rules.f05_build_release_run._start_commands import (
    Argv,
    command_lines,
    script_commands,
)

# `migrate`, `db:migrate`, `migrate:latest`, `migration:run`, `migrations` as a word.
_MIGRATION_WORD = re.compile(r"^(?:[\w.-]*:)?migrat(?:e|ion|ions)(?::[\w-]+)?$")
# Tools whose migration verb is a plain word: `alembic upgrade head`, `goose ... up`.
_TOOL_VERBS = {
    "alembic": {"upgrade"}, "goose": {"up", "up-by-one", "up-to"}, "dbmate": {"up"},
    "liquibase": {"update"}, "yoyo": {"apply"}, "yoyo-migrate": {"apply"},
}  # fmt: skip
# Commands that neither migrate nor serve: what may follow a migration in a one-off script.
_TRIVIAL = frozenset(
    {"echo", "printf", "true", ":", "set", "cd", "export", "sleep", "exit", "wait"}
)


def is_migration(argv: Argv) -> bool:
    """Whether a simple command (launchers peeled off) runs database migrations.

    Args:
        argv: the program and its arguments.
    """
    if not argv:
        return False
    head, words = argv[0], [word for word in argv[1:] if not word.startswith("-")]
    if set(words) & _TOOL_VERBS.get(head, set()):
        return True
    if head == "flask" and words[:2] == ["db", "upgrade"]:
        return True
    if head == "prisma" and words[:2] in (["migrate", "deploy"], ["db", "push"]):
        return True
    return any(_MIGRATION_WORD.match(word) for word in (head, *words))


def is_trivial(argv: Argv) -> bool:
    """A command that does nothing a process is started for (`echo done`, `cd /app`)."""
    return not argv or argv[0] in _TRIVIAL


def mentions_migration(command: str | list[str]) -> bool:
    """Whether a command line (a Procfile entry, a contract command) runs migrations.

    Args:
        command: shell text, or an argv list.
    """
    commands = script_commands(command) if isinstance(command, str) else command_lines(command)
    return any(is_migration(argv) for argv in commands)
