"""S0502 config-baked-into-image."""

import json
import posixpath
import re
import shlex
from collections.abc import Iterator

from twelve.contract import ConfigKey
from twelve.contract.values import ValueType
from twelve.lint.facts import Facts
from twelve.lint.facts.dockerfile import Dockerfile, Instruction
from twelve.lint.rule import rule
from twelve.lint.rules.f05_build_release_run._start_commands import is_dev_path
from twelve.model import Location, Severity, Verdict, fail, not_applicable

_CONFIG_DIR = re.compile(r"(?i)^(?:config|configs|conf|settings|environments?|envs?|deploy)$")
_ENV_FILE = re.compile(r"^\.env(?:[.\w-]*|\*)$")
_TEMPLATE = re.compile(r"(?i)[._-](?:example|sample|template|tmpl|dist|defaults?)$")
_DEPLOY_CONFIG = re.compile(
    r"(?i)(?:^|[._-])(?:prod|production|staging|stage|preprod)"
    r"\.(?:json|ya?ml|toml|ini|env|conf|cfg|py|js|cjs|mjs|ts|properties|xml)$"
)
# Variables that name the deploy; NODE_ENV, RAILS_ENV and the like select a build mode.
_DEPLOY_ENV_NAMES = frozenset(
    {"APP_ENV", "APP_ENVIRONMENT", "ENVIRONMENT", "ENV", "DEPLOY_ENV", "DEPLOYMENT_ENV",
     "DEPLOY_ENVIRONMENT", "GO_ENV", "PYTHON_ENV", "RUST_ENV", "SERVICE_ENV", "STAGE_ENV"}
)  # fmt: skip
_DEPLOYS = frozenset(
    {"prod", "production", "staging", "stage", "preprod", "dev", "development", "qa", "uat",
     "test", "testing", "sandbox", "local"}
)  # fmt: skip


@rule(
    id="S0502",
    name="config-baked-into-image",
    factor=5,
    severity=Severity.ERROR,
    summary="A Dockerfile copies an env or per-environment config file, or sets deploy config",
    remediation=(
        "Build one image for every environment: drop the COPY of env and per-environment "
        "files and the ENV of deploy settings, and inject config at release time (the "
        "platform's environment, a ConfigMap, a secret store)."
    ),
)
def config_baked_into_image(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Checks every Dockerfile (except those for development, like `Dockerfile.dev`) for
    config that belongs to one deploy:

    - `COPY`/`ADD` of a `.env` file (`.env`, `.env.production`, `.env*`), but not of a
      template (`.env.example`, `.env.sample`, ...);
    - `COPY`/`ADD` of a per-environment config file (`config/production.json`,
      `settings/prod.py`, `application-prod.yml`, `appsettings.Production.json`), also
      when it is inside a config directory the instruction copies (`COPY config/ ...`,
      `settings/`, `conf/`, `environments/`);
    - in the final image, `ENV APP_ENV=production` (or `ENVIRONMENT`, `DEPLOY_ENV`, ...
      set to a deploy name such as `prod`, `staging` or `dev`);
    - in the final image, `ENV` with a literal value for a contract key that each deploy
      sets: an attached resource (`backing_service = true`), a `url`, or a required key
      without a default. Tunables with a default (`LOG_LEVEL`) and port keys
      (`ENV PORT=8080`) are harmless image defaults and not reported; secret keys are
      S0305's.

    `NODE_ENV=production` (and `RAILS_ENV`, `MIX_ENV`) is not reported: in a Node image it
    is the conventional way to install only runtime dependencies and enable production
    builds of frameworks, a build mode rather than a choice of deploy. Copies from
    another stage (`COPY --from=build`) are not files of the repository and are skipped.

    ## Why is this bad?
    The build stage must produce one artifact that every environment runs; the release
    stage adds the environment's config. An image carrying `.env` or
    `production.json` is an image for one environment: staging cannot run the artifact
    production will run, the config changes only with a rebuild, and any secret in the
    file now sits in every layer cache and registry the image reaches.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY .env.production /app/.env
    ENV APP_ENV=production \\
        DATABASE_URL=postgres://db.prod.internal/orders
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    COPY . /app
    # APP_ENV and DATABASE_URL are set by the platform for each deploy
    ```

    ## Known problems
    `COPY . .` copies a committed `.env` file unless `.dockerignore` excludes it; rules
    cannot read `.dockerignore`, so that case is not reported. Per-environment files are
    recognised by name only.
    """
    dockerfiles = [d for d in facts.dockerfiles.dockerfiles if not is_dev_path(d.path)]
    if not dockerfiles:
        yield not_applicable("no Dockerfile for production")
        return
    for dockerfile in dockerfiles:
        for instruction in dockerfile.of("COPY", "ADD"):
            for source in _sources(instruction):
                for copied in _baked_files(source, facts.tree.present):
                    location = Location(
                        dockerfile.path, instruction.line, snippet=instruction.value
                    )
                    message = f"{instruction.instruction} of `{copied}` bakes config into the image"
                    yield fail(message, location)
        yield from _env(dockerfile, facts)


def _sources(instruction: Instruction) -> list[str]:
    """The repository paths a COPY or ADD takes (none for `--from` and heredocs)."""
    value = instruction.value
    words: list[str]
    flags = re.match(r"^(?:--\S+\s+)*", value)
    body = value[flags.end() :] if flags else value
    if "--from=" in value[: len(value) - len(body)] or body.startswith("<<"):
        return []
    try:
        parsed = json.loads(body) if body.startswith("[") else None
        words = [str(w) for w in parsed] if isinstance(parsed, list) else shlex.split(body)
    except ValueError:
        words = body.split()
    return [posixpath.normpath(word.removeprefix("./")) for word in words[:-1]]


def _baked_files(source: str, present: set[str]) -> list[str]:
    """The env and per-environment config files a COPY source stands for."""
    name = source.rsplit("/", 1)[-1]
    if _is_baked(name):
        return [source]
    if not _CONFIG_DIR.match(name) or "*" in source:
        return []  # only a config directory is looked into; `COPY . .` is out of reach
    prefix = source.rstrip("/") + "/"
    inside = sorted(p for p in present if p.startswith(prefix) and _is_baked(p.rsplit("/", 1)[-1]))
    return inside[:1]


def _is_baked(name: str) -> bool:
    if _TEMPLATE.search(name):
        return False
    return bool(_ENV_FILE.match(name) or _DEPLOY_CONFIG.search(name))


def _env(dockerfile: Dockerfile, facts: Facts) -> Iterator[Verdict]:
    final = dockerfile.final_stage
    if final is None:
        return
    keys = facts.contract.keys() if facts.contract else {}
    for name, (value, line) in dockerfile.env(final.index).items():
        location = Location(dockerfile.path, line, snippet=f"ENV {name}={value}")
        key = keys.get(name)
        if name.upper() in _DEPLOY_ENV_NAMES and value.strip().lower() in _DEPLOYS:
            yield fail(
                f"ENV `{name}={value}` bakes the deploy environment into the image", location
            )
        elif key is not None and _per_deploy(key) and value and "$" not in value:
            # A URL can carry credentials even when the key is not declared secret.
            location = Location(dockerfile.path, line, snippet=f"ENV {name}=...")
            yield fail(f"ENV `{name}` sets per-deploy config in the image", location)


def _per_deploy(key: ConfigKey) -> bool:
    """A contract key each deploy sets: an attached resource, a URL, or required with no
    default. Secrets are S0305's; tunables with a default may take an image default."""
    if key.secret or key.type is ValueType.PORT:
        return False
    return (
        key.backing_service or key.type is ValueType.URL or (key.required and key.default is None)
    )
