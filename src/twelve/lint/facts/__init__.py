"""Facts: everything rules may know about a repository, collected once (the only lint I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from twelve.contract import Contract
from twelve.lint.facts import (
    devcontainer,
    dockerfile,
    env,
    manifests,
    operations_docs,
    procfile,
    toolchain,
    yamldocs,
)
from twelve.lint.facts.code import CodeMatch, declared_patterns
from twelve.lint.facts.devcontainer import Devcontainers
from twelve.lint.facts.dockerfile import Dockerfiles
from twelve.lint.facts.env import EnvRead
from twelve.lint.facts.files import FileTree, Language, SourceFile, walk
from twelve.lint.facts.kit import KIT_IMPORT
from twelve.lint.facts.manifests import Manifests
from twelve.lint.facts.operations_docs import OperationsDocs
from twelve.lint.facts.parse import ParseProblem
from twelve.lint.facts.procfile import Procfile
from twelve.lint.facts.scan import Scan, ScanResult, SecretFinding
from twelve.lint.facts.suppressions import InlineSuppression
from twelve.lint.facts.toolchain import Toolchains
from twelve.lint.facts.yamldocs import YamlDocs


@dataclass(frozen=True, slots=True)
class Facts:
    """What rules read. Rules are pure functions of this object.

    Args:
        root: the repository root (for messages only; rules never read files).
        contract: the service contract, when there is one.
        tree: the files read and skipped.
        scanned: code-pattern matches, secrets and suppression comments.
        env_reads: environment variables read in code.
        dockerfiles: parsed Dockerfiles and Containerfiles.
        procfile: the root Procfile, if any.
        yaml: YAML documents: CI workflows, compose files, Kubernetes objects.
        manifests: dependency manifests and lockfiles.
        devcontainers: devcontainer.json files.
        toolchains: language version pins from every source.
        operations_docs: the current text of the files `twelve docs` generates.
    """

    root: Path
    contract: Contract | None
    tree: FileTree
    scanned: ScanResult
    env_reads: tuple[EnvRead, ...]
    dockerfiles: Dockerfiles
    procfile: Procfile | None
    yaml: YamlDocs
    manifests: Manifests
    devcontainers: Devcontainers
    toolchains: Toolchains
    operations_docs: OperationsDocs | None = None

    @property
    def files(self) -> list[SourceFile]:
        """The files that were read."""
        return self.tree.files

    def matches(self, key: str) -> list[CodeMatch]:
        """Matches of one declared code pattern, in path and line order."""
        return self.scanned.matches.get(key, [])

    @property
    def contract_path(self) -> str:
        """The contract's path as reports show it: relative to the root when inside it."""
        path = self.contract.path if self.contract else None
        if path is None:
            return "twelve.toml"
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    @property
    def uses_kit(self) -> bool:
        """The service's Python code imports `twelve.kit`."""
        return bool(self.matches(KIT_IMPORT))

    @property
    def problems(self) -> list[ParseProblem]:
        """Files that could not be parsed (reported as run notes, never as findings)."""
        found = [
            *self.dockerfiles.problems,
            *self.yaml.problems,
            *self.manifests.problems,
            *self.devcontainers.problems,
            *self.toolchains.problems,
        ]
        return found + list(self.procfile.problems if self.procfile else ())

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
    names = sorted(contract.config) if contract else []
    with Scan(root, tree.files, declared_patterns(), names=names, jobs=jobs) as pending:
        # The other collectors run here while worker processes scan the files.
        docker = dockerfile.collect(root, tree)
        docs = yamldocs.collect(root, tree)
        containers = devcontainer.collect(root, tree)
        procfile_ = procfile.collect(root, tree)
        manifests_ = manifests.collect(root, tree)
        toolchains = toolchain.collect(root, tree, docker, docs, containers)
        operations = operations_docs.collect(root, contract)
        scanned = pending.result()
    return Facts(
        root=root,
        contract=contract,
        tree=tree,
        scanned=scanned,
        env_reads=tuple(env.env_reads(scanned.matches, scanned.env_texts)),
        dockerfiles=docker,
        procfile=procfile_,
        yaml=docs,
        manifests=manifests_,
        devcontainers=containers,
        toolchains=toolchains,
        operations_docs=operations,
    )


__all__ = [
    "CodeMatch",
    "Devcontainers",
    "Dockerfiles",
    "EnvRead",
    "Facts",
    "FileTree",
    "InlineSuppression",
    "Language",
    "Manifests",
    "ParseProblem",
    "Procfile",
    "SecretFinding",
    "SourceFile",
    "Toolchains",
    "YamlDocs",
    "collect",
]
