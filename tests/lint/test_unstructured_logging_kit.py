"""S1103 counts twelve.kit as a structured logger: it routes stdlib logging to JSON lines."""

from __future__ import annotations

from pathlib import Path

from tests.lint.test_engine import findings, run

QUIET_ALEMBIC = 'import logging\n\nlogging.getLogger("alembic").setLevel(logging.WARNING)\n'


def test_stdlib_logging_in_a_kit_service_is_structured(tmp_path: Path) -> None:
    """A kit service that tunes a library's stdlib logger logs JSON all the same."""
    (tmp_path / "app.py").write_text("from twelve import kit\n\n" + QUIET_ALEMBIC)
    report = run(tmp_path, select=["S1103"])
    assert findings(report) == []
    assert [r.outcome.value for r in report.results] == ["pass"]


def test_stdlib_logging_without_the_kit_is_not(tmp_path: Path) -> None:
    """The same code without the kit has no structured logger."""
    (tmp_path / "app.py").write_text(QUIET_ALEMBIC)
    assert findings(run(tmp_path, select=["S1103"])) == ["S1103 app.py"]
