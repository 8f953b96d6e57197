"""`twelve init` and `twelve docs` on the command line: files written, exit codes 0 / 1 / 2."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from twelve.cli import main
from twelve.contract import json_schema, load_contract

INIT_FIXTURES = Path(__file__).parent / "fixtures" / "init"
DOCS = ["runbook.md", "config.md", "observability.md", "release.md"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("language", ["python", "node", "go", "rust"])
def test_init_then_docs_then_drift(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, language: str
) -> None:
    """Done when: init drafts a valid contract, docs writes four documents and .env.example,
    `docs --check` passes, and after a contract edit `docs --check` fails with a diff."""
    root = tmp_path / language
    shutil.copytree(INIT_FIXTURES / language, root)
    code, out, err = run(capsys, "init", str(root))
    assert (code, out) == (0, "")
    assert err.startswith(f"twelve: wrote {root / 'twelve.toml'} (")
    contract_file = root / "twelve.toml"
    document = tomllib.loads(contract_file.read_text(encoding="utf-8"))
    assert list(Draft202012Validator(json_schema()).iter_errors(document)) == []
    contract = load_contract(contract_file)

    code, out, err = run(capsys, "docs", str(root))
    assert (code, out) == (0, "")
    assert err.splitlines() == [
        *(f"twelve: wrote docs/operations/{name}" for name in DOCS),
        "twelve: wrote .env.example",
    ]
    env_lines = (root / ".env.example").read_text(encoding="utf-8").splitlines()
    for name in contract.secret_keys():
        assert f"{name}=" in env_lines  # present, and empty

    assert run(capsys, "docs", str(root), "--check") == (0, "", "twelve: docs are current\n")

    text = contract_file.read_text(encoding="utf-8")
    contract_file.write_text(text.replace('[service]\nname = "', '[service]\nname = "x-'))
    code, out, err = run(capsys, "docs", str(root), "--check")
    assert code == 1
    name = contract.service.name
    assert "--- a/docs/operations/runbook.md\n+++ b/docs/operations/runbook.md\n" in out
    assert f"-# {name} runbook\n+# x-{name} runbook\n" in out
    assert err == "twelve: 5 stale or missing; run `twelve docs`\n"


def test_docs_check_diff_names_the_changed_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The diff is a unified diff of the stale file, with the edited row."""
    (tmp_path / "twelve.toml").write_text(
        '[service]\nname = "a"\n[config.MODE]\ndefault = "fast"\n', encoding="utf-8"
    )
    assert run(capsys, "docs", str(tmp_path))[0] == 0
    (tmp_path / "twelve.toml").write_text(
        '[service]\nname = "a"\n[config.MODE]\ndefault = "slow"\n', encoding="utf-8"
    )
    code, out, _ = run(capsys, "docs", str(tmp_path), "--check")
    assert code == 1
    assert out.startswith("--- a/docs/operations/config.md\n+++ b/docs/operations/config.md\n")
    assert "-| `MODE` | string | `fast` | any text | no | — |\n" in out
    assert "+| `MODE` | string | `slow` | any text | no | — |\n" in out
    assert "+MODE=slow\n" in out
    assert not (tmp_path / "docs" / "operations" / "config.md").read_text().count("slow")


def test_docs_output_dir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`--output-dir` puts the four documents there; .env.example stays at the root."""
    root = tmp_path / "svc"
    root.mkdir()
    (root / "twelve.toml").write_text('[service]\nname = "a"\n', encoding="utf-8")
    out_dir = tmp_path / "site"
    assert run(capsys, "docs", str(root), "--output-dir", str(out_dir))[0] == 0
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(DOCS)
    assert (root / ".env.example").is_file()
    assert not (root / "docs").exists()


def test_docs_without_contract_is_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """No twelve.toml: exit 2 and a pointer to `twelve init`."""
    assert run(capsys, "docs", str(tmp_path)) == (
        2,
        "",
        f"twelve: no twelve.toml in {tmp_path}: draft one with `twelve init`\n",
    )


def test_docs_with_broken_region_is_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A custom region without its end marker stops `twelve docs` with file:line, exit 2."""
    (tmp_path / "twelve.toml").write_text('[service]\nname = "a"\n', encoding="utf-8")
    (tmp_path / ".env.example").write_text("# twelve:begin custom local\nX=1\n")
    assert run(capsys, "docs", str(tmp_path)) == (
        2,
        "",
        "twelve: .env.example:1: custom region 'local' is not closed\n",
    )


def test_init_never_overwrites_without_force(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A second init exits 2 and keeps the file; `--force` rewrites it."""
    contract_file = tmp_path / "twelve.toml"
    contract_file.write_text('[service]\nname = "mine"\n', encoding="utf-8")
    assert run(capsys, "init", str(tmp_path)) == (
        2,
        "",
        f"twelve: {contract_file} exists; run with --force to overwrite it\n",
    )
    assert contract_file.read_text(encoding="utf-8") == '[service]\nname = "mine"\n'
    code, _, err = run(capsys, "init", str(tmp_path), "--force")
    assert code == 0
    assert err == f"twelve: wrote {contract_file} (0 process types, 0 keys, 1 to confirm)\n"


def test_init_on_a_missing_directory_is_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """init refuses a path that is not a directory."""
    missing = tmp_path / "nope"
    assert run(capsys, "init", str(missing)) == (2, "", f"twelve: {missing} is not a directory\n")
