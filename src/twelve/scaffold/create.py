"""Write a new service: refuse a bad name or a busy directory, then write every file at once.

Nothing is written until everything is known: the names are valid, the lock could be
computed and the directory may be used. The operational documents and `.env.example` come
last, from `twelve docs`' own generator, so they describe the files as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from twelve import __version__
from twelve.contract import load_contract
from twelve.docs import generate
from twelve.scaffold.errors import MissingDependency, TargetNotEmpty
from twelve.scaffold.lock import NotInstalled, pins, render_requirements
from twelve.scaffold.names import ServiceName
from twelve.scaffold.render import Toolchain, render

LOCKED = ("twelve", ("kit",))


@dataclass(frozen=True, slots=True)
class NewService:
    """What `create_service` wrote.

    Args:
        root: the service's directory.
        service: its names.
        files: every file written, relative to `root`, sorted.
    """

    root: Path
    service: ServiceName
    files: tuple[str, ...]


def create_service(
    name: str, directory: Path | None = None, *, worker: bool = True, force: bool = False
) -> NewService:
    """Generate the service `name` into `directory`.

    Args:
        name: the kebab-case service name.
        directory: where (default: `./NAME`); created when missing.
        worker: include a worker process.
        force: write into a directory that already holds files, replacing files of the
            same names and keeping the others.

    Raises:
        InvalidName: the name cannot be used.
        TargetNotEmpty: `directory` holds files and `force` is False (or is not a directory).
        MissingDependency: twelve[kit] is not fully installed here.
    """
    service = ServiceName.parse(name)
    root = directory if directory is not None else Path(name)
    toolchain = Toolchain.current()
    files = render(service, worker=worker, toolchain=toolchain, twelve_version=__version__)
    files["requirements.txt"] = _requirements(toolchain)
    _check_target(root, force=force)
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    docs = generate(root, load_contract(root / "twelve.toml"))
    written = {*files, *(file.path for file in docs.files)}
    return NewService(root, service, tuple(sorted(written)))


def _requirements(toolchain: Toolchain) -> str:
    name, extras = LOCKED
    try:
        locked = pins(name, extras)
    except NotInstalled as exc:
        raise MissingDependency(
            f"cannot pin the service's dependencies: {exc}; install `twelve[kit]` where "
            "twelve runs, then run `twelve new` again"
        ) from None
    header = (
        "The lock: twelve[kit] and everything it needs, pinned at the versions `twelve new`\n"
        f"found installed (twelve {__version__}, Python {toolchain.python}). After changing\n"
        "pyproject.toml, regenerate it: uv pip compile pyproject.toml -o requirements.txt"
    )
    return render_requirements(locked, header)


def _check_target(root: Path, *, force: bool) -> None:
    if root.exists() and not root.is_dir():
        raise TargetNotEmpty(f"{root} exists and is not a directory")
    if root.is_dir() and any(root.iterdir()) and not force:
        raise TargetNotEmpty(
            f"{root} exists and is not empty: choose another directory with --dir, or pass "
            "--force to write the service's files into it (files of the same name are replaced)"
        )
