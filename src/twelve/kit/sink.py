"""Where log lines go: one swappable stream shared by structlog and stdlib logging."""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from twelve.kit.redact import REDACTOR


class Sink:
    """A line writer whose target stream can be swapped (for `capture_logs`), thread-safe.

    Each line is written with its newline in one call and flushed at once: a platform
    reading the pipe sees whole lines, and nothing is lost when the process is killed.
    """

    __slots__ = ("_file", "_lock")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._file: IO[bytes] = _binary(sys.stdout)

    def target(self, stream: IO[bytes] | IO[str]) -> IO[bytes]:
        """Write to `stream` from now on; returns the previous target.

        Args:
            stream: a binary stream, or a text stream (its buffer is used when it has one).
        """
        with self._lock:
            previous, self._file = self._file, _binary(stream)
        return previous

    def write(self, line: bytes) -> None:
        """Write one line (without its newline) and flush."""
        with self._lock:
            self._file.write(line + b"\n")
            self._file.flush()

    def flush(self) -> None:
        """Flush the target."""
        with self._lock:
            self._file.flush()

    def logger(self, *_args: Any) -> SinkLogger:
        """structlog's logger factory: a logger that writes rendered bytes here."""
        return SinkLogger(self)


class SinkLogger:
    """The wrapped logger structlog calls with the rendered bytes (like `BytesLogger`)."""

    __slots__ = ("_sink",)

    def __init__(self, sink: Sink) -> None:
        self._sink = sink

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
    return datetime.fromtimestamp(created, UTC).isoformat().replace("+00:00", "Z")


def emergency_event(message: str, fields: Mapping[str, object], readable: str) -> None:
    """Before (or without) `setup_logging`: one JSON event and one readable line on stderr.

    Needs neither structlog nor the config, so a startup failure is reported fast.

    Args:
        message: the event message.
        fields: its fields (never values of secret keys).
        readable: the same for people.
    """
    event = {
        "timestamp": rfc3339(datetime.now(UTC).timestamp()),
        "level": "error",
        "message": message,
        "logger": "twelve.kit",
        **fields,
    }
    out = sys.stderr
    out.write(REDACTOR.line(orjson.dumps(event, default=str)).decode() + "\n")
    out.write(f"error: {REDACTOR.text(readable)}\n")
    out.flush()


def _binary(stream: IO[bytes] | IO[str]) -> IO[bytes]:
    if isinstance(stream, io.TextIOBase) or hasattr(stream, "encoding"):
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            return buffer  # type: ignore[no-any-return]
        return _TextAdapter(stream)  # type: ignore[arg-type, return-value]
    return stream  # type: ignore[return-value]


SINK = Sink()  # the process's log stream: stdout unless `setup_logging` names another
