"""The command line: one codebase, three kinds of process (factor VIII and XII).

Dispatch only: each branch imports its process module on demand, so `web` never pays for
alembic and an admin task never pays for starlette.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

USAGE = "usage: python -m shortlinks web | worker | admin TASK [options]"
EX_USAGE = 2


def main(argv: Sequence[str]) -> NoReturn:
    """Run the process named by the first argument, or print the usage and exit 2.

    Args:
        argv: the arguments after the program name.
    """
    command, rest = (argv[0], list(argv[1:])) if argv else ("", [])
    if command == "web":
        from shortlinks.web import run as run_web  # noqa: PLC0415 -- see module doc

        run_web()
    elif command == "worker":
        from shortlinks.worker import run as run_worker  # noqa: PLC0415 -- see module doc

        run_worker()
    elif command == "admin":
        from shortlinks.admin import run as run_admin  # noqa: PLC0415 -- see module doc

        run_admin(rest)
    sys.stderr.write(f"{USAGE}\n")
    raise SystemExit(EX_USAGE)
