"""S0102 env-specific-config-file."""

import re
from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.facts.files import is_test_path
from twelve.lint.rule import rule
from twelve.model import Location, Severity, Verdict, fail

_ENV = r"(?P<env>prod|production|preprod|pre-prod|staging|stage|stg|dev|development|qa|uat)"
_CODE = r"(?:py|js|cjs|mjs|ts|json|ya?ml|toml|ini|cfg|conf|properties|xml|rb|exs)"
_DATA = r"(?:json|ya?ml|toml|ini|cfg|conf|properties)"
_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # config/production.py, settings/prod.py, config/environments/production.rb
        rf"(?:^|/)(?:config|configs|conf|settings|environments|envs)/{_ENV}\.{_CODE}$",
        # settings_prod.py, config.production.js, appsettings.Production.json, application-prod.yml
        rf"(?:^|/)(?:settings|config|configuration|appsettings|application)[._-]{_ENV}\.{_CODE}$",
        # prod_settings.py, production.config.json
        rf"(?:^|/){_ENV}[._-](?:settings|config)\.{_CODE}$",
        # database.production.yml, app.prod.yaml
        rf"(?:^|/)[\w-]+\.{_ENV}\.{_DATA}$",
    )
)
# Deployment descriptors are where per-deploy config is injected from; they are not app config.
_DEPLOY_DIRS = frozenset(
    {"deploy", "deploys", "deployment", "deployments", "k8s", "kube", "kubernetes", "helm",
     "chart", "charts", "manifests", "overlays", "infra", "infrastructure", "terraform", "ops",
     "ansible", "argocd", "flux", ".github", ".gitlab", ".circleci"}
)  # fmt: skip
_DEPLOY_NAMES = re.compile(
    r"^(?:values|docker-compose|compose|kustomization|skaffold|serverless|fly)\b", re.I
)
# Build and tool configuration (`tsconfig.prod.json`) configures a tool, not the service.
_TOOL_NAMES = re.compile(
    r"^\.?(?:tsconfig|jsconfig|babel|jest|eslintrc|eslint|prettier|webpack|vite|rollup|cypress"
    r"|playwright|nx|turbo|lerna|renovate|codecov|mkdocs|openapi|swagger)\b",
    re.I,
)


@rule(
    id="S0102",
    name="env-specific-config-file",
    factor=1,
    severity=Severity.WARNING,
    summary="A config file per named environment (config/production.py, settings_prod.py)",
    remediation=(
        "Merge the per-environment files into one config read from environment variables, "
        "and give each deploy its values through its environment."
    ),
)
def env_specific_config_file(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds configuration files named after a deploy environment: `config/production.py`,
    `settings/prod.py`, `settings_prod.py`, `prod_settings.py`,
    `appsettings.Production.json`, `application-prod.yml`, `config/production.json`
    (node-config), `config/environments/production.rb`, `database.production.yml`,
    `app.staging.yaml`. Environments: prod, production, preprod, staging, stage, stg, dev,
    development, qa, uat. The rule looks at paths only.

    Not reported: `.env.production` and other dotenv files (that is S0302
    committed-env-file); deployment descriptors (Helm `values-*.yaml`, compose files,
    kustomize overlays, anything under `deploy/`, `k8s/`, `helm/`, `charts/`, `infra/`,
    `terraform/`, CI directories), where per-deploy values legitimately live; test paths;
    build and tool configuration such as `webpack.prod.js`, `tsconfig.prod.json` or
    Angular's `environment.prod.ts`.

    ## Why is this bad?
    Config grouped into named environments does not scale: every new deploy needs a new
    file and a new release, the files drift apart, and values (often credentials) end up
    committed. Twelve-factor config is a set of independent environment variables, set
    per deploy.

    ## Example
    ```text
    shop/settings/base.py
    shop/settings/production.py   # DEBUG = False; ALLOWED_HOSTS = ["shop.example.com"]
    shop/settings/staging.py
    ```

    ## Use instead
    ```python
    # shop/settings.py: one file, values from the environment
    DEBUG = env.bool("DEBUG", default=False)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    ```

    ## Known problems
    Test configuration (`settings/test.py`) and local-only files (`settings/local.py`) are
    not reported: they configure a test run or a laptop, not a deploy. A file that merely
    carries an environment word in its name without being configuration (for example
    `seeds/users.dev.json`) is reported; suppress it with a per-path ignore in the contract's
    `[lint]` table.
    """
    for path in sorted(facts.tree.present):
        if is_test_path(path) or _is_deployment_or_tooling(path):
            continue
        for pattern in _PATTERNS:
            if (match := pattern.search(path)) is not None:
                yield fail(f'config file for the "{match["env"]}" environment', Location(path))
                break


def _is_deployment_or_tooling(path: str) -> bool:
    *parts, name = path.split("/")
    if any(part.lower() in _DEPLOY_DIRS for part in parts):
        return True
    return bool(_DEPLOY_NAMES.match(name) or _TOOL_NAMES.match(name))
