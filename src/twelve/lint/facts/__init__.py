"""Facts: everything rules may know about a repository, collected once (the only lint I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from twelve.contract import Contract
from twelve.lint.facts import env
from twelve.lint.facts.code import CodeMatch, declared_patterns
from twelve.lint.facts.env import EnvRead
from twelve.lint.facts.files import FileTree, Language, SourceFile, walk
from twelve.lint.facts.scan import ScanResult, SecretFinding, scan
from twelve.lint.facts.suppressions import InlineSuppression


@dataclass(frozen=True, slots=True)
class Facts:
    """What rules read. Rules are pure functions of this object.

    Args:
        root: the repository root (for messages only; rules never read files).
        contract: the service contract, when there is one.
        tree: the files read and skipped.
        scanned: code-pattern matches, secrets and suppression comments.
        env_reads: environment variables read in code.
    """

    root: Path
    contract: Contract | None
    tree: FileTree
    scanned: ScanResult
    env_reads: tuple[EnvRead, ...]

    @property
    def files(self) -> list[SourceFile]:
        """The files that were read."""
        return self.tree.files

    def matches(self, key: str) -> list[CodeMatch]:
        """Matches of one declared code pattern, in path and line order."""
        return self.scanned.matches.get(key, [])

    @property
    def secrets(self) -> list[SecretFinding]:
        """Likely secrets in tracked files."""
        return self.scanned.secrets

    @property
    def suppressions(self) -> list[InlineSuppression]:
        """Inline suppression comments."""
        return self.scanned.suppressions


def collect(root: Path, contract: Contract | None, *, jobs: int | None = None) -> Facts:
    """Collect every fact about the repository at `root`.

    Args:
        root: the repository root.
        contract: its contract, if any (its `[lint]` table shapes the walk).
        jobs: worker processes for the file pass.
    """
    lint = contract.lint if contract else None
    tree = walk(
        root,
        exclude=lint.exclude if lint else (),
        include_tests=lint.include_tests if lint else False,
    )
    scanned = scan(root, tree.files, declared_patterns(), jobs=jobs)
    reads = tuple(env.env_reads(scanned.matches, scanned.env_texts))
    return Facts(root, contract, tree, scanned, reads)


__all__ = [
    "CodeMatch",
    "EnvRead",
    "Facts",
    "FileTree",
    "InlineSuppression",
    "Language",
    "SecretFinding",
    "SourceFile",
    "collect",
]
