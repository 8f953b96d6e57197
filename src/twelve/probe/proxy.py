"""A fault-injecting TCP proxy the probe puts between a service and one backing service.

An asyncio loop in one daemon thread does all the work, switches included, so it is the only
writer of the mode and the connection table; the threading lock guards what other threads read.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import socket
import struct
import threading
import time
from collections.abc import Callable, Coroutine
from enum import StrEnum
from typing import Any, Self, TypeVar

__all__ = ["FaultProxy", "Mode"]

_T = TypeVar("_T")

MAX_CONNECTIONS = 256
BUFFER_SIZE = 64 * 1024
CONNECT_TIMEOUT = 5.0  # dialling the upstream; past it the client is reset
CONTROL_TIMEOUT = 5.0  # start, set_mode and stop each finish within this, or raise
MAX_LATENCY_MS = 60_000
THREAD_NAME = "twelve-fault-proxy"
_RST_ON_CLOSE = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close sends RST, not FIN


class Mode(StrEnum):
    """What the proxy does with connections and bytes."""

    PASS = "pass"
    REFUSE = "refuse"
    BLACKHOLE = "blackhole"
    RESET = "reset"
    LATENCY = "latency"


def _require_loopback(host: str, what: str) -> None:
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(host).is_loopback:
            return
    raise ValueError(
        f"{what} must be a loopback IP address (127.0.0.0/8 or ::1), got {host!r}; "
        "the probe never talks to anything but this machine"
    )


class _Link:
    """One client connection and, once dialled, its upstream twin."""

    __slots__ = ("client", "dropped", "upstream")

    def __init__(self, client: asyncio.StreamWriter) -> None:
        self.client = client
        self.upstream: asyncio.StreamWriter | None = None
        self.dropped = False

    def reset(self) -> None:
        self.dropped = True
        for writer in self._writers():
            with contextlib.suppress(OSError):  # already closed: nothing left to reset
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RST_ON_CLOSE)
            writer.transport.abort()

    def close(self) -> None:
        for writer in self._writers():
            writer.close()

    def _writers(self) -> tuple[asyncio.StreamWriter, ...]:
        return (self.client,) if self.upstream is None else (self.client, self.upstream)


class FaultProxy:
    """Forward TCP between loopback ports, with faults switchable at run time from any thread.

    Args:
        upstream: (host, port) of the backing service; host must be a loopback IP literal.
        listen_host: loopback IP to listen on; the port is picked free at start.
        max_connections: concurrent client connections; more are reset on arrival.
        buffer_size: bytes read per chunk, and at most held per direction in a blackhole.
        clock: monotonic time source for `history`.
    """

    def __init__(
        self,
        upstream: tuple[str, int],
        listen_host: str = "127.0.0.1",
        *,
        max_connections: int = MAX_CONNECTIONS,
        buffer_size: int = BUFFER_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _require_loopback(upstream[0], "upstream host")
        _require_loopback(listen_host, "listen_host")
        if not 0 < upstream[1] < 65536:
            raise ValueError(f"upstream port must be 1-65535, got {upstream[1]}")
        if max_connections < 1 or buffer_size < 1:
            raise ValueError("max_connections and buffer_size must be positive")
        self._upstream, self._listen_host, self._port = upstream, listen_host, 0
        self._max_connections, self._buffer_size, self._clock = max_connections, buffer_size, clock
        self._lock = threading.Lock()
        self._state = "new"  # new -> running -> stopped: a proxy runs once
        self._mode, self._latency_ms = Mode.PASS, 0
        self._history: list[tuple[float, Mode]] = []
        self._connections_total = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        # Both bind to the proxy's loop on first use there (Python >= 3.10).
        self._changed = asyncio.Event()  # replaced on every switch, after waking its waiters
        self._switching = asyncio.Lock()

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) clients connect to; the same across refuse and pass."""
        if not self._port:
            raise RuntimeError("FaultProxy has no address until start()")
        return self._listen_host, self._port

    @property
    def mode(self) -> Mode:
        """The mode currently applied."""
        with self._lock:
            return self._mode

    @property
    def latency_ms(self) -> int:
        """Delay per forwarded chunk in LATENCY mode, else 0."""
        with self._lock:
            return self._latency_ms

    @property
    def history(self) -> tuple[tuple[float, Mode], ...]:
        """(monotonic time, mode) of each applied switch, starting with PASS at start()."""
        with self._lock:
            return tuple(self._history)

    @property
    def connections_total(self) -> int:
        """Client connections accepted so far, including those reset on arrival."""
        with self._lock:
            return self._connections_total

    def start(self) -> Self:
        """Listen on a free loopback port and start forwarding in a background thread."""
        with self._lock:
            if self._state != "new":
                raise RuntimeError("FaultProxy can be started only once; create a new one")
            self._state = "running"
        loop = self._loop = asyncio.new_event_loop()
        # Daemon: even a wedged loop must never keep the probe process alive.
        self._thread = threading.Thread(target=self._run, args=(loop,), name=THREAD_NAME)
        self._thread.daemon = True
        self._thread.start()
        with self._lock:
            self._history.append((self._clock(), Mode.PASS))
        try:
            self._call(self._listen(), "start")
        except BaseException:
            self.stop()
            raise
        return self

    def set_mode(self, mode: Mode | str, *, latency_ms: int | None = None) -> None:
        """Switch the fault mode; new and existing connections follow it before this returns.

        Args:
            mode: a Mode or its value ("pass", "refuse", "blackhole", "reset", "latency").
            latency_ms: delay per chunk, required for LATENCY (1-60000), refused otherwise.
        """
        mode = Mode(mode)
        if mode is Mode.LATENCY:
            if latency_ms is None or not 0 < latency_ms <= MAX_LATENCY_MS:
                raise ValueError(f"latency_ms must be 1-{MAX_LATENCY_MS} for LATENCY")
        elif latency_ms is not None:
            raise ValueError(f"latency_ms applies only to LATENCY, not {mode.value}")
        with self._lock:
            if self._state != "running":
                raise RuntimeError(f"set_mode() needs a running FaultProxy (it is {self._state})")
        self._call(self._switch(mode, latency_ms or 0), "switch mode")

    def stop(self) -> None:
        """Close the listener and reset every connection, then join the thread; idempotent."""
        with self._lock:
            if self._state != "running":  # never started, or already stopped
                return
            self._state = "stopped"
        loop, thread = self._loop, self._thread
        assert loop is not None and thread is not None  # set together in start()
        try:
            self._call(self._shutdown(), "stop")
        finally:
            with contextlib.suppress(RuntimeError):  # loop already closed: nothing to stop
                loop.call_soon_threadsafe(loop.stop)
            thread.join(CONTROL_TIMEOUT)
        if thread.is_alive():
            raise RuntimeError(f"fault proxy thread did not exit within {CONTROL_TIMEOUT}s")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _call(self, coro: Coroutine[Any, Any, _T], what: str) -> _T:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or threading.get_ident() == thread.ident:
            coro.close()  # waiting on our own loop from inside it would deadlock
            raise RuntimeError(f"cannot {what} from the proxy's own thread or before start()")
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result(CONTROL_TIMEOUT)
        except TimeoutError:
            future.cancel()
            raise TimeoutError(f"fault proxy did not {what} within {CONTROL_TIMEOUT}s") from None

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            if leftovers := asyncio.all_tasks(loop):  # only if stop() timed out
                for task in leftovers:
                    task.cancel()
                loop.run_until_complete(asyncio.wait(leftovers, timeout=CONTROL_TIMEOUT))
            loop.close()

    async def _listen(self) -> None:
        family = socket.AF_INET6 if ":" in self._listen_host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if os.name == "posix":  # re-binding our own port after refuse must not hit TIME_WAIT
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._listen_host, self._port))
            self._server = await asyncio.start_server(
                self._accept, sock=sock, limit=self._buffer_size
            )
        except BaseException:
            sock.close()
            raise
        self._port = sock.getsockname()[1]

    async def _switch(self, mode: Mode, latency_ms: int) -> None:
        async with self._switching:
            with self._lock:
                stopped = self._state != "running"
            if stopped:  # stop() won the race: never re-open its listener
                raise RuntimeError("set_mode() needs a running FaultProxy (it is stopped)")
            if mode is Mode.REFUSE and self._server is not None:
                self._server.close()  # closes the listening socket now: connects get ECONNREFUSED
                self._server = None
            elif mode is not Mode.REFUSE and self._server is None:
                await self._listen()  # OSError if another process took the port: stay refusing
            with self._lock:
                self._mode, self._latency_ms = mode, latency_ms
                self._history.append((self._clock(), mode))
            if mode is Mode.REFUSE:
                for link in list(self._links):
                    link.reset()
            self._changed.set()  # connections held in a blackhole wake up and re-read the mode
            self._changed = asyncio.Event()

    async def _shutdown(self) -> None:
        async with self._switching:  # a switch in flight finishes first, then sees "stopped"
            if self._server is not None:
                self._server.close()
                self._server = None
        for link in list(self._links):
            link.reset()
        tasks = set(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=CONTROL_TIMEOUT)
        await asyncio.sleep(0)  # let the transports' scheduled closes run before the loop stops

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Our own task, not start_server's: 3.11 logs a spurious error when that one is cancelled.
        task = asyncio.get_running_loop().create_task(self._handle(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        link = _Link(writer)
        with self._lock:
            self._connections_total += 1
        if self._mode is Mode.REFUSE or len(self._links) >= self._max_connections:
            link.reset()
            return
        self._links.add(link)
        try:
            pending = bytearray()
            if await self._hold(reader, pending) is None or link.dropped:
                return
            dial = asyncio.open_connection(*self._upstream, limit=self._buffer_size)
            up_reader, up_writer = await asyncio.wait_for(dial, CONNECT_TIMEOUT)
            link.upstream = up_writer
            if link.dropped:  # refused while dialling: the upstream half goes too
                link.reset()
                return
            await asyncio.gather(
                self._pump(link, reader, up_writer, pending),
                self._pump(link, up_reader, writer, bytearray()),
            )
        except OSError:  # upstream unreachable (or dial timed out): like a dead peer, reset
            link.reset()
        finally:
            link.close()
            self._links.discard(link)

    async def _hold(self, src: asyncio.StreamReader, pending: bytearray) -> Mode | None:
        """Wait out a blackhole, buffering at most one buffer from src; None if src closes."""
        while self._mode is Mode.BLACKHOLE:
            changed = asyncio.ensure_future(self._changed.wait())
            room = self._buffer_size - len(pending)
            # Reading while held notices a client that gave up, freeing its slot; the cap keeps
            # the rest in kernel buffers, where a real partition keeps it, so nothing is lost.
            reading = asyncio.ensure_future(src.read(room)) if room > 0 else None
            waiters = {changed} if reading is None else {changed, reading}
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
                await asyncio.wait(waiters)  # a cancelled read must end before src is read again
            if reading is not None and not reading.cancelled():
                data = reading.result()
                if not data:
                    return None
                pending += data
        return self._mode

    async def _pump(
        self, link: _Link, src: asyncio.StreamReader, dst: asyncio.StreamWriter, pending: bytearray
    ) -> None:
        try:
            while True:
                if not pending:
                    data = await src.read(self._buffer_size)
                    if not data:
                        if dst.can_write_eof():  # half-close: the other direction may go on
                            dst.write_eof()
                        return
                    pending += data
                mode = await self._hold(src, pending)
                if mode is None:
                    link.close()
                    return
                if mode in (Mode.RESET, Mode.REFUSE):
                    link.reset()
                    return
                if mode is Mode.LATENCY:
                    await asyncio.sleep(self._latency_ms / 1000)
                dst.write(bytes(pending))
                pending.clear()
                await dst.drain()
        except OSError:  # one side broke: the other side sees a reset, as it would directly
            link.reset()
