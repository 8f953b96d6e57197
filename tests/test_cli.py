"""The command line: verbs, formats, and exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from twelve import __version__
from twelve.cli import main

REPOS = Path(__file__).parent / "fixtures" / "repos"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_via_console_script() -> None:
    """`python -m twelve --version` prints the version and exits 0."""
    done = subprocess.run(
        [sys.executable, "-m", "twelve", "--version"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, f"twelve {__version__}\n")


def test_schema_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    """`twelve schema` prints the contract's JSON Schema."""
    code, out, _ = run(capsys, "schema")
    assert code == 0
    assert json.loads(out)["title"] == "twelve.toml"


def test_rules_json_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    """`twelve rules --format json` lists each check with its identity and docs."""
    code, out, _ = run(capsys, "rules", "--format", "json")
    rules = {rule["id"]: rule for rule in json.loads(out)}
    assert code == 0
    assert rules["S1101"]["name"] == "print-logging"
    assert rules["S1101"]["factor"] == 11
    assert rules["P0701"]["kind"] == "probe"
    assert rules["S1101"]["docs"]["use_instead"].startswith("```python")


def test_explain_by_id_and_name(capsys: pytest.CaptureFixture[str]) -> None:
    """`twelve explain` accepts an ID or a name and prints the four doc sections."""
    for key in ("S1101", "print-logging"):
        code, out, _ = run(capsys, "explain", key)
        assert code == 0
        assert out.startswith("# S1101 print-logging\n")
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert heading in out


def test_explain_unknown_check_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown check is exit 2 with a message on stderr."""
    code, out, err = run(capsys, "explain", "S9999")
    assert (code, out, err) == (2, "", "twelve: no check 'S9999' (see `twelve rules`)\n")


def test_lint_exit_codes_follow_fail_on(capsys: pytest.CaptureFixture[str]) -> None:
    """Findings exit 1 at or above --fail-on, 0 below it or with never; clean exits 0."""
    fail, clean = str(REPOS / "S1101" / "fail"), str(REPOS / "S1101" / "pass")
    assert run(capsys, "lint", fail, "--select", "S1101")[0] == 1
    assert run(capsys, "lint", fail, "--select", "S1101", "--fail-on", "error")[0] == 0
    assert run(capsys, "lint", fail, "--select", "S1101", "--fail-on", "never")[0] == 0
    assert run(capsys, "lint", clean, "--select", "S1101")[0] == 0


def test_lint_starts_without_the_probe_engine() -> None:
    """A lint run imports no probe and no probe engine; selecting by ID loads the catalogue."""
    fail = str(REPOS / "S1101" / "fail")
    script = (
        "import sys\nfrom twelve.cli import main\ncode = main(sys.argv[1:])\n"
        "print(code, sorted({m.split('.')[1] for m in sys.modules if m.startswith('twelve.')}))"
    )
    for argv, probes in [(["lint", fail, "-q"], False), (["lint", fail, "--select", "P"], True)]:
        done = subprocess.run(
            [sys.executable, "-c", script, *argv], capture_output=True, text=True, check=False
        )
        code, modules = done.stdout.splitlines()[-1].split(" ", 1)
        assert (code, "'probe'" in modules) == ("1" if not probes else "0", probes)


def test_lint_json_output_to_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--format json --output FILE writes the report there and nothing to stdout."""
    target = tmp_path / "report.json"
    code, out, _ = run(
        capsys, "lint", str(REPOS / "S1101" / "fail"), "--select", "S1101",
        "--format", "json", "--output", str(target),
    )  # fmt: skip
    found = [
        (r["id"], r["location"]["path"], r["location"]["line"])
        for r in json.loads(target.read_text())["results"]
        if r["outcome"] == "fail"
    ]
    assert (code, out) == (1, "")
    assert found == [
        ("S1101", "app.py", 7),
        ("S1101", "main.go", 10),
        ("S1101", "main.rs", 3),
        ("S1101", "src/server.js", 4),
        ("S1101", "src/server.ts", 2),
    ]


def test_invalid_contract_is_exit_2_without_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A broken contract exits 2, lists its problems on stderr, and prints no traceback."""
    (tmp_path / "twelve.toml").write_text('[service]\nname = "Bad Name"\n')
    code, out, err = run(capsys, "lint", str(tmp_path))
    assert (code, out) == (2, "")
    assert err.splitlines()[1:] == [
        f"  {tmp_path / 'twelve.toml'}:2: service.name: must be kebab-case (lowercase letters,"
        ' digits, hyphens), e.g. "web-api"'
    ]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("lint", "/nonexistent/dir"), "twelve: /nonexistent/dir is not a directory\n"),
        (
            ("lint", ".", "--select", "S9999"),
            "twelve: 'S9999' matches no check (see `twelve rules`)\n",
        ),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    """Arguments that cannot be acted on exit 2 with one line on stderr."""
    code, _, err = run(capsys, *argv)
    assert (code, err) == (2, message)


def test_unknown_option_is_argparse_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown option exits 2 (argparse's usage error)."""
    with pytest.raises(SystemExit) as caught:
        main(["lint", "--bogus"])
    assert caught.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_probe_without_contract_is_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The probe needs a contract; without one it says so and exits 2."""
    code, _, err = run(capsys, "probe", str(tmp_path))
    assert code == 2
    assert (
        err == f"twelve: no twelve.toml in {tmp_path}: the probe needs a contract (`twelve init`)\n"
    )


def test_quiet_drops_notes_but_keeps_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """-q leaves out run notes; the summary still counts every outcome."""
    clean = str(REPOS / "S1101" / "pass")
    code, out, _ = run(capsys, "lint", clean, "--select", "S1101", "-q")
    assert (code, out) == (0, "XI Logs  (1 passed)\n\n1 passed\n")
    _, loud, _ = run(capsys, "lint", clean, "--select", "S1101")
    assert "note: read 4 files" in loud
