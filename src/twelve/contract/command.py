"""A contract command (`"web --port $PORT"` or `["web", "--port", "$PORT"]`) as words."""

from __future__ import annotations

import shlex
from collections.abc import Sequence


def command_words(command: str | Sequence[str]) -> list[str]:
    """Split a string like a shell would (quotes, backslashes); take a sequence as it is.

    Variables are left as written: whoever runs the command expands them per word, so a
    value is never split again.

    Args:
        command: the process's or admin task's command.

    Raises:
        ValueError: the string cannot be split (an unclosed quote).
    """
    if not isinstance(command, str):
        return list(command)
    try:
        return shlex.split(command)
    except ValueError as exc:
        raise ValueError(f"cannot split command {command!r}: {exc}") from None
