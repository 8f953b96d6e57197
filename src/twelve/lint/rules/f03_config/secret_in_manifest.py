"""S0306 secret-in-manifest."""

from collections.abc import Iterator
from typing import Any

from twelve.lint.facts import Facts
from twelve.lint.facts.yamldocs import K8sObject, k8s_containers
from twelve.lint.rule import rule
from twelve.lint.rules.f03_config._secret_names import (
    is_literal_secret,
    is_secret_name,
    secret_names,
)
from twelve.model import Location, Severity, Verdict, fail, not_applicable

_MASK = "*" * 8


@rule(
    id="S0306",
    name="secret-in-manifest",
    factor=3,
    severity=Severity.ERROR,
    summary="A Kubernetes manifest gives a secret a literal value instead of a Secret reference",
    remediation=(
        "Store the value in a Kubernetes Secret (created by your secret manager, not "
        "committed) and reference it with `valueFrom.secretKeyRef` or `envFrom.secretRef`."
    ),
)
def secret_in_manifest(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Checks Kubernetes manifests for secrets written in plain text:

    - a container (or init container) `env` entry with a literal `value:` for a variable
      whose name says it holds a secret (`*_PASSWORD`, `*_TOKEN`, `*_API_KEY`, ...) or
      that the contract declares `secret = true`;
    - a `ConfigMap` whose `data` has such a key.

    Values that reference other variables (`$(DB_USER)`), numbers, booleans, paths
    (`/var/run/secrets/...`) and empty values are fine; so are entries using
    `valueFrom.secretKeyRef`. The finding points at the value's line, masked.

    ## Why is this bad?
    A manifest is committed, reviewed in pull requests, copied into CI logs and applied
    by anyone with read access to the repository: a literal secret in it is a leaked
    secret. ConfigMaps are not encrypted at rest, are readable by roles that may not read
    Secrets, and are printed by `kubectl describe`. Rotating a literal means a commit and a
    redeploy.

    ## Example
    ```yaml
    env:
      - name: DATABASE_PASSWORD
        value: "Xk3v9-prod-pw"
    ```

    ## Use instead
    ```yaml
    env:
      - name: DATABASE_PASSWORD
        valueFrom:
          secretKeyRef:
            name: orders-db
            key: password
    ```

    ## Known problems
    Helm templates are not parsed, so `value: {{ .Values.password }}` is not checked
    (and is not a literal). A secret in a variable with an unusual name is missed unless
    the contract declares it secret. Secrets inside a ConfigMap file entry (an
    `application.yaml: |` block) are left to S0301.
    """
    objects = facts.yaml.k8s_objects
    if not objects:
        yield not_applicable("no Kubernetes manifests")
        return
    declared = secret_names(facts.contract)
    for obj in objects:
        if obj.kind == "ConfigMap":
            yield from _config_map(obj, declared)
            continue
        for container, at in k8s_containers(obj, init=True):
            env = container.get("env")
            for index, entry in enumerate(env if isinstance(env, list) else []):
                name, value = _name_value(entry)
                if name is None or value is None or not is_secret_name(name, declared):
                    continue
                if not is_literal_secret(value):
                    continue
                line = obj.doc.line_of((*at, "env", index, "value"))
                where = f"container `{container.get('name', '?')}`"
                location = Location(obj.doc.path, line, snippet=f"value: {_MASK}")
                yield fail(
                    f"`{name}` is a literal in {where}: use valueFrom.secretKeyRef",
                    location,
                    secrets=[value],
                )


def _name_value(entry: Any) -> tuple[str | None, str | None]:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        return None, None
    value = entry.get("value")
    return entry["name"], None if value is None or isinstance(value, dict | list) else str(value)


def _config_map(obj: K8sObject, declared: frozenset[str]) -> Iterator[Verdict]:
    data = obj.data.get("data")
    for key, value in data.items() if isinstance(data, dict) else ():
        if not isinstance(key, str) or not is_secret_name(key, declared):
            continue
        text = "" if value is None or isinstance(value, dict | list) else str(value)
        if not is_literal_secret(text):
            continue
        location = Location(obj.doc.path, obj.line_of(("data", key)), snippet=f"{key}: {_MASK}")
        yield fail(
            f"ConfigMap `{obj.name}` holds secret `{key}`: use a Secret", location, secrets=[text]
        )
