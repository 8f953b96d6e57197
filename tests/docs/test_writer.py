"""Writing the documents, checking them for drift, and where they go (`[docs] dir`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from twelve.contract import ContractError, load_contract, parse_contract
from twelve.docs import DocsError, generate
from twelve.lint.facts import collect

CONTRACT = """\
[service]
name = "notes"

[processes.web]
command = "python -m notes"

[config.NOTES_DIR]
default = "/srv/notes"
description = "Where notes are kept"
"""
WRITTEN = [
    "docs/operations/runbook.md",
    "docs/operations/config.md",
    "docs/operations/observability.md",
    "docs/operations/release.md",
    ".env.example",
]


def _service(root: Path, contract: str = CONTRACT) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "twelve.toml").write_text(contract, encoding="utf-8")
    return root


def test_writes_four_documents_and_env_example(tmp_path: Path) -> None:
    """A first run writes every file; a second run writes nothing and finds nothing stale."""
    root = _service(tmp_path)
    contract = load_contract(root / "twelve.toml")
    first = generate(root, contract)
    assert [f.path for f in first.written] == WRITTEN
    assert all((root / path).is_file() for path in WRITTEN)
    second = generate(root, contract)
    assert (second.written, second.stale, second.diff) == ([], [], "")


def test_check_writes_nothing_and_diffs_missing_files(tmp_path: Path) -> None:
    """`check` leaves the disk alone; a missing file diffs from /dev/null."""
    root = _service(tmp_path)
    run = generate(root, load_contract(root / "twelve.toml"), check=True)
    assert run.written == []
    assert [f.path for f in run.stale] == WRITTEN
    assert not (root / "docs").exists()
    assert "--- /dev/null\n+++ b/docs/operations/runbook.md\n" in run.diff


def test_contract_edit_makes_generated_parts_stale(tmp_path: Path) -> None:
    """Changing a default is a diff in config.md and .env.example, nowhere else."""
    root = _service(tmp_path)
    generate(root, load_contract(root / "twelve.toml"))
    (root / "twelve.toml").write_text(CONTRACT.replace("/srv/notes", "/var/notes"))
    run = generate(root, load_contract(root / "twelve.toml"), check=True)
    assert [f.path for f in run.stale] == ["docs/operations/config.md", ".env.example"]
    assert (
        "-# string; optional; default: /srv/notes\n-NOTES_DIR=/srv/notes\n"
        "+# string; optional; default: /var/notes\n+NOTES_DIR=/var/notes\n"
    ) in run.diff


def test_custom_regions_survive_regeneration(tmp_path: Path) -> None:
    """Hand-written region text is kept byte for byte when the rest is rewritten."""
    root = _service(tmp_path)
    contract = load_contract(root / "twelve.toml")
    generate(root, contract)
    runbook = root / "docs/operations/runbook.md"
    text = runbook.read_text(encoding="utf-8")
    start = text.index("<!-- twelve:begin custom notes -->\n") + len(
        "<!-- twelve:begin custom notes -->\n"
    )
    end = text.index("<!-- twelve:end custom notes -->")
    notes = "Seed data: `make seed`.\n\n| who | when |\n|---|---|\n"
    runbook.write_text(text[:start] + notes + text[end:], encoding="utf-8")
    env = root / ".env.example"
    env.write_text(
        env.read_text().replace("# Hand-written keys and values: kept verbatim.\n", "DEBUG=1\n")
    )
    assert generate(root, contract, check=True).stale == []
    (root / "twelve.toml").write_text(CONTRACT.replace("python -m notes", "notes-server"))
    written = generate(root, load_contract(root / "twelve.toml")).written
    assert [f.path for f in written] == ["docs/operations/runbook.md", "docs/operations/release.md"]
    assert notes in runbook.read_text(encoding="utf-8")
    assert "notes-server" in runbook.read_text(encoding="utf-8")
    assert "# twelve:begin custom local\nDEBUG=1\n# twelve:end custom local\n" in env.read_text()


def test_docs_dir_from_contract_and_output_dir_override(tmp_path: Path) -> None:
    """`[docs] dir` places the documents; `output_dir` overrides it; .env.example stays put."""
    root = _service(tmp_path, CONTRACT + '\n[docs]\ndir = "ops"\n')
    contract = load_contract(root / "twelve.toml")
    assert [f.path for f in generate(root, contract).written][:1] == ["ops/runbook.md"]
    elsewhere = tmp_path.parent / f"{tmp_path.name}-out"
    written = generate(root, contract, output_dir=elsewhere).written
    assert [f.target for f in written][:4] == [
        elsewhere / name for name in ("runbook.md", "config.md", "observability.md", "release.md")
    ]
    assert written[0].path == str(elsewhere / "runbook.md")  # outside the root: shown as is


@pytest.mark.parametrize("directory", ["/abs", "../up", "a/../../b", ""])
def test_docs_dir_must_stay_inside_the_service(directory: str) -> None:
    """An absolute or escaping `[docs] dir` is a contract error on its line."""
    with pytest.raises(ContractError) as raised:
        parse_contract(f'[service]\nname = "a"\n[docs]\ndir = "{directory}"\n', Path("t.toml"))
    (problem,) = raised.value.problems
    assert (problem.key, problem.line) == ("docs.dir", 4)
    assert problem.message == 'must be a relative path inside the service, e.g. "docs/operations"'


def test_broken_region_stops_generation_with_its_place(tmp_path: Path) -> None:
    """An unclosed region in a current file is an error naming file and line; nothing written."""
    root = _service(tmp_path)
    contract = load_contract(root / "twelve.toml")
    generate(root, contract)
    config = root / "docs/operations/config.md"
    text = config.read_text().replace("<!-- twelve:end custom notes -->\n", "")
    config.write_text(text)
    line = text[: text.index("twelve:begin")].count("\n") + 1
    with pytest.raises(DocsError) as raised:
        generate(root, contract)
    assert str(raised.value) == (
        f"docs/operations/config.md:{line}: custom region 'notes' is not closed"
    )


def test_facts_hold_the_current_text_of_each_generated_file(tmp_path: Path) -> None:
    """The lint fact maps each generated file's path to its text, None when missing."""
    root = _service(tmp_path, CONTRACT + '\n[docs]\ndir = "doc/ops"\n')
    contract = load_contract(root / "twelve.toml")
    (root / ".env.example").write_text("X=1\n")
    docs = collect(root, contract).operations_docs
    assert docs is not None
    assert docs.directory == "doc/ops"
    assert dict(docs.current) == {
        "doc/ops/runbook.md": None,
        "doc/ops/config.md": None,
        "doc/ops/observability.md": None,
        "doc/ops/release.md": None,
        ".env.example": "X=1\n",
    }
    assert collect(root, None).operations_docs is None
