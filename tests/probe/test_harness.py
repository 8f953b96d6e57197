"""Tests for the process harness (twelve.probe.harness, .ports, .teardown), on real processes."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from twelve.probe.clock import FakeClock
from twelve.probe.harness import (
    OutputLine,
    ServiceProcess,
    TimelineEvent,
    expand_command,
    format_timeline,
)
from twelve.probe.ports import HttpReadiness, free_port
from twelve.probe.teardown import MARKER_VAR, StopResult, live_markers, teardown_all

SCRIPTS = Path(__file__).parent / "scripts"
ENV = {key: value for key, value in os.environ.items() if key != MARKER_VAR}

pytestmark = pytest.mark.slow


def script(name: str, *args: str) -> list[str]:
    """Return argv running one of the child-service scripts with this interpreter."""
    return [sys.executable, str(SCRIPTS / name), *args]


def eventually(predicate: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    """Poll `predicate` in real time until it holds or `timeout_s` passes."""
    end = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True


def wait_for_line(service: ServiceProcess, text: str) -> list[OutputLine]:
    """Wait until `service` printed a line equal to `text`; return the output so far."""
    assert eventually(lambda: any(line.text == text for line in service.output())), text
    return service.output()


def child_pids(output: list[OutputLine]) -> dict[str, int]:
    """Return role -> pid from forker.py's "child ROLE PID" lines (children report in any order)."""
    words = [line.text.split() for line in output if line.text.startswith("child ")]
    return {role: int(pid) for _, role, pid in words}


def alive(proc: psutil.Process) -> bool:
    """Return True if `proc` (pid reuse checked by psutil) runs and is not a zombie."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def survivors(procs: list[psutil.Process], timeout_s: float = 5.0) -> list[int]:
    """Wait up to `timeout_s` for all of `procs` to die; return the pids still alive."""
    eventually(lambda: not any(alive(proc) for proc in procs), timeout_s)
    return [proc.pid for proc in procs if alive(proc)]


def marked(marker: str) -> list[int]:
    """Return live pids whose environment carries `marker`, read independently of the harness."""
    pids = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(MARKER_VAR) == marker and alive(proc):
                pids.append(proc.pid)
        except psutil.Error:
            continue
    return pids


@pytest.fixture(autouse=True)
def _nothing_leaks() -> Iterator[None]:
    """Kill whatever a failing test left running, so one failure does not cascade."""
    yield
    teardown_all(grace_s=0.0)


@pytest.fixture
def sleeper() -> Iterator[ServiceProcess]:
    """A service that only sleeps: alive, listening on nothing."""
    with ServiceProcess([sys.executable, "-c", "import time; time.sleep(30)"], ENV) as service:
        yield service


# expand_command ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "env", "argv"),
    [
        ("web --port $PORT", {"PORT": "8080"}, ["web", "--port", "8080"]),
        ("run ${NAME}x", {"NAME": "app"}, ["run", "appx"]),
        ('echo "a b" $UNSET', {}, ["echo", "a b", ""]),
        ("run $ARGS", {"ARGS": "a b"}, ["run", "a b"]),
        ("serve ${PORT:-5000}", {}, ["serve", "5000"]),
        ("serve ${PORT:-5000}", {"PORT": ""}, ["serve", "5000"]),
        ("serve ${PORT-5000}", {"PORT": ""}, ["serve", ""]),
        ("serve ${PORT-5000}", {"PORT": "81"}, ["serve", "81"]),
        ("price $5 and $ alone", {}, ["price", "$5", "and", "$", "alone"]),
        (["bin", "--url=$HOST:${PORT}"], {"HOST": "h", "PORT": "1"}, ["bin", "--url=h:1"]),
        (("bin", "$A b"), {"A": "x"}, ["bin", "x b"]),
    ],
)
def test_expand_command(command: str | list[str], env: dict[str, str], argv: list[str]) -> None:
    """Commands split like a shell, then $VAR/${VAR} expand per element; values never re-split."""
    assert expand_command(command, env) == argv


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("", "empty command"),
        ("   ", "empty command"),
        ([], "empty command"),
        ('echo "unclosed', "cannot split command"),
        ("$UNSET arg", "expands to an empty program name"),
    ],
)
def test_expand_command_rejects(command: str | list[str], message: str) -> None:
    """Empty commands, unbalanced quotes and an empty program raise a clear ValueError."""
    with pytest.raises(ValueError, match=message):
        expand_command(command, {})


# ports -------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_free_port_is_bindable(host: str) -> None:
    """free_port(host) returns a port the caller can bind on that loopback address."""
    port = free_port(host)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, port))
        assert sock.getsockname()[1] == port


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.1", "example.com"])
def test_free_port_refuses_non_loopback(host: str) -> None:
    """free_port refuses any host that is not loopback."""
    with pytest.raises(ValueError, match="non-loopback"):
        free_port(host)


# output and timeline -----------------------------------------------------------------------


def test_output_is_captured_per_stream_in_order() -> None:
    """Each line is recorded with its stream, in time order, line endings stripped, bad UTF-8
    replaced, the unterminated last line included; the exit code lands in the timeline."""
    with ServiceProcess(script("lines.py", "script"), ENV) as service:
        assert service.wait_exit(5.0) == 3
    lines = service.output()
    assert [(line.stream, line.text) for line in lines] == [
        ("stdout", "out one"),
        ("stderr", "err one"),
        ("stdout", "out two"),
        ("stderr", "bad \ufffd byte"),
        ("stdout", "no newline at end"),
    ]
    assert [line.text for line in service.output("stderr")] == ["err one", "bad \ufffd byte"]
    times = [line.t for line in lines]
    assert times == sorted(times)
    assert times[0] > 0.0
    assert [event.label for event in service.timeline()] == ["exec", "exit 3"]
    assert service.timeline()[0] == TimelineEvent(0.0, "exec")


def test_output_keeps_only_the_newest_lines_past_the_cap() -> None:
    """With max_lines=10, a 25-line burst keeps lines 15..24 and counts 15 dropped."""
    with ServiceProcess(script("lines.py", "flood", "25"), ENV, max_lines=10) as service:
        assert service.wait_exit(5.0) == 0
    assert [line.text for line in service.output("stdout")] == [f"line {n}" for n in range(15, 25)]
    assert service.dropped("stdout") == 15
    assert service.dropped("stderr") == 0


def test_an_endless_line_is_split_into_bounded_pieces() -> None:
    """A 150,000-character line is stored as pieces of at most 64 KiB."""
    with ServiceProcess(script("lines.py", "long", "150000"), ENV) as service:
        assert service.wait_exit(5.0) == 0
    assert [len(line.text) for line in service.output()] == [65536, 65536, 18928]


def test_format_timeline() -> None:
    """Events render as "+seconds label" with two decimals, separated by two spaces."""
    events = [
        TimelineEvent(0.0, "exec"),
        TimelineEvent(0.214, "listening :41234"),
        TimelineEvent(1.02, "SIGTERM"),
        TimelineEvent(11.02, "SIGKILL"),
        TimelineEvent(11.034, "exit -9"),
    ]
    assert format_timeline(events) == (
        "+0.00 exec  +0.21 listening :41234  +1.02 SIGTERM  +11.02 SIGKILL  +11.03 exit -9"
    )
    assert format_timeline([]) == ""


def test_timeline_of_a_real_process_on_a_fake_clock() -> None:
    """With an injected clock, the timeline of a real service has exact, predictable times."""
    clock = FakeClock(start=500.0)
    port = free_port()
    argv = script("listener.py", "127.0.0.1", str(port), "--ignore-term")
    with ServiceProcess(argv, ENV, clock=clock) as service:
        wait_for_line(service, "listening")
        clock.advance(0.21)
        assert service.wait_listening(port, 1.0)
        clock.advance(0.81)
        assert service.send_signal(signal.SIGTERM)
        clock.advance(10.0)
        assert service.send_signal(signal.SIGKILL)
        clock.advance(0.01)
        assert eventually(lambda: service.poll() is not None)
        assert service.format_timeline() == (
            f"+0.00 exec  +0.21 listening :{port}  +1.02 SIGTERM  +11.02 SIGKILL  +11.03 exit -9"
        )


# readiness ---------------------------------------------------------------------------------


def test_wait_listening_on_ipv6_loopback_only() -> None:
    """A service listening only on ::1 is detected as ready and reported on ::1."""
    port = free_port("::1")
    with ServiceProcess(script("listener.py", "::1", str(port)), ENV) as service:
        assert service.wait_listening(port, 5.0) is True
        assert service.listening_ports() == {("::1", port)}
        assert service.timeline()[-1].label == f"listening :{port}"


def test_listening_ports_finds_a_child_on_another_port() -> None:
    """A child listening on a port other than $PORT shows up in listening_ports()."""
    requested, actual = free_port(), free_port()
    assert requested != actual
    argv = script("listener.py", "127.0.0.1", str(actual), "--child")
    with ServiceProcess(argv, {**ENV, "PORT": str(requested)}) as service:
        wait_for_line(service, "listening")
        assert service.wait_listening(requested, 0.2) is False
        assert service.listening_ports() == {("127.0.0.1", actual)}
        assert psutil.Process(service.pid).net_connections() == []  # the leader holds no socket


def test_wait_listening_gives_up_as_soon_as_the_process_exits() -> None:
    """wait_listening returns False right away when the service exits, not at the deadline."""
    started = time.monotonic()
    with ServiceProcess([sys.executable, "-c", "raise SystemExit(4)"], ENV) as service:
        assert service.wait_listening(free_port(), 30.0) is False
        assert service.poll() == 4
    assert time.monotonic() - started < 5.0


def test_wait_listening_deadline_on_a_fake_clock() -> None:
    """On a fake clock, a 30 s readiness deadline passes in 30 fake seconds, not real ones."""
    clock = FakeClock()
    started = time.monotonic()
    with ServiceProcess(
        [sys.executable, "-c", "import time; time.sleep(30)"], ENV, clock=clock
    ) as s:
        assert s.wait_listening(free_port(), 30.0) is False
        assert clock.now() == pytest.approx(30.0)
        s.stop(grace_s=0.0)
    assert time.monotonic() - started < 10.0


def test_wait_http_ok_reports_the_last_status() -> None:
    """wait_http_ok retries through 503s until a 200, and reports the last status on timeout."""
    port = free_port()
    with ServiceProcess(script("http_service.py", str(port), "2"), ENV) as service:
        assert service.wait_listening(port, 5.0)
        ready = service.wait_http_ok(f"http://127.0.0.1:{port}/health", 5.0)
        assert ready == HttpReadiness(ok=True, status=200, error=None)
        down = service.wait_http_ok(f"http://localhost:{port}/down", 0.1)
        assert down == HttpReadiness(ok=False, status=503, error=None)
        assert "http 200 /health" in [event.label for event in service.timeline()]
    assert [line.text for line in service.output("stderr")][:3] == [
        "/health 503",
        "/health 503",
        "/health 200",
    ]


def test_wait_http_ok_reports_the_last_error(sleeper: ServiceProcess) -> None:
    """With nothing listening, wait_http_ok returns the connect error it last saw."""
    result = sleeper.wait_http_ok(f"http://[::1]:{free_port('::1')}/", 0.1)
    assert (result.ok, result.status) == (False, None)
    assert isinstance(result.error, httpx.ConnectError)


@pytest.mark.parametrize(
    "url",
    ["http://192.0.2.1/health", "http://example.com/", "http://[2001:db8::1]/", "ftp://127.0.0.1/"],
)
def test_wait_http_ok_refuses_non_loopback(sleeper: ServiceProcess, url: str) -> None:
    """Only http(s) to a loopback host is probed; anything else is a ValueError, not a request."""
    with pytest.raises(ValueError, match="refusing"):
        sleeper.wait_http_ok(url, 0.1)


# stopping ----------------------------------------------------------------------------------


def test_sigterm_ignored_means_sigkill() -> None:
    """A service that ignores SIGTERM is SIGKILLed after the grace: killed=True, exit -9."""
    port = free_port()
    service = ServiceProcess(script("listener.py", "127.0.0.1", str(port), "--ignore-term"), ENV)
    with service:
        assert service.wait_listening(port, 5.0)
        result = service.stop(grace_s=0.3)
    assert (result.exit_code, result.killed, result.swept) == (-9, True, ())
    assert result.seconds >= 0.3
    events = service.timeline()
    labels = [event.label for event in events]
    assert labels == ["exec", f"listening :{port}", "SIGTERM", "SIGKILL", "exit -9"]
    assert events[3].t - events[2].t >= 0.3
    assert service.marker not in live_markers()


def test_children_that_escape_with_setsid_are_swept() -> None:
    """Children outliving the leader, even in their own session, die and are listed as swept."""
    with ServiceProcess(script("forker.py", "stubborn", "session"), ENV) as service:
        children = child_pids(wait_for_line(service, "ready"))
        stubborn, session = children["stubborn"], children["session"]
        procs = [psutil.Process(pid) for pid in (service.pid, stubborn, session)]
        assert os.getsid(session) == session != service.pid
        result = service.stop(grace_s=1.0)
    swept = tuple(sorted((stubborn, session)))
    assert result == StopResult(-15, killed=False, seconds=result.seconds, swept=swept)
    assert survivors(procs) == []
    labels = [event.label for event in service.timeline()]
    assert labels == ["exec", "SIGTERM", "exit -15", f"swept {swept[0]} {swept[1]}"]


def test_stop_is_idempotent_and_safe_after_exit() -> None:
    """stop() on an exited service returns its exit code, signals nothing, and caches the result."""
    service = ServiceProcess([sys.executable, "-c", "pass"], ENV)
    assert service.marker in live_markers()
    assert service.wait_exit(5.0) == 0
    first = service.stop()
    assert first == StopResult(exit_code=0, killed=False, seconds=first.seconds, swept=())
    assert service.stop() is first
    assert service.send_signal(signal.SIGTERM) is False
    assert [event.label for event in service.timeline()] == ["exec", "exit 0"]
    assert service.marker not in live_markers()


def test_teardown_all_stops_every_live_service() -> None:
    """teardown_all() stops all live services at once, escaped children included."""
    port = free_port()
    stubborn = ServiceProcess(script("listener.py", "127.0.0.1", str(port), "--ignore-term"), ENV)
    forker = ServiceProcess(script("forker.py", "session"), ENV)
    session = child_pids(wait_for_line(forker, "ready"))["session"]
    assert stubborn.wait_listening(port, 5.0)
    procs = [psutil.Process(pid) for pid in (stubborn.pid, forker.pid, session)]
    killed = teardown_all(grace_s=0.2)
    assert session in killed
    assert (stubborn.poll(), forker.poll()) == (-9, -15)
    assert survivors(procs) == []
    assert {stubborn.marker, forker.marker}.isdisjoint(live_markers())


# the orphan test ---------------------------------------------------------------------------


def read_report(driver: subprocess.Popen[bytes]) -> dict[str, object]:
    """Read driver.py's JSON report line, waiting at most 10 s."""
    assert driver.stdout is not None
    readable, _, _ = select.select([driver.stdout], [], [], 10.0)
    assert readable, "driver.py reported nothing"
    report: dict[str, object] = json.loads(driver.stdout.readline())
    return report


@pytest.mark.parametrize(
    ("stdin", "sig", "exit_code"),
    [
        (b"", signal.SIGINT, -signal.SIGINT),  # KeyboardInterrupt: Python re-raises SIGINT
        (b"", signal.SIGTERM, 143),
        (b"exit\n", None, 0),
        (b"crash\n", None, 1),
    ],
    ids=["sigint", "sigterm", "atexit", "crash"],
)
def test_orphan_nothing_outlives_the_driver(stdin: bytes, sig: int | None, exit_code: int) -> None:
    """However twelve ends (Ctrl-C, SIGTERM, normal exit, crash), its service and the
    service's three children, one in its own session, are all dead within 5 s."""
    driver = subprocess.Popen(
        script("driver.py"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        start_new_session=True,
    )
    assert driver.stdin is not None and driver.stderr is not None
    marker = ""
    try:
        report = read_report(driver)
        marker = str(report["marker"])
        children = report["children"]
        assert isinstance(children, list) and len(children) == 3
        procs = [psutil.Process(int(pid)) for pid in [report["service"], *children]]
        assert all(alive(proc) for proc in procs)
        assert sorted(marked(marker)) == sorted(proc.pid for proc in procs)
        if sig is None:
            driver.stdin.write(stdin)
            driver.stdin.flush()
        else:
            driver.send_signal(sig)
        assert driver.wait(timeout=5.0) == exit_code, driver.stderr.read().decode()
        assert survivors(procs) == []
        assert marked(marker) == []
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait(5.0)
        for pid in marked(marker) if marker else []:
            os.kill(pid, signal.SIGKILL)
