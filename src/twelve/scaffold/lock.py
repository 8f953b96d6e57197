"""requirements.txt as a lock: twelve[kit] and every distribution it needs, pinned with `==`.

`twelve new` works offline, so it cannot resolve a lock from an index. It pins instead the
distributions of the environment it runs in, which hold the versions the generated service
is known to work with (its tests run against them). Requirements are followed through
their metadata: an `extra == ...` marker is honoured, and a requirement with an
environment marker (`python_version < "3.13"`, `sys_platform == "win32"`) is kept when its
distribution is installed here, which is what the marker decided when it was installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
_EXTRA = re.compile(r"""\bextra\s*==\s*["']([^"']+)["']""")
_CONNECTIVES = re.compile(r"\b(?:and|or)\b|[()\s]")


class NotInstalled(Exception):
    """A distribution the lock needs is not installed here.

    Args:
        name: the distribution.
        needed_by: the distribution that requires it.
    """

    def __init__(self, name: str, needed_by: str) -> None:
        super().__init__(f"{name} (needed by {needed_by}) is not installed")
        self.name = name


@dataclass(frozen=True, slots=True)
class Pin:
    """One locked distribution.

    Args:
        name: its normalized name (PEP 503).
        version: the installed version.
        extras: the extras asked of it, normalized and sorted.
    """

    name: str
    version: str
    extras: tuple[str, ...] = ()

    def __str__(self) -> str:
        extras = f"[{','.join(self.extras)}]" if self.extras else ""
        return f"{self.name}{extras}=={self.version}"


def normalize(name: str) -> str:
    """A distribution or extra name in its PEP 503 / PEP 685 form ("Foo_Bar" -> "foo-bar").

    Args:
        name: the name as written.
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(name: str, extras: tuple[str, ...] = ()) -> list[Pin]:
    """`name[extras]` and everything it needs, as installed here, sorted by name.

    Args:
        name: the distribution to lock ("twelve").
        extras: its extras (("kit",)).

    Raises:
        NotInstalled: a needed distribution is missing from this environment.
    """
    wanted: dict[str, set[str]] = {}
    todo = [(normalize(name), {normalize(e) for e in extras}, "the service")]
    while todo:
        current, asked, parent = todo.pop()
        known = wanted.get(current)
        if known is not None and asked <= known:
            continue
        wanted.setdefault(current, set()).update(asked)
        try:
            requires = metadata.distribution(current).requires or []
        except metadata.PackageNotFoundError:
            raise NotInstalled(current, parent) from None
        for text in requires:
            child = _needed(text, wanted[current])
            if child is not None:
                todo.append((*child, current))
    return [
        Pin(dist, metadata.version(dist), tuple(sorted(asked)))
        for dist, asked in sorted(wanted.items())
    ]


def _needed(text: str, extras: set[str]) -> tuple[str, set[str]] | None:
    """The (name, extras) a requirement line asks for given our extras, or None."""
    requirement, _, marker = text.partition(";")
    match = _REQUIREMENT.match(requirement)
    if match is None:
        return None
    name = normalize(match[1])
    named = {normalize(extra) for extra in _EXTRA.findall(marker)}
    if named and not named & extras:
        return None
    if _tests_environment(marker) and not _installed(name):
        return None  # an environment marker that was false when this environment was made
    asked = {normalize(e) for e in (match[2] or "").split(",") if e.strip()}
    return name, asked


def _tests_environment(marker: str) -> bool:
    """Whether a marker tests more than extras (python_version, sys_platform, ...)."""
    return bool(_CONNECTIVES.sub("", _EXTRA.sub("", marker)))


def _installed(name: str) -> bool:
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def render_requirements(locked: list[Pin], header: str) -> str:
    """The requirements.txt text: a comment header, then one pin a line.

    Args:
        locked: from `pins`.
        header: comment lines (without `#`) saying where the pins come from.
    """
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comments + "".join(f"{pin}\n" for pin in locked)
