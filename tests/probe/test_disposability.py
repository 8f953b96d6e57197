"""Tests for the shared steps of the factor IX probes: exit judgement, in-flight reads, bodies."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from tests.probe.script_service import script_service
from twelve.model import CheckInconclusive
from twelve.probe.clock import SystemClock
from twelve.probe.context import ProbeContext, ProbeSettings, RunRecord
from twelve.probe.instance import Exchange, Instance
from twelve.probe.probes.f09_disposability._loopback import no_answer
from twelve.probe.probes.f09_disposability._shutdown import Exit, InflightRequest
from twelve.probe.probes.f09_disposability.readiness_endpoint import judge, says_not_ready

TERM = signal.SIGTERM
NO_HANDLER = "no graceful handler (accepted only with --lenient-exit)"


@pytest.mark.parametrize(
    ("code", "lenient", "problem"),
    [
        (0, False, None),
        (143, True, None),
        (-15, True, None),
        (
            143,
            False,
            f"killed by SIGTERM (exit 143) after 1.50 s: {NO_HANDLER}",
        ),
        (
            -15,
            False,
            f"killed by SIGTERM (exit -15) after 1.50 s: {NO_HANDLER}",
        ),
        (1, True, "exited 1 after 1.50 s (expected 0)"),
        (130, True, "exited 130 after 1.50 s (expected 0)"),
        (None, True, "still running 1.50 s after SIGTERM (limit 1.5 s): needed SIGKILL"),
    ],
)
def test_exit_codes_are_judged_against_the_signal(
    code: int | None, lenient: bool, problem: str | None
) -> None:
    """0 is graceful; 128+N and -N only with lenient exit, and only for the signal sent."""
    assert Exit(TERM, code, 1.5, 1.5).problem(lenient=lenient) == problem


def test_sigint_lenient_codes_are_130_and_minus_2() -> None:
    """With SIGINT, lenient exit accepts 130 and -2, not SIGTERM's 143."""
    assert Exit(signal.SIGINT, 130, 0.2, 5).problem(lenient=True) is None
    assert Exit(signal.SIGINT, -2, 0.2, 5).problem(lenient=True) is None
    assert Exit(signal.SIGINT, 143, 0.2, 5).problem(lenient=True) is not None


def test_a_pass_message_carries_the_measured_time_and_the_limit() -> None:
    """The summary is terse and has numbers."""
    assert Exit(TERM, 0, 1.2109, 5).summary() == "exited 0 after 1.21 s (limit 5 s)"


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ('{"status": "down"}', "down"),
        ('{"status": "DOWN", "components": {}}', "DOWN"),
        ('{"Status": "OUT_OF_SERVICE"}', "OUT_OF_SERVICE"),
        ('{"state": "not ready"}', "not ready"),
        ('{"ready": false}', "ready: false"),
        ("unhealthy: database", "unhealthy"),
        ("FAIL", "FAIL"),
        ('{"status": "ok", "errors": 0, "failures": []}', None),
        ('{"status": "UP"}', None),
        ("ok", None),
        ("", None),
        ("0 errors, no failures", None),
        ("[1, 2]", None),
    ],
)
def test_says_not_ready_reads_state_fields_and_words(body: str, word: str | None) -> None:
    """JSON by its top-level state fields only; text by whole words."""
    assert says_not_ready(body) == word


def _answer(status: int | None, body: str = "", **headers: str) -> Exchange:
    return Exchange(0.0, "GET", "/readyz", status, headers, body, None, 0.01)


def test_readiness_answers_are_judged_by_status_then_body() -> None:
    """5xx and no answer are fine; 3xx, 4xx and 2xx-saying-down are not."""
    assert judge(_answer(503, '{"status": "starting"}')) is None
    assert judge(_answer(None)) is None
    assert judge(_answer(200, '{"status": "ok"}')) is None
    assert judge(_answer(302, location="/login")) == "readiness answered 302 to /login"
    assert judge(_answer(404)) == "readiness answered 404 (expected 5xx when not ready)"
    assert judge(_answer(200, '{"status": "down"}')) == (
        "readiness answered 200 with a body saying 'down'"
    )


@pytest.mark.parametrize(
    ("error", "how"),
    [
        ("ConnectError: [Errno 111] Connection refused", "refused"),
        ("ConnectTimeout: timed out", "connect timed out"),
        ("ReadTimeout: timed out", "not answered"),
        ("RemoteProtocolError: Server disconnected without sending a response.", "closed"),
        ("ReadError: [Errno 104] Connection reset by peer", "closed"),
    ],
)
def test_no_answer_names_the_way_a_request_failed(error: str, how: str) -> None:
    """Refused, timed out and closed are told apart: only a timeout is a hang."""
    assert no_answer(error).startswith(how)


SERVER = r"""
import os, socket, threading, time

def head(length, chunked=False):
    size = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}"
    return f"HTTP/1.1 200 OK\r\n{size}\r\nConnection: close\r\n\r\n".encode()

BODY = b"x" * 1000
ROUTES = {
    "/full": head(1000) + BODY,
    "/cut": head(1000) + BODY[:500],
    "/chunked": head(0, True) + b"3e8\r\n" + BODY + b"\r\n0\r\n\r\n",
    "/chunked-cut": head(0, True) + b"3e8\r\n" + BODY + b"\r\n",
    "/missing": b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
}

def handle(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return conn.close()
        data += chunk
    path = data.split(b" ")[1].decode()
    if path not in ("/readyz", "/fast"):
        time.sleep(0.8)
    conn.sendall(ROUTES.get(path, head(2) + b"ok"))
    conn.close()

listener = socket.create_server(("127.0.0.1", int(os.environ["PORT"])))
print("listening", flush=True)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
"""


@pytest.fixture(scope="module")
def cutter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, ProbeContext]]:
    """A ready service whose routes end their bodies whole or cut, and the probe context."""
    root = tmp_path_factory.mktemp("cutter")
    service = script_service(root, "cutter", SERVER)
    ctx = ProbeContext(RunRecord(), SystemClock(), ProbeSettings(), "test")
    with ctx.ready_instance(service) as instance:
        yield instance, ctx


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/full", None),
        ("/chunked", None),
        ("/cut", "got 200 but the body was cut at 500 of 1000 bytes"),
        ("/chunked-cut", "got 200 but the body was cut at 1000 bytes"),
        ("/missing", "answered 404"),
    ],
)
def test_an_inflight_response_must_arrive_whole(
    cutter: tuple[Instance, ProbeContext], path: str, problem: str | None
) -> None:
    """A short Content-Length body or a missing last chunk is a cut body, even with a 200."""
    instance, ctx = cutter
    inflight = InflightRequest(instance, f"GET {path}", ctx, timeout=5.0)
    inflight.start_in_flight()
    assert inflight.join(5.0)
    assert inflight.problem() == problem
    assert inflight.exchange is not None
    assert (instance.label, inflight.exchange) in ctx.record.exchanges


@pytest.mark.slow
def test_a_request_that_ends_before_the_signal_is_inconclusive(
    cutter: tuple[Instance, ProbeContext],
) -> None:
    """A drain_request answered at once cannot show anything about a shutdown."""
    instance, ctx = cutter
    inflight = InflightRequest(instance, "GET /fast", ctx, timeout=5.0)
    with pytest.raises(CheckInconclusive, match="was not in flight at the signal: answered 200"):
        inflight.start_in_flight()
