"""Child service that forks children, some built to outlive a polite stop.

Usage: forker.py ROLE...   with ROLE one of
  plain     stays in the process group, dies on SIGTERM
  stubborn  stays in the process group, ignores SIGTERM
  session   calls setsid() (leaves the group and session) and ignores SIGTERM and SIGHUP

Each child prints "child ROLE PID" once it is set up; the parent prints "ready" after all of
them did, so a test that saw "ready" knows every child is in its final state. The parent itself
dies on SIGTERM.
"""

import os
import signal
import sys
import time

LIFETIME_S = 60  # a leaked child still goes away on its own


def child(role: str, done: int) -> None:
    """Become a child of the given role, report, and idle."""
    if role != "plain":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if role == "session":
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        os.setsid()
    # One write() of under PIPE_BUF bytes is atomic, so siblings' lines never interleave.
    os.write(sys.stdout.fileno(), f"child {role} {os.getpid()}\n".encode())
    os.write(done, b".")
    os.close(done)
    time.sleep(LIFETIME_S)
    os._exit(0)


def main() -> None:
    """Fork one child per role, wait until each is set up, and idle."""
    roles = sys.argv[1:]
    ready, done = os.pipe()
    for role in roles:
        if os.fork() == 0:
            os.close(ready)
            child(role, done)
    os.close(done)
    reported = b""
    while len(reported) < len(roles):
        reported += os.read(ready, len(roles)) or b"!" * len(roles)  # EOF: a child died early
    print("ready", flush=True)
    time.sleep(LIFETIME_S)


if __name__ == "__main__":
    main()
