"""Nothing outlives `twelve probe` when it is interrupted mid-run (Ctrl-C or SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

from twelve.probe.harness import RUN_ID_VAR
from twelve.probe.teardown import MARKER_VAR

SERVICE = Path(__file__).parent.parent / "fixtures" / "services" / "py-prefork"


def marked_processes(run_id: str) -> list[int]:
    """Live (non-zombie) processes started by one twelve run, found by their env marker."""
    found = []
    for process in psutil.process_iter(["pid", "status"]):
        try:
            if process.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if process.environ().get(MARKER_VAR, "").startswith(run_id):
                found.append(process.pid)
        except psutil.Error:
            continue
    return found


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_probe_run_leaves_no_process(sig: signal.Signals) -> None:
    """A pre-forking service's master and workers are all gone after twelve is interrupted."""
    run_id = f"interrupt-test-{uuid.uuid4().hex[:8]}-"
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "PATH": path, RUN_ID_VAR: run_id}
    twelve = subprocess.Popen(
        [sys.executable, "-m", "twelve", "probe", str(SERVICE), "-q"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while len(marked_processes(run_id)) < 6 and time.monotonic() < deadline:
            time.sleep(0.1)  # mid-run: several instances, each a master with two workers
        assert len(marked_processes(run_id)) >= 6, "the probe run never got going"
        twelve.send_signal(sig)
        code = twelve.wait(timeout=30)
    finally:
        if twelve.poll() is None:
            os.killpg(twelve.pid, signal.SIGKILL)
            twelve.wait()
    assert code == 128 + sig or code == -sig
    deadline = time.monotonic() + 5
    while marked_processes(run_id) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marked_processes(run_id) == []
