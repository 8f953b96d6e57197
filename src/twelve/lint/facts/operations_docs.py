"""The operational documents `twelve docs` writes, as they are on disk now.

Rules are pure, so the current text of the generated files is a fact: the `docs-current`
rule regenerates them from the contract and the other facts and compares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from twelve.contract import Contract

DOCUMENTS = ("runbook.md", "config.md", "observability.md", "release.md")
"""The four documents the playbook requires, in the order they are written."""
ENV_EXAMPLE = ".env.example"
"""The dotenv template, always at the service root."""


@dataclass(frozen=True, slots=True)
class OperationsDocs:
    """The generated files' current content.

    Args:
        directory: the documents' directory, relative to the root (the contract's `[docs] dir`).
        current: repository path -> current text, None when the file is missing; one entry
            per document (see `paths`) and one for `.env.example`.
    """

    directory: str
    current: Mapping[str, str | None] = field(default_factory=dict)

    def paths(self) -> dict[str, str]:
        """Each generated file's name (`runbook.md`, `.env.example`) -> its repository path."""
        return file_paths(self.directory)


def file_paths(directory: str) -> dict[str, str]:
    """Where each generated file lives, relative to the service root.

    Args:
        directory: the documents' directory, relative to the root.
    """
    base = PurePosixPath(directory)
    paths = {name: (base / name).as_posix() for name in DOCUMENTS}
    paths[ENV_EXAMPLE] = ENV_EXAMPLE
    return paths


def collect(root: Path, contract: Contract | None) -> OperationsDocs | None:
    """Read the generated files; None without a contract (there is nothing to generate).

    Args:
        root: the repository root.
        contract: its contract, if any.
    """
    if contract is None:
        return None
    directory = contract.docs.dir
    current: dict[str, str | None] = {}
    for path in file_paths(directory).values():
        try:
            current[path] = (root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current[path] = None
    return OperationsDocs(directory, current)
