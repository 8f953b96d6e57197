"""The text format: grouped by factor, findings with evidence, one summary line."""

from __future__ import annotations

import re
from dataclasses import replace

from twelve.model import Report
from twelve.report import Format, render

EXPECTED = """\
I Codebase  (1 passed)

III Config  (2 failed)
  ✗ S0301 literal-dsn  src/app/settings.py:12:7  literal DSN `postgresql://app:********@db/app`
      12 | DSN = "postgresql://app:********@db/app"
      remediation: Fix literal-dsn.
  ✗ S0302 literal-config-value  config/prod,eu:1.env:3  `API_KEY` literal in 2 envs: 100% | prod,eu
      remediation: Fix literal-config-value.

IV Backing services  (1 error)
  ! P0401 backing-service-timeout  check crashed: KeyError at proxy.py:88

V Build, release, run  (1 not applicable)
  - S0501 pinned-base-image  no Dockerfile

VII Port binding  (1 inconclusive)
  ? P0701 binds-declared-port  port 8080 never accepted a connection

IX Disposability  (1 failed, 1 passed)
  ✗ P0902 graceful-sigterm  still running 10.00 s after SIGTERM; killed
      Timeline:
        0.000 s  started pid 4242
        0.412 s  ready on 127.0.0.1:8080
        0.500 s  SIGTERM sent
        10.500 s  still running; SIGKILL sent
      stderr:
        connecting to postgresql://app:********@127.0.0.1/app
        form body: password=********&user=app
        token=******** url-token=********
        db password ******** (********)
        \\x1b[31mERROR\\x1b[0m shutdown hook hung
      remediation: Fix graceful-sigterm.

XI Logs  (1 failed)
  ✗ S1101 log-to-file  src/app/logging.py  log written to a file: app.log
      remediation: Fix log-to-file.

note: probe env: DATABASE_URL=postgresql://app:********@127.0.0.1/app
note: no Kubernetes manifests: S0902 and S0903 skipped

4 failed, 1 error, 1 inconclusive, 2 passed, 1 not applicable
"""
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_text_without_color_is_exact(report: Report) -> None:
    """Factors in order, findings with snippet/evidence/remediation, n/a and inconclusive
    compact, passes only counted, notes, then the summary line."""
    assert render(report, Format.TEXT) == EXPECTED


def test_summary_line_is_last_and_there_are_no_escapes(report: Report) -> None:
    """The last line counts every outcome, most urgent first; no ANSI escape anywhere,
    not even one that came in with a probe's captured output."""
    output = render(report, Format.TEXT, color=False)
    assert (
        output.splitlines()[-1] == "4 failed, 1 error, 1 inconclusive, 2 passed, 1 not applicable"
    )
    assert "\x1b" not in output


def test_color_adds_ansi_styles_and_nothing_else(report: Report) -> None:
    """With color=True the output is styled, and without the styles it is the plain text."""
    output = render(report, Format.TEXT, color=True)
    assert "\x1b[1;31mS0301\x1b[0m" in output
    assert ANSI.sub("", output) == EXPECTED


def test_verbose_lists_passes_with_their_evidence(report: Report) -> None:
    """-v shows passes and evidence under every outcome, not only under failures."""
    lines = render(report, Format.TEXT, verbose=True).splitlines()
    assert lines[1] == "  ✓ S0101 single-codebase  one git repository"
    start = lines.index("  ✓ P0903 fast-startup  ready in 0.42 s")
    assert lines[start + 1 : start + 4] == [
        "      Timeline:",
        "        0.000 s  started",
        "        0.420 s  ready",
    ]
    inconclusive = lines.index(
        "  ? P0701 binds-declared-port  port 8080 never accepted a connection"
    )
    assert lines[inconclusive + 1 : inconclusive + 3] == [
        "      stdout:",
        "        listening on unix:/tmp/app.sock",
    ]


def test_snippet_lines_are_numbered_from_the_location_line(report: Report) -> None:
    """A multi-line snippet gets one gutter number per line, right-aligned."""
    first = report.results[1]
    assert first.location is not None
    location = replace(first.location, line=9, snippet="a = 1\nb = 2\nc = 3")
    single = report.with_results([replace(first, location=location, secrets=frozenset())])
    lines = render(single, Format.TEXT).splitlines()
    assert lines[2:5] == ["       9 | a = 1", "      10 | b = 2", "      11 | c = 3"]


def test_empty_report_says_no_checks_ran() -> None:
    """A run with no results ends with a plain statement, not an empty line."""
    empty = Report(target=".", results=(), tool_version="0.1.0")
    assert render(empty, Format.TEXT) == "no checks ran\n"
