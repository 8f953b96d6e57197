"""Render the documents, merge hand-written regions, write them or diff them (`--check`)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from twelve.contract import Contract
from twelve.docs.config import render_config
from twelve.docs.env_example import render_env_example
from twelve.docs.observability import render_observability
from twelve.docs.regions import RegionError, carry_over
from twelve.docs.release import render_release
from twelve.docs.runbook import render_runbook
from twelve.lint.facts import Facts, collect
from twelve.lint.facts.operations_docs import DOCUMENTS, ENV_EXAMPLE

Renderer = Callable[[Contract, Facts], str]
_BY_NAME: dict[str, Renderer] = {
    "runbook.md": render_runbook,
    "config.md": render_config,
    "observability.md": render_observability,
    "release.md": render_release,
    ENV_EXAMPLE: render_env_example,
}
# The facts collector owns the list of file names (rules read it); a mismatch fails at import.
RENDERERS = {name: _BY_NAME[name] for name in (*DOCUMENTS, ENV_EXAMPLE)}


class DocsError(Exception):
    """A generated file whose custom regions cannot be carried over.

    Args:
        path: the file, as shown to people.
        problem: what is wrong with its markers.
    """

    def __init__(self, path: str, problem: RegionError) -> None:
        super().__init__(f"{path}:{problem.line}: {problem.problem}")
        self.path = path
        self.line = problem.line


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """One file `twelve docs` owns: where it goes, what it holds now, what it should hold.

    Args:
        path: the file as people see it (relative to the service root when inside it).
        target: where it is on disk.
        current: its text now, None when it does not exist.
        wanted: the generated text with the current custom regions carried over.
    """

    path: str
    target: Path
    current: str | None
    wanted: str

    @property
    def stale(self) -> bool:
        """Whether writing would change the file (or create it)."""
        return self.current != self.wanted


def render(contract: Contract, facts: Facts) -> dict[str, str]:
    """Every generated file's text with placeholder regions, by file name. Pure.

    Args:
        contract: the service contract.
        facts: the repository facts.
    """
    return {name: renderer(contract, facts) for name, renderer in RENDERERS.items()}


def plan(
    root: Path, contract: Contract, facts: Facts, output_dir: Path | None = None
) -> list[GeneratedFile]:
    """What each generated file holds and should hold; reads, never writes.

    Args:
        root: the service root (`.env.example` goes there).
        contract: the service contract; its `[docs] dir` places the documents.
        facts: the repository facts.
        output_dir: overrides the contract's directory (`--output-dir`).

    Raises:
        DocsError: a current file's custom regions are malformed.
    """
    directory = output_dir if output_dir is not None else root / contract.docs.dir
    files: list[GeneratedFile] = []
    for name, text in render(contract, facts).items():
        target = root / name if name == ENV_EXAMPLE else directory / name
        shown = _shown(target, root)
        current = _read(target)
        try:
            wanted = carry_over(text, current)
        except RegionError as exc:
            raise DocsError(shown, exc) from None
        files.append(GeneratedFile(shown, target, current, wanted))
    return files


def write(files: Iterable[GeneratedFile]) -> list[GeneratedFile]:
    """Write the stale files (creating directories); return those written.

    Args:
        files: from `plan`.
    """
    written = []
    for file in files:
        if file.stale:
            file.target.parent.mkdir(parents=True, exist_ok=True)
            file.target.write_text(file.wanted, encoding="utf-8", newline="\n")
            written.append(file)
    return written


def diff(files: Iterable[GeneratedFile]) -> str:
    """A unified diff from each stale file's current text to what it should be.

    Args:
        files: from `plan`.
    """
    chunks = []
    for file in files:
        if not file.stale:
            continue
        before = (file.current or "").splitlines(keepends=True)
        label = f"a/{file.path}" if file.current is not None else "/dev/null"
        lines = difflib.unified_diff(
            before, file.wanted.splitlines(keepends=True), label, f"b/{file.path}"
        )
        chunks.append("".join(line if line.endswith("\n") else line + "\n" for line in lines))
    return "".join(chunks)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True, slots=True)
class DocsRun:
    """What `twelve docs` did: the files it owns, those it wrote, the diff of the stale ones.

    Args:
        files: every generated file, as planned.
        written: the files written (none with `check`).
        diff: the unified diff of the stale files (empty when all are current).
    """

    files: list[GeneratedFile]
    written: list[GeneratedFile]
    diff: str

    @property
    def stale(self) -> list[GeneratedFile]:
        """The files that were (or, with `check`, are) stale or missing."""
        return [file for file in self.files if file.stale]


def generate(
    root: Path, contract: Contract, *, output_dir: Path | None = None, check: bool = False
) -> DocsRun:
    """Collect the facts, then write the stale documents, or with `check` only diff them.

    Args:
        root: the service root.
        contract: its contract.
        output_dir: overrides the contract's `[docs] dir`.
        check: write nothing; the diff says what is stale.

    Raises:
        DocsError: a current file's custom regions are malformed.
    """
    files = plan(root, contract, collect(root, contract), output_dir)
    written = [] if check else write(files)
    return DocsRun(files, written, diff(files))
