"""Tests for twelve.lint.facts.procfile: process types with lines, and the shared helpers."""

from __future__ import annotations

from pathlib import Path

from twelve.lint.facts import procfile
from twelve.lint.facts.files import walk
from twelve.lint.facts.parse import ParseProblem, dig, nearest_line, read_text
from twelve.lint.facts.procfile import ProcfileEntry


def test_entries_keep_their_lines_and_skip_comments_and_blanks(tmp_path: Path) -> None:
    """Each `name: command` is an entry on its own line; comments and blank lines are skipped."""
    (tmp_path / "Procfile").write_text(
        "# processes\n\nweb: gunicorn app:app --bind 0.0.0.0:$PORT\n"
        "worker:python -m app.worker\n  release: python manage.py migrate  \n"
    )
    found = procfile.collect(tmp_path, walk(tmp_path))
    assert found is not None
    assert found.entries == (
        ProcfileEntry("web", "gunicorn app:app --bind 0.0.0.0:$PORT", 3),
        ProcfileEntry("worker", "python -m app.worker", 4),
        ProcfileEntry("release", "python manage.py migrate", 5),
    )
    assert found.problems == ()
    assert found.get("worker") == ProcfileEntry("worker", "python -m app.worker", 4)
    assert found.get("clock") is None


def test_lines_that_are_not_entries_are_problems() -> None:
    """A line without `name:` or without a command is reported, and the rest still parses."""
    found = procfile.parse("web gunicorn app\nweb:\nweb: first\nweb: second\n")
    assert found.problems == (
        ParseProblem("Procfile", 1, "expected `name: command`"),
        ParseProblem("Procfile", 2, "expected `name: command`"),
    )
    assert found.get("web") == ProcfileEntry("web", "second", 4)


def test_only_the_root_procfile_counts(tmp_path: Path) -> None:
    """A Procfile below the root is not the app's; no root Procfile means None."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Procfile").write_text("web: x\n")
    assert procfile.collect(tmp_path, walk(tmp_path)) is None


def test_read_text_replaces_bad_bytes_and_reports_unreadable_files(tmp_path: Path) -> None:
    """Undecodable bytes become U+FFFD; a missing file is a problem, not an exception."""
    (tmp_path / "x").write_bytes(b"a\xffb")
    assert read_text(tmp_path, "x") == "a\ufffdb"
    assert read_text(tmp_path, "missing") == ParseProblem(
        "missing", None, "cannot read: No such file or directory"
    )


def test_nearest_line_falls_back_to_ancestors_then_default() -> None:
    """The line of the longest known prefix of a path, else the default."""
    lines = {("a",): 2, ("a", "b"): 3, ("a", "b", 0): 4}
    assert nearest_line(lines, ("a", "b", 0), 1) == 4
    assert nearest_line(lines, ("a", "b", 5, "c"), 1) == 3
    assert nearest_line(lines, ("z",), 7) == 7


def test_dig_returns_none_off_the_path() -> None:
    """dig() follows mapping keys and stops at anything that is not a mapping."""
    data = {"a": {"b": [1]}, "c": 1}
    assert dig(data, ("a", "b")) == [1]
    assert dig(data, ("c", "d")) is None
    assert dig(data, ("x",)) is None
