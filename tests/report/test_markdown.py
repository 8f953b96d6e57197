"""The Markdown format: a pull-request comment with a verdict, counts, findings, evidence."""

from __future__ import annotations

from twelve.model import Evidence, Outcome, Report, Result
from twelve.report import Format, render
from twelve.report.markdown import code_span, escape

WJ = "\u2060"  # the word joiner that keeps `@name` from notifying anyone


def sections(report: Report) -> list[str]:
    """The rendered comment split into its blank-line-separated blocks."""
    return render(report, Format.MARKDOWN).split("\n\n")


def test_headline_and_counts_table(report: Report) -> None:
    """A verdict naming the number of findings, the summary line and a count per outcome."""
    blocks = sections(report)
    assert blocks[0] == "## ❌ twelve: 5 findings"
    assert blocks[1] == "4 failed, 1 error, 1 inconclusive, 2 passed, 1 not applicable"
    assert blocks[2] == (
        "| outcome | count |\n"
        "|---|---:|\n"
        "| failed | 4 |\n"
        "| error | 1 |\n"
        "| inconclusive | 1 |\n"
        "| passed | 2 |\n"
        "| not applicable | 1 |"
    )


def test_findings_table_escapes_pipes_backticks_and_emphasis(report: Report) -> None:
    """One row per failure or error, by factor; `|`, backticks and `*` shown literally."""
    assert sections(report)[3] == (
        "| | ID | check | location | message |\n"
        "|---|---|---|---|---|\n"
        f"| ❌ | `S0301` | literal-dsn | `src/app/settings.py:12` "
        f"| literal DSN \\`postgresql://app:\\*\\*\\*\\*\\*\\*\\*\\*@{WJ}db/app\\` |\n"
        "| ❌ | `S0302` | literal-config-value | `config/prod,eu:1.env:3` "
        "| \\`API\\_KEY\\` literal in 2 envs: 100% \\| prod,eu |\n"
        "| ❗ | `P0401` | backing-service-timeout |  | check crashed: KeyError at proxy.py:88 |\n"
        "| ❌ | `P0902` | graceful-sigterm |  | still running 10.00 s after SIGTERM; killed |\n"
        "| ❌ | `S1101` | log-to-file | `src/app/logging.py` | log written to a file: app.log |"
    )


def test_details_block_holds_evidence_in_code_fences(report: Report) -> None:
    """A probe finding's evidence is fenced verbatim (masked, control characters spelled out)."""
    comment = render(report, Format.MARKDOWN)
    start = comment.index("<details><summary>P0902")
    block = comment[start : comment.index("</details>", start) + len("</details>")]
    assert block == (
        "<details><summary>P0902 graceful-sigterm (IX Disposability)</summary>\n\n"
        "still running 10.00 s after SIGTERM; killed\n\n"
        "**Timeline**\n\n"
        "```text\n"
        "0.000 s  started pid 4242\n"
        "0.412 s  ready on 127.0.0.1:8080\n"
        "0.500 s  SIGTERM sent\n"
        "10.500 s  still running; SIGKILL sent\n"
        "```\n\n"
        "**stderr**\n\n"
        "```text\n"
        "connecting to postgresql://app:********@127.0.0.1/app\n"
        "form body: password=********&user=app\n"
        "token=******** url-token=********\n"
        "db password ******** (********)\n"
        "\\x1b[31mERROR\\x1b[0m shutdown hook hung\n"
        "```\n\n"
        "**Remediation:** Fix graceful-sigterm.\n\n"
        "</details>"
    )


def test_rule_details_show_the_snippet(report: Report) -> None:
    """A rule finding's details hold its snippet and remediation."""
    comment = render(report, Format.MARKDOWN)
    assert (
        "<details><summary>S0301 literal-dsn (III Config) — src/app/settings.py:12</summary>\n\n"
        f"literal DSN \\`postgresql://app:\\*\\*\\*\\*\\*\\*\\*\\*@{WJ}db/app\\`\n\n"
        '```text\nDSN = "postgresql://app:********@db/app"\n```\n\n'
        "**Remediation:** Fix literal-dsn.\n\n"
        "</details>"
    ) in comment


def test_inconclusive_results_and_notes_close_the_comment(report: Report) -> None:
    """Inconclusive checks are listed (they are not findings), then the notes as quotes."""
    assert sections(report)[-4:] == [
        "**Inconclusive** (could not tell; not counted as findings):",
        "- `P0701` binds-declared-port: port 8080 never accepted a connection",
        f"> probe env: DATABASE\\_URL=postgresql://app:\\*\\*\\*\\*\\*\\*\\*\\*@{WJ}127.0.0.1/app",
        "> no Kubernetes manifests: S0902 and S0903 skipped\n",
    ]


def test_headline_when_nothing_failed(report: Report) -> None:
    """All passing: a green verdict; only inconclusive left: a warning verdict."""
    passing = report.with_results(r for r in report.results if r.outcome is Outcome.PASS)
    assert sections(passing)[0] == "## ✅ twelve: all checks passed"
    unsure = report.with_results(r for r in report.results if not r.is_finding)
    assert sections(unsure)[0] == "## ⚠️ twelve: no findings, but some checks could not tell"


def test_escape_shows_markdown_syntax_literally() -> None:
    """Inline syntax is backslash-escaped; a block marker at the start is neutralised."""
    assert escape("a|b `c` *d* _e_ [f](g) <h> & ~i~") == (
        "a\\|b \\`c\\` \\*d\\* \\_e\\_ \\[f\\](g) \\<h\\> \\& \\~i\\~"
    )
    assert escape("1. first") == "1\\. first"
    assert escape("# not a heading") == "\\# not a heading"
    assert escape("- not a list") == "\\- not a list"
    assert escape("two\nlines") == "two<br>lines"
    assert escape("mail ops@example") == f"mail ops@{WJ}example"


def test_code_span_survives_backticks_and_pipes() -> None:
    """The fence is longer than any backtick run inside; `|` is escaped for tables."""
    assert code_span("src/app.py:3") == "`src/app.py:3`"
    assert code_span("a`b") == "``a`b``"
    assert code_span("`edge`") == "`` `edge` ``"
    assert code_span("x|y") == "`x\\|y`"


def test_evidence_fence_outgrows_backticks_in_the_evidence(report: Report) -> None:
    """Evidence containing ``` is fenced with four backticks so it cannot close early."""
    probe = report.results[4]
    evidence = (Evidence("out", ("```", "x")),)
    fenced = report.with_results([Result(probe.check, probe.outcome, "m", evidence=evidence)])
    assert "````text\n```\nx\n````" in render(fenced, Format.MARKDOWN)
