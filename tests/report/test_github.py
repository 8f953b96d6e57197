"""The github format: workflow commands that become annotations on the pull request."""

from __future__ import annotations

from dataclasses import replace

from twelve.model import Location, Outcome, Report
from twelve.report import Format, render
from twelve.report.github import escape_data, escape_property


def test_one_command_per_failure_or_error_verbatim(report: Report) -> None:
    """Level by severity; file/line/col/endLine/endColumn only when known; `%` escaped."""
    assert render(report, Format.GITHUB).splitlines() == [
        "::error file=src/app/settings.py,line=12,col=7,endLine=12,endColumn=58,"
        "title=S0301 literal-dsn::literal DSN `postgresql://app:********@db/app`",
        "::warning file=config/prod%2Ceu%3A1.env,line=3,"
        "title=S0302 literal-config-value::`API_KEY` literal in 2 envs: 100%25 | prod,eu",
        "::error title=P0902 graceful-sigterm::still running 10.00 s after SIGTERM; killed",
        "::warning title=P0401 backing-service-timeout (check error)"
        "::check crashed: KeyError at proxy.py:88",
        "::notice file=src/app/logging.py,title=S1101 log-to-file::log written to a file: app.log",
    ]


def test_no_findings_no_commands(report: Report) -> None:
    """Passes, n/a and inconclusive results produce no annotation at all."""
    quiet = report.with_results(r for r in report.results if not r.is_finding)
    assert render(quiet, Format.GITHUB) == ""


def test_newlines_in_a_message_cannot_start_a_new_command(report: Report) -> None:
    """A message with CR/LF stays one line, so it cannot smuggle in another command;
    a CR is spelled out like every control character."""
    forged = replace(report.results[1], message="bad\r\n::warning::forged 50%")
    line = render(report.with_results([forged]), Format.GITHUB)
    assert line == (
        "::error file=src/app/settings.py,line=12,col=7,endLine=12,endColumn=58,"
        "title=S0301 literal-dsn::bad\\x0d%0A::warning::forged 50%25\n"
    )


def test_column_without_line_is_dropped(report: Report) -> None:
    """A column means nothing without its line; the file alone is kept."""
    odd = replace(report.results[1], location=Location("a.py", column=4), outcome=Outcome.FAIL)
    assert render(report.with_results([odd]), Format.GITHUB) == (
        "::error file=a.py,title=S0301 literal-dsn::literal DSN `postgresql://app:********@db/app`\n"
    )


def test_escaping_follows_the_actions_toolkit() -> None:
    """Data escapes `%`, CR and LF; properties also escape `:` and `,`."""
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext%3A a%2Cb"
