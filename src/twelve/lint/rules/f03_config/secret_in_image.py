"""S0305 secret-in-image."""

import re
from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.rule import rule
from twelve.lint.rules.f03_config._secret_names import (
    is_literal_secret,
    is_secret_name,
    secret_names,
)
from twelve.lint.rules.f05_build_release_run._start_commands import is_dev_path
from twelve.model import Location, Severity, Verdict, fail, not_applicable

_REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_MASK = "*" * 8


@rule(
    id="S0305",
    name="secret-in-image",
    factor=3,
    severity=Severity.ERROR,
    summary="A Dockerfile ENV or ARG gives a secret a value that ends up in the image",
    remediation=(
        "Remove the value from the Dockerfile: inject the secret at run time from the "
        "platform's secret store, and pass build-time secrets with "
        "`RUN --mount=type=secret` instead of ARG or ENV."
    ),
)
def secret_in_image(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Checks `ENV` and `ARG` instructions of every Dockerfile for secrets: variables whose
    name says they hold one (`*_PASSWORD`, `*_SECRET`, `*_TOKEN`, `*_API_KEY`,
    `*_PRIVATE_KEY`, `*_CREDENTIALS`, ...) or that the contract declares
    `secret = true`. Reported:

    - `ENV NAME=value` with a literal value;
    - `ARG NAME=value` with a literal default;
    - `ENV NAME=$ARG_NAME` copying a build argument into the environment, which stores
      the argument's value in the image configuration.

    An `ARG` without a default, values that are numbers, booleans or paths
    (`/run/secrets/db`), and names that describe the secret rather than hold it
    (`TOKEN_TTL`, `SECRET_FILE`, `API_KEY_HEADER`) are fine. Dockerfiles for local
    development (`Dockerfile.dev`, `.devcontainer/`), whose passwords are throwaway, are
    skipped (S0301 still reports a real token anywhere). The value is masked in the
    report.

    ## Why is this bad?
    Everything an `ENV` sets is stored in the image configuration, and `docker inspect`
    shows it to anyone who can pull the image. Build arguments are no better: their
    values are recorded in the image history (`docker history`) of every layer that
    uses them. The secret then lives in every registry, cache and node the image reaches,
    and rotating it means rebuilding and redeploying.

    ## Example
    ```dockerfile
    ARG NPM_TOKEN=npm_8f3kq0Zx7
    ENV DB_PASSWORD=s3cr3t-Pa55
    RUN npm ci
    ```

    ## Use instead
    ```dockerfile
    # the token is mounted for this one RUN and never stored in a layer
    RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
    # DB_PASSWORD is injected by the platform at run time (a Kubernetes secretKeyRef)
    ```

    ## Known problems
    Names are matched by words, so a secret in a variable with an unusual name
    (`STRIPE_KEY`, `DSN`) is missed unless the contract declares it secret. The line is
    the instruction's first line, also for a value on a continuation line.
    """
    dockerfiles = [d for d in facts.dockerfiles.dockerfiles if not is_dev_path(d.path)]
    if not dockerfiles:
        yield not_applicable("no Dockerfile for production")
        return
    declared = secret_names(facts.contract)
    for dockerfile in dockerfiles:
        build_args = set(dockerfile.args())
        for instruction in dockerfile.of("ENV", "ARG"):
            for name, value in instruction.pairs:
                if not is_secret_name(name, declared):
                    continue
                kind = instruction.instruction
                if is_literal_secret(value):
                    location = Location(
                        dockerfile.path, instruction.line, snippet=f"{kind} {name}={_MASK}"
                    )
                    why = "is stored in the image" if kind == "ENV" else "persists in image history"
                    message = f"{kind} `{name}` has a literal value that {why}"
                    yield fail(message, location, secrets=[value])
                elif kind == "ENV" and (copied := _copied_arg(value, build_args)):
                    location = Location(
                        dockerfile.path, instruction.line, snippet=f"ENV {name}={value}"
                    )
                    yield fail(
                        f"ENV `{name}` copies build argument `{copied}` into the image", location
                    )


def _copied_arg(value: str, build_args: set[str]) -> str | None:
    """The build argument an ENV value references, if any."""
    return next((n for n in _REFERENCE.findall(value) if n in build_args), None)
