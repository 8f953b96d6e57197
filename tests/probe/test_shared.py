"""What the probes of one run share: the kept ready instance, and scenarios run once."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.probe.script_service import script_service
from twelve.probe.clock import SystemClock
from twelve.probe.context import (
    ProbeAborted,
    ProbeContext,
    ProbeSettings,
    ProcessUnderTest,
    RunRecord,
    RunShared,
)

SERVER = """
import http.server, os
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")
print("serving", flush=True)
http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
"""


def _service(root: Path) -> ProcessUnderTest:
    return script_service(root, "shared", SERVER, 'liveness = "/"\n')


def test_the_kept_instance_serves_every_user_and_stops_after_the_last(tmp_path: Path) -> None:
    """Probes get the kept instance without owning it; the last release stops it."""
    service = _service(tmp_path)
    record, shared = RunRecord(), RunShared()
    keeper = ProbeContext(record, SystemClock(), ProbeSettings(), "preflight", shared=shared)
    stop = ExitStack()
    kept = stop.enter_context(keeper.ready_instance(service))
    shared.keep("web", kept, stop, users=2)
    try:
        for name in ("first", "second"):
            ctx = ProbeContext(record, SystemClock(), ProbeSettings(), name, shared=shared)
            with ctx.shared_instance(service) as instance:
                assert instance is kept
                assert not ctx.owns(instance)
                assert instance.request("GET", "/").status == 200
            assert kept.proc.poll() is None, "still kept while a user is left"
            shared.release("web")
        assert kept.proc.poll() is not None
        assert any(line.text == "serving" for _, line in record.outputs)
    finally:
        stop.close()


def test_without_a_kept_instance_a_probe_gets_its_own(tmp_path: Path) -> None:
    """No instance kept (or it died): a fresh ready one, owned and stopped by the probe."""
    service = _service(tmp_path)
    ctx = ProbeContext(RunRecord(), SystemClock(), ProbeSettings(), "alone")
    with ctx.shared_instance(service) as instance:
        assert ctx.owns(instance)
        assert instance.request("GET", "/").status == 200
    assert instance.proc.poll() is not None


def test_a_scenario_runs_once_for_every_probe_asking() -> None:
    """Concurrent askers wait for the first one's run and all get its result."""
    shared = RunShared()
    runs: list[int] = []

    def scenario() -> str:
        runs.append(1)
        time.sleep(0.3)
        return "lines"

    results: list[str] = []

    def ask() -> None:
        results.append(shared.once("logs", scenario, threading.Event(), "probe"))

    askers = [threading.Thread(target=ask) for _ in range(3)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join(timeout=5.0)
    assert (runs, results) == ([1], ["lines"] * 3)


def test_a_failed_scenario_fails_every_asker() -> None:
    """The first run's exception reaches every probe asking, without a second run."""
    shared = RunShared()
    runs: list[int] = []

    def scenario() -> str:
        runs.append(1)
        raise RuntimeError("no start")

    for _ in range(2):
        with pytest.raises(RuntimeError, match="no start"):
            shared.once("logs", scenario, threading.Event(), "probe")
    assert runs == [1]


def test_an_aborted_probe_stops_waiting_for_a_scenario() -> None:
    """A waiter whose probe the runner stopped gives up instead of waiting on."""
    shared = RunShared()
    release = threading.Event()
    first = threading.Thread(
        target=shared.once, args=("logs", release.wait, threading.Event(), "first")
    )
    first.start()
    time.sleep(0.1)  # the first asker runs the scenario; the second one waits for it
    aborted = threading.Event()
    threading.Timer(0.2, aborted.set).start()
    try:
        with pytest.raises(ProbeAborted, match="second was stopped by the runner"):
            shared.once("logs", lambda: True, aborted, "second")
    finally:
        release.set()
        first.join(timeout=5.0)
