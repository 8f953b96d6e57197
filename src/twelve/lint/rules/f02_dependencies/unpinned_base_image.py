"""S0204 unpinned-base-image."""

from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.facts.dockerfile import Stage
from twelve.lint.rule import rule
from twelve.model import Location, Severity, Verdict, fail, not_applicable


@rule(
    id="S0204",
    name="unpinned-base-image",
    factor=2,
    severity=Severity.WARNING,
    summary="A Dockerfile FROM has no tag or uses `latest`",
    remediation=(
        "Give every base image an explicit version tag (`python:3.12-slim`), ideally with "
        "its digest (`python:3.12-slim@sha256:...`), and update it deliberately."
    ),
)
def unpinned_base_image(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Checks every `FROM` of every Dockerfile and Containerfile: an image without a tag
    (which means `latest`) or tagged `latest` is reported, unless a digest pins it.
    `scratch` and stages built on an earlier stage (`FROM build`) are not images and are
    skipped. Images written with build arguments (`FROM ${BASE}`) are judged after
    substituting the defaults of the `ARG`s declared before the first `FROM`; an argument
    without a default is left to the build and not reported.

    ## Why is this bad?
    `latest` is whatever the publisher pushed last. The same Dockerfile builds a different
    image next week, a new major version of the runtime or the OS arrives without a
    code change or a review, and an old build cannot be reproduced to bisect a bug.

    ## Example
    ```dockerfile
    FROM python
    FROM node:latest AS assets
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    FROM node:20.11-alpine AS assets
    ```

    ## Known problems
    A tag can still move (`python:3.12` follows patch releases); only a digest is
    immutable, but a version tag is accepted here as a reasonable balance. Images named
    in `COPY --from=image` or `RUN --mount=from=image` are not checked.
    """
    dockerfiles = facts.dockerfiles.dockerfiles
    if not dockerfiles:
        yield not_applicable("no Dockerfile")
        return
    for dockerfile in dockerfiles:
        for stage in dockerfile.stages:
            problem = _problem(stage)
            if problem is not None:
                location = Location(dockerfile.path, stage.line, snippet=f"FROM {stage.image}")
                yield fail(problem, location)


def _problem(stage: Stage) -> str | None:
    """Why the stage's base image is not pinned, or None."""
    if not stage.external or stage.digest is not None:
        return None
    if "$" in stage.base_image or (stage.tag is not None and "$" in stage.tag):
        return None  # a build argument without a default: the build decides
    via = f" (`{stage.image}`)" if "$" in stage.image else ""
    if stage.tag is None:
        return f"base image `{stage.base_image}`{via} has no tag, so it is `latest`"
    if stage.tag.lower() == "latest":
        return f"base image `{stage.base_image}:latest`{via} is not pinned"
    return None
