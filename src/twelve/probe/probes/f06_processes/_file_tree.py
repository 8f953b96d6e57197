"""Snapshots of a directory tree, and what changed between two of them.

Not a probe itself: used by no-local-writes.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

# Not the service's state: version control, dependencies, build output, bytecode caches.
SKIPPED_DIRS = frozenset({".git", "node_modules", "target", "__pycache__", ".venv", "venv"})
SKIPPED_SUFFIXES = (".pyc",)  # written by the Python interpreter, not by the service
MAX_ENTRIES = 20_000
_DIRECTORY = (-1, 0)

Parts = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every entry of a tree in walk order: path parts -> (size, mtime_ns); (-1, 0) for a dir.

    Args:
        entries: the entries, in depth-first order with sorted names (lexicographic by parts).
        truncated: the walk stopped at `MAX_ENTRIES`.
        skipped: names of the skipped directories that were present.
    """

    entries: dict[Parts, tuple[int, int]]
    truncated: bool = False
    skipped: frozenset[str] = field(default_factory=frozenset)

    @property
    def last(self) -> Parts | None:
        """The last entry walked (entries are in lexicographic order of their parts)."""
        return next(reversed(self.entries), None)


def snapshot(root: Path, max_entries: int = MAX_ENTRIES) -> Snapshot:
    """Walk `root` without following symlinks, skipping `SKIPPED_DIRS` and bytecode.

    Args:
        root: the directory.
        max_entries: stop after this many entries (the snapshot says it was truncated).
    """
    entries: dict[Parts, tuple[int, int]] = {}
    skipped: set[str] = set()

    def walk(parts: Parts, directory: str | Path) -> bool:
        """Depth-first, names sorted, so entries are in lexicographic order of their parts."""
        try:
            with os.scandir(directory) as scan:
                children = sorted(scan, key=lambda entry: entry.name)
        except OSError:
            return True  # vanished or unreadable meanwhile
        for entry in children:
            if len(entries) >= max_entries:
                return False
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            path = (*parts, entry.name)
            if stat.S_ISDIR(info.st_mode):
                if entry.name in SKIPPED_DIRS:
                    skipped.add(entry.name)
                    continue
                entries[path] = _DIRECTORY
                if not walk(path, entry.path):
                    return False
            elif not entry.name.endswith(SKIPPED_SUFFIXES):
                entries[path] = (info.st_size, info.st_mtime_ns)
        return True

    complete = walk((), root)
    return Snapshot(entries, truncated=not complete, skipped=frozenset(skipped))


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What was created, changed or deleted, one line each ("created state.db (14 bytes)").

    When a walk was truncated, only paths up to where both walks got are compared.

    Args:
        before: the earlier snapshot.
        after: the later one.
    """
    limit: Parts | None = None
    if before.truncated or after.truncated:
        lasts = [last for last in (before.last, after.last) if last is not None]
        limit = min(lasts) if lasts else ()
    found = []
    for path in sorted(before.entries.keys() | after.entries.keys()):
        if limit is not None and path > limit:
            continue
        old, new = before.entries.get(path), after.entries.get(path)
        name = "/".join(path) + ("/" if _DIRECTORY in (old, new) else "")
        if old is None and new is not None:
            found.append(f"created {name}" + (f" ({new[0]} bytes)" if new != _DIRECTORY else ""))
        elif new is None and old is not None:
            found.append(f"deleted {name}")
        elif old != new and old is not None and new is not None:
            found.append(f"changed {name} ({old[0]} -> {new[0]} bytes)")
    return found
