"""S0201 missing-lockfile."""

from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.rule import rule
from twelve.lint.rules.f02_dependencies._locks import LOCKFILE_NAMES, is_locked, needs_lock
from twelve.model import Location, Severity, Verdict, fail, not_applicable


@rule(
    id="S0201",
    name="missing-lockfile",
    factor=2,
    severity=Severity.ERROR,
    summary="An application's dependency manifest has no lockfile",
    remediation=(
        "Generate the lockfile with the project's package manager (`uv lock`, `npm install`, "
        "`go mod tidy`, `cargo generate-lockfile`, `pip-compile`), commit it, and install "
        "from it in CI and the image."
    ),
)
def missing_lockfile(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    For every application manifest that declares runtime dependencies, checks that a
    lockfile of its ecosystem is committed in its directory or a parent directory (a
    workspace root):

    - Python (`pyproject.toml`, `Pipfile`, `setup.cfg`): `uv.lock`, `poetry.lock`,
      `pdm.lock`, `Pipfile.lock`, a requirements file with `--hash` options, or a
      requirements file that pins every entry with `==` (what `pip-compile` and
      `uv export` write): for pip users that file is the lock.
    - Node (`package.json`): `package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`,
      `pnpm-lock.yaml`, `bun.lockb` or `bun.lock`.
    - Go (`go.mod` with `require` lines): `go.sum` beside it.
    - Rust (`Cargo.toml` of a binary or a workspace): `Cargo.lock`.

    Libraries are skipped (they are meant to float within ranges; the manifest facts tell
    them apart and treat any manifest next to a deploy marker such as a Procfile or
    twelve.toml as an application), and so are manifests that list only development
    dependencies. Requirements files are never reported here: a fully pinned one is a
    lock, and a loose one is reported entry by entry by S0202.

    ## Why is this bad?
    Without a lockfile every install resolves the ranges again: the image built today and
    the one built tomorrow from the same commit run different code, a transitive
    dependency can change under you (or be hijacked), and "works on my machine" becomes
    a version mismatch nobody can reproduce. A build is only repeatable when the exact
    versions of the whole dependency tree are committed.

    ## Example
    ```text
    api/
      pyproject.toml      # dependencies = ["fastapi>=0.110", "sqlalchemy>=2"]
      Dockerfile          # RUN pip install .
    ```

    ## Use instead
    ```text
    api/
      pyproject.toml
      uv.lock             # committed; the Dockerfile runs `uv sync --frozen`
      Dockerfile
    ```

    ## Known problems
    A lockfile in a parent directory counts even when the manifest is not a member of
    that workspace. A lockfile that is not committed (listed in .gitignore) does not
    count, which is intended. A `package.json` that lists everything under
    `devDependencies` (a bundled front end) is not checked.
    """
    manifests = facts.manifests
    if not manifests.manifests:
        yield not_applicable("no dependency manifests")
        return
    for manifest in manifests.manifests:
        if not needs_lock(manifest) or is_locked(manifest, manifests):
            continue
        runtime = sum(1 for d in manifest.dependencies if not d.dev)
        names = LOCKFILE_NAMES[manifest.ecosystem]
        message = f"{runtime} runtime dependencies and no lockfile ({names})"
        if runtime == 1:
            message = f"1 runtime dependency and no lockfile ({names})"
        yield fail(message, Location(manifest.path))
