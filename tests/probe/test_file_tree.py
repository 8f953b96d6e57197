"""Tests for the service-directory snapshots of no-local-writes (real files in tmp_path)."""

from __future__ import annotations

import os
from pathlib import Path

from twelve.probe.probes.f06_processes._file_tree import changes, snapshot


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_created_changed_and_deleted_files_are_reported(tmp_path: Path) -> None:
    """Each kind of write shows up once, with sizes, in path order."""
    _write(tmp_path / "keep.txt", "same")
    _write(tmp_path / "grow.txt", "a")
    _write(tmp_path / "gone.txt", "x")
    before = snapshot(tmp_path)
    _write(tmp_path / "grow.txt", "abc")
    os.utime(tmp_path / "grow.txt", ns=(1, 1))
    (tmp_path / "gone.txt").unlink()
    _write(tmp_path / "data" / "state.db", "0123456789")
    assert changes(before, snapshot(tmp_path)) == [
        "created data/",
        "created data/state.db (10 bytes)",
        "deleted gone.txt",
        "changed grow.txt (1 -> 3 bytes)",
    ]


def test_skipped_directories_and_bytecode_are_not_looked_at(tmp_path: Path) -> None:
    """Writes under .git, node_modules, target, __pycache__ and *.pyc are ignored, but noted."""
    (tmp_path / ".git").mkdir()
    before = snapshot(tmp_path)
    _write(tmp_path / ".git" / "index", "x")
    _write(tmp_path / "node_modules" / "a" / "b.js", "x")
    _write(tmp_path / "__pycache__" / "m.cpython-311.pyc", "x")
    _write(tmp_path / "pkg" / "m.pyc", "x")
    after = snapshot(tmp_path)
    assert changes(before, after) == ["created pkg/"]
    assert after.skipped == {".git", "node_modules", "__pycache__"}


def test_a_truncated_walk_compares_only_what_both_walks_reached(tmp_path: Path) -> None:
    """With a cap, entries past the shorter walk's last path are not reported as deleted."""
    for name in "abcdef":
        _write(tmp_path / f"{name}.txt", name)
    before = snapshot(tmp_path, max_entries=4)
    assert before.truncated
    assert list(before.entries) == [("a.txt",), ("b.txt",), ("c.txt",), ("d.txt",)]
    _write(tmp_path / "aa.txt", "new")
    after = snapshot(tmp_path, max_entries=4)
    assert changes(before, after) == ["created aa.txt (3 bytes)"]


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    """A symlink to a directory is an entry, not a walk into the target."""
    outside = tmp_path / "outside"
    _write(outside / "big.txt", "x")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    assert list(snapshot(root).entries) == [("link",)]
