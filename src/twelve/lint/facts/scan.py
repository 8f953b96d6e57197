"""One pass over every text file, in parallel: code patterns, secrets, suppression comments."""

from __future__ import annotations

import functools
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from twelve.lint.facts import env
from twelve.lint.facts.code import CodeMatch, CodePattern, PatternSet
from twelve.lint.facts.files import SourceFile
from twelve.lint.facts.secrets import SecretHit, find_secrets
from twelve.lint.facts.suppressions import InlineSuppression, find_suppressions

# Below this many bytes a process pool costs more than it saves.
PARALLEL_MIN_BYTES = 2_000_000
_BATCH_BYTES = 500_000


@dataclass(frozen=True, slots=True)
class SecretFinding:
    """A secret hit with its masked line, ready for a report."""

    hit: SecretHit
    snippet: str


@dataclass(slots=True)
class ScanResult:
    """What the pass found, merged over all files."""

    matches: dict[str, list[CodeMatch]] = field(default_factory=dict)
    secrets: list[SecretFinding] = field(default_factory=list)
    suppressions: list[InlineSuppression] = field(default_factory=list)
    env_texts: dict[str, str] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    broken_patterns: set[str] = field(default_factory=set)
    quoted_names: set[str] = field(default_factory=set)

    def merge(self, other: ScanResult) -> None:
        """Add another batch's results."""
        for key, found in other.matches.items():
            self.matches.setdefault(key, []).extend(found)
        self.secrets += other.secrets
        self.suppressions += other.suppressions
        self.env_texts.update(other.env_texts)
        self.unreadable += other.unreadable
        self.broken_patterns |= other.broken_patterns
        self.quoted_names |= other.quoted_names


class Scan:
    """One pass over every text file, started at once and run in worker processes.

    The caller collects other facts while the workers read; `result` waits for them. Use
    it as a context manager, so that the workers stop when the caller fails.

    Args:
        root: the repository root.
        files: the files to read.
        patterns: every declared code pattern.
        names: config key names to look for as quoted strings in code (`quoted_names`).
        jobs: worker processes; default: one per core, or none for small repositories.
    """

    __slots__ = ("_futures", "_inline", "_pool")

    def __init__(
        self,
        root: Path,
        files: Sequence[SourceFile],
        patterns: Sequence[CodePattern],
        *,
        names: Sequence[str] = (),
        jobs: int | None = None,
    ) -> None:
        jobs = jobs or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future[ScanResult]] = []
        self._inline: Callable[[], ScanResult] | None = None
        if jobs == 1 or sum(f.size for f in files) < PARALLEL_MIN_BYTES:
            self._inline = functools.partial(
                _scan_batch, root, list(files), PatternSet(patterns), names
            )
            return
        # fork is cheapest, but unsafe once threads exist (twelve check runs probes in threads).
        method = "fork" if threading.active_count() == 1 else "forkserver"
        self._pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(patterns,),
        )
        self._futures = [
            self._pool.submit(_scan_in_worker, root, batch, names)
            for batch in _batches(files, jobs)
        ]

    def result(self) -> ScanResult:
        """Wait for the pass and merge what it found, in path and line order."""
        result = ScanResult()
        if self._inline is not None:
            result.merge(self._inline())
        for future in self._futures:
            result.merge(future.result())
        for found in result.matches.values():
            found.sort(key=lambda m: (m.path, m.line, m.column))
        result.secrets.sort(key=lambda s: (s.hit.path, s.hit.line, s.hit.column))
        return result

    def __enter__(self) -> Scan:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


# A worker process's compiled patterns, built once by `_start_worker` (not per batch).
_worker_patterns: list[PatternSet] = []


def _start_worker(patterns: Sequence[CodePattern]) -> None:
    _worker_patterns[:] = [PatternSet(patterns)]


def _scan_in_worker(root: Path, files: list[SourceFile], names: Sequence[str]) -> ScanResult:
    return _scan_batch(root, files, _worker_patterns[0], names)


@functools.cache
def _quoted(name: str) -> re.Pattern[str]:
    return re.compile(f"[\"'`]{re.escape(name)}[\"'`]")


def _batches(files: Sequence[SourceFile], jobs: int) -> list[list[SourceFile]]:
    """Batches of about equal bytes, many per worker so that none is left working alone."""
    size = max(_BATCH_BYTES, sum(f.size for f in files) // (jobs * 16))
    batches: list[list[SourceFile]] = [[]]
    filled = 0
    for file in sorted(files, key=lambda f: -f.size):
        if filled >= size:
            batches.append([])
            filled = 0
        batches[-1].append(file)
        filled += file.size
    return batches


def _scan_batch(
    root: Path, files: list[SourceFile], matcher: PatternSet, names: Sequence[str]
) -> ScanResult:
    result = ScanResult()
    for file in files:
        try:
            text = (root / file.path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            result.unreadable.append(file.path)
            continue
        if file.language is not None:
            try:
                found, broken = matcher.match(file.path, file.language, text)
            except Exception:  # noqa: BLE001 -- one unparsable file must not stop the pass
                result.unreadable.append(file.path)
                found, broken = [], []
            result.broken_patterns.update(broken)
            result.quoted_names.update(
                name for name in names if name in text and _quoted(name).search(text)
            )
            for match in found:
                result.matches.setdefault(match.key, []).append(match)
            if env.needs_text(file.path, text):
                result.env_texts[file.path] = text
        result.secrets += [
            SecretFinding(hit, hit.masked_line(line)) for hit, line in find_secrets(file.path, text)
        ]
        result.suppressions += find_suppressions(file.path, text)
    return result
