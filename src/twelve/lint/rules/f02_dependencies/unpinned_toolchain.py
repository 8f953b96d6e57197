"""S0203 unpinned-toolchain."""

from collections.abc import Iterator

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.files import is_cli_path
from twelve.lint.facts.toolchain import ToolchainPin
from twelve.lint.rule import rule
from twelve.lint.rules.f02_dependencies._locks import is_dev_requirements
from twelve.model import Location, Severity, Verdict, fail, not_applicable

# Sources that only say what CI or the image use; a developer's machine does not read them.
_NOT_LOCAL = frozenset({"dockerfile", "github-workflow", "gitlab-ci"})
_PIN_FILES = {
    "python": ".python-version, .tool-versions or requires-python `==3.12.*`",
    "node": ".nvmrc, .node-version, .tool-versions or an exact engines.node",
    "go": "the go.mod `go` or `toolchain` directive, or .tool-versions",
    "rust": "rust-toolchain.toml with a version channel, or .tool-versions",
}


@rule(
    id="S0203",
    name="unpinned-toolchain",
    factor=2,
    severity=Severity.WARNING,
    summary="A language the service uses has no pinned version for development",
    remediation=(
        "Pin the language version where every developer's tools read it: `.python-version` "
        "(`uv python pin 3.12`), `.nvmrc`, the go.mod `toolchain` line, `rust-toolchain.toml`, "
        "or `.tool-versions`."
    ),
)
def unpinned_toolchain(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds the languages the repository uses and checks that each has an exact version
    pin that development tools read: `.python-version`, `runtime.txt`, `.nvmrc`,
    `.node-version`, `.tool-versions` (asdf, mise), `package.json` `engines.node` or
    `volta.node`, `requires-python`, the go.mod `go`/`toolchain` directives,
    `rust-toolchain(.toml)`, or a dev container image or feature. A pin must fix a
    version (`3.12`, `20`, `1.79.0`): a range (`>=3.11`, `^20`) or a moving channel
    (`stable`, `lts/*`, `latest`) is not one, and is named in the finding.

    A language is in use when an application manifest of it exists (`pyproject.toml`,
    requirements, `Pipfile` or `setup.cfg` with dependencies; `package.json` with runtime
    dependencies; `go.mod`; `Cargo.toml`). In a repository without any manifest, Python
    files outside tests, scripts and docs make Python in use. Versions given only by a
    Dockerfile or CI do not count: they pin the image and the pipeline, not the
    developer's machine.

    ## Why is this bad?
    Without a pin each developer, the CI runner and the image each pick their own
    interpreter or compiler. Code that uses a newer feature works on one machine and
    fails on another, and bugs that depend on the runtime version cannot be reproduced.

    ## Example
    ```toml
    # pyproject.toml, and no .python-version
    [project]
    requires-python = ">=3.10"
    ```

    ## Use instead
    ```text
    # .python-version (written by `uv python pin 3.12`)
    3.12
    ```

    ## Known problems
    Pins are looked for anywhere in the repository, so in a monorepo one service's pin
    satisfies the check for another service of the same language.
    """
    in_use = _languages_in_use(facts)
    if not in_use:
        yield not_applicable("no language in use with a manifest")
        return
    for language, where in in_use.items():
        local = [p for p in facts.toolchains.of(language) if p.source not in _NOT_LOCAL]
        if any(p.exact for p in local):
            continue
        loose = next((p for p in local if p.defers_to is None), None)
        if loose is None:
            yield fail(f"{language} version not pinned ({_PIN_FILES[language]})", where)
        else:
            yield fail(
                f"{language} version only constrained by {loose.source} `{loose.version}`, "
                f"not pinned ({_PIN_FILES[language]})",
                _pin_location(loose),
            )


def _languages_in_use(facts: Facts) -> dict[str, Location]:
    """Each language in use and the manifest (or file) that shows it, shallowest first."""
    found: dict[str, Location] = {}
    manifests = sorted(facts.manifests.manifests, key=lambda m: (m.path.count("/"), m.path))
    for manifest in manifests:
        if manifest.is_library or manifest.ecosystem in found:
            continue
        if manifest.kind == "requirements" and is_dev_requirements(manifest):
            continue
        runtime = any(not d.dev for d in manifest.dependencies)
        if runtime or manifest.ecosystem in ("go", "rust"):
            found[manifest.ecosystem] = Location(manifest.path)
    if not facts.manifests.manifests:
        python = [
            f
            for f in facts.files
            if f.language is Language.PYTHON
            and not f.is_test
            and not is_cli_path(f.path)
            and not f.path.startswith("docs/")
        ]
        if python:
            found["python"] = Location(python[0].path)
    return found


def _pin_location(pin: ToolchainPin) -> Location:
    return Location(pin.path, pin.line, snippet=pin.version)
