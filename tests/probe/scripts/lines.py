"""Child service for output-capture tests: writes known lines to stdout and stderr.

Usage: lines.py script   -- a fixed interleaving of both streams, then exit 3
       lines.py flood N  -- N numbered lines on stdout, then exit 0
       lines.py long N   -- one line of N "x" on stdout, then exit 0
"""

import sys
import time


def script() -> int:
    """Write a fixed, spaced-out sequence so timestamps order the two streams."""
    steps = [
        (sys.stdout.buffer, b"out one\n"),
        (sys.stderr.buffer, b"err one\n"),
        (sys.stdout.buffer, b"out two\r\n"),
        (sys.stderr.buffer, b"bad \xff byte\n"),
        (sys.stdout.buffer, b"no newline at end"),
    ]
    for stream, data in steps:
        stream.write(data)
        stream.flush()
        time.sleep(0.05)  # lets the reader threads stamp each line before the next one
    return 3


def flood(count: int) -> int:
    """Write `count` numbered lines."""
    for number in range(count):
        print(f"line {number}")
    return 0


def long(length: int) -> int:
    """Write one line of `length` characters."""
    print("x" * length)
    return 0


if __name__ == "__main__":
    mode = sys.argv[1]
    sys.exit(
        script() if mode == "script" else {"flood": flood, "long": long}[mode](int(sys.argv[2]))
    )
