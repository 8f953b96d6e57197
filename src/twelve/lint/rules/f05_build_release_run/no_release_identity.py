"""S0503 no-release-identity."""

import re
from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.facts.dockerfile import Dockerfile
from twelve.lint.rule import rule
from twelve.lint.rules.f05_build_release_run._start_commands import contract_path, is_dev_path
from twelve.model import Location, Severity, Verdict, fail, not_applicable

_IDENTITY_LABELS = frozenset(
    {"org.opencontainers.image.revision", "org.opencontainers.image.version",
     "org.label-schema.vcs-ref", "org.label-schema.version"}
)  # fmt: skip
# Build arguments that carry the release: GIT_SHA, COMMIT, VERSION, APP_VERSION, VCS_REF, ...
# but not the version of a tool or base image (PYTHON_VERSION, ALPINE_VERSION).
_IDENTITY_ARG = re.compile(
    r"^(?:(?:APP|SERVICE|BUILD|RELEASE|SOURCE|GIT)_)?(?:VERSION|REVISION|RELEASE|COMMIT|SHA)$"
    r"|^(?:GIT|VCS)_(?:SHA|COMMIT|REF|REV|REVISION|HASH|TAG|DESCRIBE)$"
    r"|^(?:COMMIT_SHA|COMMIT_HASH|SOURCE_COMMIT|BUILD_ID|BUILD_NUMBER)$"
)


@rule(
    id="S0503",
    name="no-release-identity",
    factor=5,
    severity=Severity.WARNING,
    summary="A release cannot tell which build it is: no version label, build arg or version_env",
    remediation=(
        "Pass the commit into the build and record it: `ARG GIT_SHA` with `LABEL "
        "org.opencontainers.image.revision=$GIT_SHA` and `ENV GIT_SHA=$GIT_SHA`, and declare "
        '`version_env = "GIT_SHA"` under [service] in twelve.toml.'
    ),
)
def no_release_identity(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Checks that a release can be identified. Passes when the contract declares
    `[service] version_env` (the env var carrying the commit SHA); otherwise each
    production Dockerfile (not `Dockerfile.dev` and the like) must record the release in
    the image: a `LABEL org.opencontainers.image.revision` or
    `org.opencontainers.image.version`, or a build argument for it (`ARG GIT_SHA`,
    `COMMIT`, `VERSION`, `APP_VERSION`, `REVISION`, `VCS_REF`, ...; tool versions such as
    `PYTHON_VERSION` do not count). The finding points at the Dockerfile's final `FROM`,
    or at twelve.toml when there is no Dockerfile. Not applicable without both.

    ## Why is this bad?
    When a running process cannot say which build it is, nobody can tell which commit
    caused an incident, whether a fix is deployed, or which release to roll back to.
    Logs and error reports without a version cannot be tied to the code that wrote them.
    The release stage must give every release a unique identity that the run stage can
    report.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY . /app
    CMD ["gunicorn", "orders.wsgi"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    ARG GIT_SHA
    LABEL org.opencontainers.image.revision=$GIT_SHA
    ENV GIT_SHA=$GIT_SHA
    COPY . /app
    CMD ["gunicorn", "orders.wsgi"]
    ```

    ## Known problems
    A build argument counts by its name, whether or not the build passes it. A version
    set by other means (Go `-ldflags -X main.version=...`, a generated file) is not
    seen: declare its variable as `version_env` in the contract, or suppress with a
    reason.
    """
    contract = facts.contract
    if contract is not None and contract.service.version_env:
        return
    dockerfiles = [d for d in facts.dockerfiles.dockerfiles if not is_dev_path(d.path)]
    if not dockerfiles:
        if contract is None:
            yield not_applicable("no Dockerfile and no contract")
            return
        line = contract.line_of("service")
        location = Location(contract_path(facts), line, snippet="[service]")
        yield fail("no release identity: [service] declares no version_env", location)
        return
    for dockerfile in dockerfiles:
        final = dockerfile.final_stage
        if final is None or _identified(dockerfile):
            continue
        location = Location(dockerfile.path, final.line, snippet=f"FROM {final.image}")
        yield fail(
            "image records no release: no revision/version label, no version build arg, "
            "no version_env in twelve.toml",
            location,
        )


def _identified(dockerfile: Dockerfile) -> bool:
    final = dockerfile.final_stage
    index = final.index if final else None
    if _IDENTITY_LABELS & set(dockerfile.labels(index)):
        return True
    return any(_IDENTITY_ARG.match(name.upper()) for name in dockerfile.args())
