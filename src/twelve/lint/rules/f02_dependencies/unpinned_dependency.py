"""S0202 unpinned-dependency."""

from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.facts.manifests import Dependency, Manifest
from twelve.lint.rule import rule
from twelve.lint.rules.f02_dependencies._locks import is_dev_requirements, is_locked, needs_lock
from twelve.model import Location, Severity, Verdict, fail, not_applicable


@rule(
    id="S0202",
    name="unpinned-dependency",
    factor=2,
    severity=Severity.WARNING,
    summary="A requirements file entry is not pinned, or an unlocked app manifest uses ranges",
    remediation=(
        "Pin the exact version (`name==1.2.3` in requirements files; generate them with "
        "`pip-compile` or `uv export`), or commit a lockfile for the manifest."
    ),
)
def unpinned_dependency(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Reports each runtime dependency whose version can float at install time:

    - in a requirements file (`requirements*.txt`, `requirements/*.txt`), every entry not
      pinned to one version with `==`/`===`, a `--hash`, a constraint file's `==` or a
      commit-pinned URL;
    - in an application manifest that no lockfile covers (`package.json`,
      `pyproject.toml`, `Pipfile`, `Cargo.toml`), every entry given as a range (`^4.18`,
      `~1.2`, `*`, `>=2`, a bare Cargo `1.2`).

    With a lockfile present, ranges in `package.json`, `pyproject.toml` or `Cargo.toml`
    are normal and not reported: the lockfile pins the versions. Requirements files are
    checked regardless, because `pip install -r` reads them and not the lockfile.
    Requirements for development (a file or directory named `dev`, `test`, `lint`,
    `docs`, `ci`, ...), development dependency groups and libraries are skipped.

    ## Why is this bad?
    A range resolves to whatever is newest at install time. Two builds of the same commit
    install different versions, a breaking or malicious release reaches production
    without a code change, and a rollback does not roll the dependency back.

    ## Example
    ```text
    # requirements.txt
    flask>=2.3
    gunicorn
    ```

    ## Use instead
    ```text
    # requirements.txt, compiled from requirements.in by pip-compile
    flask==3.0.3
    gunicorn==22.0.0
    ```

    ## Known problems
    Only the requirements files the manifest facts parse are seen (`*.in` sources are
    not requirements files). A loose `pip install flask` inside a Dockerfile `RUN` is not
    checked.
    """
    manifests = facts.manifests
    if not manifests.manifests:
        yield not_applicable("no dependency manifests")
        return
    for manifest in manifests.manifests:
        if manifest.kind == "requirements":
            if is_dev_requirements(manifest):
                continue
            for dependency in _floating(manifest):
                shown = f"{dependency.name}{dependency.spec}".strip()
                yield fail(f"`{shown}` is not pinned with `==`", _location(manifest, dependency))
        elif needs_lock(manifest) and not is_locked(manifest, manifests):
            for dependency in _floating(manifest):
                spec = dependency.spec or "any version"
                yield fail(
                    f"`{dependency.name}` `{spec}` floats: no lockfile pins it",
                    _location(manifest, dependency),
                )


def _floating(manifest: Manifest) -> Iterator[Dependency]:
    return (d for d in manifest.dependencies if not d.pinned and not d.dev)


def _location(manifest: Manifest, dependency: Dependency) -> Location:
    return Location(manifest.path, dependency.line, snippet=f"{dependency.name} {dependency.spec}")
