"""Where log lines go: one swappable stream shared by structlog and stdlib logging."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import sys
import threading
import time
from collections.abc import Mapping
from typing import IO, Any

from twelve.kit.redact import REDACTOR


class Sink:
    """A line writer whose target stream can be swapped (for `capture_logs`), thread-safe.

    Each line is written with its newline in one call and flushed at once: a platform
    reading the pipe sees whole lines, and nothing is lost when the process is killed.
    A stream backed by a file descriptor (stdout, stderr, a file) gets one `os.write` per
    line, past Python's buffer, which is a third of the cost of write plus flush.
    """

    __slots__ = ("_fd", "_file", "_lock")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._file: IO[bytes] = _binary(sys.stdout)
        self._fd = _descriptor(self._file)

    @property
    def current(self) -> IO[bytes]:
        """The stream lines go to."""
        return self._file

    def target(self, stream: IO[bytes] | IO[str]) -> IO[bytes]:
        """Write to `stream` from now on; returns the previous target.

        Args:
            stream: a binary stream, or a text stream (its buffer is used when it has one).
        """
        with self._lock:
            previous, self._file = self._file, _binary(stream)
            with contextlib.suppress(ValueError, OSError):
                previous.flush()  # what it buffered before goes out before our next line
            self._fd = _descriptor(self._file)
        return previous

    def write(self, line: bytes) -> None:
        """Write one line (without its newline) and flush.

        A closed or broken stream (the reader went away) drops the line: there is nowhere
        else a platform would read it from.
        """
        data = line + b"\n"
        # acquire/release and try/except, not `with` and contextlib.suppress: this runs for
        # every line, and the context managers would cost as much as the write itself.
        self._lock.acquire()
        try:
            if self._fd is None:
                self._file.write(data)
                self._file.flush()
                return
            written = os.write(self._fd, data)
            while written < len(data):  # a signal can cut a write to a pipe short
                data = data[written:]
                written = os.write(self._fd, data)
        except (ValueError, OSError):
            return
        finally:
            self._lock.release()

    def flush(self) -> None:
        """Flush the target."""
        with self._lock:
            self._file.flush()

    def logger(self, name: str = "app", *_args: Any) -> SinkLogger:
        """structlog's logger factory: a logger named `name` writing rendered bytes here."""
        return SinkLogger(self, name)


class SinkLogger:
    """The wrapped logger structlog calls with the rendered bytes (like `BytesLogger`)."""

    __slots__ = ("_sink", "name")

    def __init__(self, sink: Sink, name: str) -> None:
        self._sink = sink
        self.name = name

    def msg(self, message: bytes) -> None:
        """Write one rendered line."""
        self._sink.write(message)

    log = debug = info = warn = warning = msg
    error = critical = exception = fatal = failure = msg


class _TextAdapter(io.RawIOBase):
    """Writes bytes to a text stream that has no binary buffer (e.g. `io.StringIO`)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._stream.write(bytes(data).decode("utf-8", errors="replace"))
        return len(data)

    def flush(self) -> None:
        self._stream.flush()


def rfc3339(created: float) -> str:
    """A `time.time()` value as an RFC 3339 UTC timestamp with microseconds."""
    seconds = int(created)
    return f"{utc_second(seconds)[0]}.{int((created - seconds) * 1_000_000):06d}Z"


def now_rfc3339() -> str:
    """The current time as an RFC 3339 UTC timestamp with microseconds."""
    return rfc3339(time.time())


@functools.lru_cache(maxsize=4)
def utc_second(seconds: int) -> tuple[str, bytes]:
    """`YYYY-MM-DDTHH:MM:SS` of a whole second, as text and as bytes.

    The date part changes once a second: it is formatted then only (lru_cache is
    thread-safe and, on a hit, costs no Python frame).

    Args:
        seconds: whole seconds since the epoch (UTC).
    """
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return text, text.encode()


def emergency_event(message: str, fields: Mapping[str, object], readable: str) -> None:
    """Before (or without) `setup_logging`: one JSON event and one readable line on stderr.

    Needs neither structlog nor the config, so a startup failure is reported fast.

    Args:
        message: the event message.
        fields: its fields (never values of secret keys).
        readable: the same for people.
    """
    event = {
        "timestamp": now_rfc3339(),
        "level": "error",
        "message": message,
        "logger": "twelve.kit",
        **fields,
    }
    out = sys.stderr
    # The standard library's json: a start that fails on its config exits before anything
    # imports orjson, and is the faster for it.
    text = json.dumps(event, default=str, separators=(",", ":"), ensure_ascii=False)
    out.write(REDACTOR.line(text.encode()).decode() + "\n")
    out.write(f"error: {REDACTOR.text(readable)}\n")
    out.flush()


def _descriptor(stream: IO[bytes]) -> int | None:
    """The file descriptor to write to directly, once `stream`'s own buffer is flushed."""
    try:
        stream.flush()
        return stream.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def _binary(stream: IO[bytes] | IO[str]) -> IO[bytes]:
    if isinstance(stream, io.TextIOBase) or hasattr(stream, "encoding"):
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            return buffer  # type: ignore[no-any-return]
        return _TextAdapter(stream)  # type: ignore[arg-type, return-value]
    return stream  # type: ignore[return-value]


SINK = Sink()  # the process's log stream: stdout unless `setup_logging` names another
