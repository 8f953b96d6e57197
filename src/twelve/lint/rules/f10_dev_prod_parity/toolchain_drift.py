"""S1001 toolchain-drift."""

import re
from collections import Counter
from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.facts.toolchain import ToolchainPin
from twelve.lint.rule import rule
from twelve.lint.rules.f05_build_release_run._start_commands import is_dev_path
from twelve.model import Location, Severity, Verdict, fail, not_applicable

# When files disagree and no production Dockerfile settles it, the more authoritative
# source wins a tie: a version file, then a manifest, then an image, a dev container, CI.
_AUTHORITY = {
    ".python-version": 0, ".tool-versions": 0, ".nvmrc": 0, ".node-version": 0,
    "runtime.txt": 0, "rust-toolchain": 0, "rust-toolchain.toml": 0, "go.mod toolchain": 0,
    "requires-python": 1, "poetry": 1, "engines": 1, "volta": 1, "dockerfile": 2,
    "devcontainer": 3, "devcontainer feature": 3,
}  # fmt: skip
_CI_AUTHORITY = 4


@rule(
    id="S1001",
    name="toolchain-drift",
    factor=10,
    severity=Severity.WARNING,
    summary="A language's version pins disagree (version file, manifest, image, CI, devcontainer)",
    remediation=(
        "Use one version everywhere: make CI and the dev container read the version file "
        "(`python-version-file: .python-version`) and build the image from the same version."
    ),
)
def toolchain_drift(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Compares, per language, the exact version pins of every source: version files
    (`.python-version`, `.nvmrc`, `.tool-versions`, `rust-toolchain.toml`, the go.mod
    `toolchain` line), manifests (`requires-python = "==3.12.*"`, `engines`, `volta`),
    Dockerfile base images, CI setup actions and job images, and dev containers.
    Versions are compared as major.minor (major for Node).

    The reference is production: the version of the production Dockerfiles (not
    `Dockerfile.dev` and the like) when they agree. Without one, it is the version most
    files pin, a tie going to the more authoritative source (version file, then manifest,
    Dockerfile, dev container, CI); when even that ties, nothing is reported. Each file
    that pins a different version is reported at its first such pin; a file that pins
    several versions (a CI matrix) is fine as long as one of them is the reference.

    Ranges (`>=3.11`, `^20`), moving channels (`stable`, `lts/*`) and the go.mod `go`
    line (a minimum, not the toolchain) are not compared, and neither is a CI step that
    reads a version file (it cannot disagree with it).

    ## Why is this bad?
    When developers run 3.11, CI tests 3.12 and the image ships 3.13, a test run proves
    little about production: behaviour changes between minor versions (deprecations
    removed, new syntax, different dependency wheels) surface only after deploying.
    Dev/prod parity asks for the same toolchain everywhere.

    ## Example
    ```yaml
    # .github/workflows/ci.yml, while the Dockerfile says FROM python:3.12-slim
    - uses: actions/setup-python@v5
      with:
        python-version: "3.11"
    ```

    ## Use instead
    ```yaml
    - uses: actions/setup-python@v5
      with:
        python-version-file: .python-version   # 3.12, like the Dockerfile
    ```

    ## Known problems
    A monorepo whose services deliberately use different versions of a language is
    reported; ignore the rule for one service's paths in `[lint] per_path_ignores`.
    """
    by_language: dict[str, list[ToolchainPin]] = {}
    for pin in facts.toolchains.pins:
        if _comparable(pin):
            by_language.setdefault(pin.language, []).append(pin)
    if not any(len({p.path for p in pins}) > 1 for pins in by_language.values()):
        yield not_applicable("no language pinned in two places")
        return
    for language, pins in by_language.items():
        reference = _reference(pins)
        if reference is None:
            continue
        value, where, basis = reference
        files: dict[str, list[ToolchainPin]] = {}
        for pin in pins:
            files.setdefault(pin.path, []).append(pin)
        for path_pins in files.values():
            versions = list(dict.fromkeys(p.normalized for p in path_pins))
            if value in versions:
                continue
            first = min(path_pins, key=lambda p: p.line)
            shown = ", ".join(versions)
            yield fail(
                f"{language} {shown} here, {value} in {basis} ({where.path}:{where.line})",
                Location(first.path, first.line, snippet=first.version),
            )


def _comparable(pin: ToolchainPin) -> bool:
    return (
        pin.exact
        and pin.defers_to is None
        and pin.source != "go.mod go"
        and re.match(r"^\d", pin.normalized) is not None
    )


def _reference(pins: list[ToolchainPin]) -> tuple[str, ToolchainPin, str] | None:
    """The version everything should agree with, the pin that states it, and why."""
    production = [p for p in pins if p.source == "dockerfile" and not is_dev_path(p.path)]
    if len({p.normalized for p in production}) == 1:
        return production[0].normalized, production[0], "production"
    votes = Counter(value for value, _ in {(p.normalized, p.path) for p in pins})
    if len(votes) < 2:
        return None
    top = max(votes.values())
    tied = [value for value, count in votes.items() if count == top]
    ranks = {value: min(_rank(p) for p in pins if p.normalized == value) for value in tied}
    best = min(ranks.values())
    winners = [value for value in tied if ranks[value] == best]
    if len(winners) != 1:
        return None
    value = winners[0]
    where = min((p for p in pins if p.normalized == value), key=_rank)
    return value, where, "most pins"


def _rank(pin: ToolchainPin) -> int:
    return _AUTHORITY.get(pin.source, _CI_AUTHORITY)
