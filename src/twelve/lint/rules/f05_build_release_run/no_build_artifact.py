"""S0501 no-build-artifact."""

import re
from collections.abc import Iterator
from typing import Any

from twelve.lint.facts import Facts
from twelve.lint.facts.dockerfile import is_dockerfile
from twelve.lint.facts.files import is_test_path
from twelve.lint.rule import rule
from twelve.lint.rules.f05_build_release_run._start_commands import is_dev_path
from twelve.model import Location, Severity, Verdict, fail, not_applicable

# Build configurations that produce an image or a release binary by themselves.
_BUILD_FILES = frozenset(
    {"project.toml", "nixpacks.toml", ".goreleaser.yml", ".goreleaser.yaml", ".ko.yaml",
     "Earthfile", "skaffold.yaml"}
)  # fmt: skip
_BUILD_ACTION = re.compile(
    r"^(?:(?:actions/)?docker|depot)/(?:build-push|bake)-action\b|^redhat-actions/buildah-build\b"
    r"|^goreleaser/goreleaser-action\b|^int128/kaniko-action\b"
)
_BUILD_COMMAND = re.compile(
    r"\b(?:docker|podman|nerdctl)\s+(?:image\s+)?(?:buildx\s+)?(?:build|bake)\b"
    r"|\bbuildah\s+(?:bud|build)\b|/kaniko/executor\b|\bko\s+(?:build|publish|resolve|apply)\b"
    r"|\bpack\s+build\b|\bgoreleaser\b|\bcargo\s+build\b[^\n;&|]*--release\b|\bgo\s+build\b"
    r"|\bpython3?\s+-m\s+build\b|\b(?:uv|poetry|hatch|pdm)\s+build\b"
    r"|\b(?:npm|pnpm|bun)\s+run\s+build\b|\b(?:yarn|pnpm)\s+build\b"
)
_GITLAB_SCRIPTS = ("before_script", "script", "after_script")


@rule(
    id="S0501",
    name="no-build-artifact",
    factor=5,
    severity=Severity.WARNING,
    summary="Nothing in the repository builds an immutable artifact (image or binary)",
    remediation=(
        "Add a build that produces one versioned artifact per commit: a Dockerfile built "
        "in CI (`docker/build-push-action`), buildpacks (`project.toml`), `ko build` or "
        "`goreleaser`."
    ),
)
def no_build_artifact(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Looks for something that turns the code into an artifact that can be released: a
    Dockerfile or Containerfile (not one for development, such as `Dockerfile.dev` or
    `.devcontainer/Dockerfile`); a buildpack, nixpacks, ko, goreleaser, Earthly or
    Skaffold configuration; or a CI step that builds one. A GitHub Actions step counts
    when it uses `docker/build-push-action`, `docker/bake-action`, buildah, kaniko or
    goreleaser, and a `run:` step (or a GitLab CI `script:` line) when it runs
    `docker build`/`docker buildx build`, `buildah bud`, `ko build`, `pack build`,
    `cargo build --release`, `go build`, `python -m build`, `uv build`, `poetry build`,
    `npm run build` or the like. Reported once, on the repository root, when there is
    none. Not applicable to a repository without code or dependency manifests.

    ## Why is this bad?
    Without a build stage, what runs in production is assembled on the server: a `git
    pull` and an install on each host, or a platform building from source on every
    deploy. Two hosts can then run different code for the same release, a rollback
    rebuilds instead of redeploying a known artifact, and nothing proves that what runs
    is what was tested.

    ## Example
    ```yaml
    # .github/workflows/deploy.yml
    steps:
      - run: ssh prod "cd /srv/app && git pull && pip install -r requirements.txt"
    ```

    ## Use instead
    ```yaml
    steps:
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/acme/app:${{ github.sha }}
    ```

    ## Known problems
    Only GitHub Actions and GitLab CI are read, and build steps hidden in a Makefile or
    a script (`run: make image`) are not seen; suppress the finding with a reason, or
    set it in the contract's `[lint] per_path_ignores`.
    """
    has_code = any(f.language is not None for f in facts.files)
    if not has_code and not facts.manifests.manifests:
        yield not_applicable("no code to build")
        return
    if _has_build_file(facts) or _ci_builds(facts):
        return
    yield fail(
        "nothing builds an artifact: no Dockerfile, buildpack config or CI build step",
        Location(".", snippet="no Dockerfile"),
    )


def _has_build_file(facts: Facts) -> bool:
    return any(
        (is_dockerfile(path) or path.rsplit("/", 1)[-1] in _BUILD_FILES)
        and not is_test_path(path)
        and not (is_dockerfile(path) and is_dev_path(path))
        for path in facts.tree.present
    )


def _ci_builds(facts: Facts) -> bool:
    for doc in facts.yaml.workflows:
        jobs = doc.data.get("jobs") if isinstance(doc.data, dict) else None
        for job in jobs.values() if isinstance(jobs, dict) else ():
            steps = job.get("steps") if isinstance(job, dict) else None
            for step in steps if isinstance(steps, list) else ():
                if isinstance(step, dict) and _step_builds(step):
                    return True
    for doc in facts.yaml.of_kind("gitlab-ci"):
        jobs = doc.data.values() if isinstance(doc.data, dict) else ()
        for job in jobs:
            for key in _GITLAB_SCRIPTS:
                lines = job.get(key) if isinstance(job, dict) else None
                if any(_BUILD_COMMAND.search(line) for line in _strings(lines)):
                    return True
    return False


def _step_builds(step: dict[str, Any]) -> bool:
    uses = step.get("uses")
    if isinstance(uses, str) and _BUILD_ACTION.search(uses):
        return True
    run = step.get("run")
    return isinstance(run, str) and _BUILD_COMMAND.search(run) is not None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [line for item in value for line in _strings(item)]
    return []
