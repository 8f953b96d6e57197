"""The file pass: worker processes find exactly what one process finds."""

from __future__ import annotations

import threading
from pathlib import Path

from twelve import catalogue
from twelve.lint.facts.code import declared_patterns
from twelve.lint.facts.files import walk
from twelve.lint.facts.scan import PARALLEL_MIN_BYTES, Scan, ScanResult

catalogue.load()  # rule modules declare their patterns on import

MODULE = """\
import os
import logging

log = logging.getLogger(__name__)
DATABASE_URL = os.environ["DATABASE_URL"]
API_KEY = "sk_live_{n:020d}abcdefghij"


def handler(token):
    log.info("token %s", token)
    print("served", os.getenv("PORT_{n}"))
    return "http://localhost:{port}/healthz"
"""


def summary(result: ScanResult) -> tuple[object, ...]:
    matches = {key: [(m.path, m.line, m.column, dict(m.captures)) for m in found]
               for key, found in result.matches.items()}  # fmt: skip
    secrets = [(s.hit.path, s.hit.line, s.hit.kind, s.snippet) for s in result.secrets]
    return matches, secrets, sorted(result.unreadable), sorted(result.broken_patterns)


def test_worker_processes_find_what_one_process_finds(tmp_path: Path) -> None:
    """Above the parallel threshold two workers give the same matches, in the same order."""
    per_file = 100_000
    count = PARALLEL_MIN_BYTES // per_file + 5
    padding = "".join(f"VALUE_{i:05d} = {i:05d}\n" for i in range(per_file // 20))
    for n in range(count):
        (tmp_path / f"mod{n:03d}.py").write_text(MODULE.format(n=n, port=8000 + n) + padding)
    tree = walk(tmp_path)
    assert sum(f.size for f in tree.files) > PARALLEL_MIN_BYTES
    with Scan(tmp_path, tree.files, declared_patterns(), jobs=2) as pending:
        parallel = pending.result()
    with Scan(tmp_path, tree.files, declared_patterns(), jobs=1) as pending:
        inline = pending.result()
    assert summary(parallel) == summary(inline)
    assert len(parallel.matches["env-read"]) == 2 * count
    assert [(m.path, m.line) for m in parallel.matches["print-call"]][:2] == [
        ("mod000.py", 11),
        ("mod001.py", 11),
    ]
    assert len(parallel.secrets) == count


def test_workers_start_from_a_forkserver_once_threads_run(tmp_path: Path) -> None:
    """With another thread alive (as under `twelve check`) the pool uses forkserver: same result."""
    count = PARALLEL_MIN_BYTES // 100_000 + 5
    padding = "".join(f"VALUE_{i:05d} = {i:05d}\n" for i in range(5_000))
    for n in range(count):
        (tmp_path / f"mod{n:03d}.py").write_text(MODULE.format(n=n, port=8000 + n) + padding)
    tree = walk(tmp_path)
    stop = threading.Event()
    waiter = threading.Thread(target=stop.wait, args=(60,))
    waiter.start()
    try:
        with Scan(tmp_path, tree.files, declared_patterns(), jobs=2) as pending:
            result = pending.result()
    finally:
        stop.set()
        waiter.join(timeout=5)
    assert [(m.path, m.line) for m in result.matches["print-call"]] == [
        (f"mod{n:03d}.py", 11) for n in range(count)
    ]
