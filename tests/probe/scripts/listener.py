"""Child service that listens on a TCP port and prints "listening" once it does.

Usage: listener.py HOST PORT [--child] [--ignore-term]
  --child        the listening socket is opened by a forked child, not by this process
  --ignore-term  ignore SIGTERM (both processes), so only SIGKILL stops it
"""

import os
import signal
import socket
import sys
import time

LIFETIME_S = 60  # a leaked listener still goes away on its own


def listen(host: str, port: int) -> None:
    """Listen on (host, port), announce it, and accept (and drop) connections."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(16)
        server.settimeout(0.2)
        print("listening", flush=True)
        end = time.monotonic() + LIFETIME_S
        while time.monotonic() < end:
            try:
                conn, _ = server.accept()
                conn.close()
            except TimeoutError:
                continue


def main() -> None:
    """Parse the arguments and listen, here or in a child."""
    host, port, flags = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    if "--ignore-term" in flags:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if "--child" not in flags:
        listen(host, port)
        return
    if os.fork() == 0:
        listen(host, port)
        os._exit(0)
    time.sleep(LIFETIME_S)


if __name__ == "__main__":
    main()
