"""S1002 backing-service-drift."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from twelve.lint.facts import Facts
from twelve.lint.facts.dockerfile import split_image
from twelve.lint.facts.yamldocs import YamlDoc, k8s_containers
from twelve.lint.rule import rule
from twelve.lint.rules.f05_build_release_run._start_commands import contract_path
from twelve.model import Location, Severity, Verdict, fail, not_applicable

# Image names (last path segment) and URL schemes, by the kind of service they are.
_IMAGES = {
    "postgres": "postgres", "postgresql": "postgres", "postgis": "postgres",
    "timescaledb": "postgres", "mysql": "mysql", "mariadb": "mariadb", "redis": "redis",
    "redis-stack": "redis", "redis-stack-server": "redis", "valkey": "redis", "keydb": "redis",
    "memcached": "memcached", "mongo": "mongo", "mongodb": "mongo", "rabbitmq": "rabbitmq",
    "kafka": "kafka", "cp-kafka": "kafka", "nats": "nats", "elasticsearch": "elasticsearch",
    "opensearch": "opensearch", "cockroach": "cockroach",
}  # fmt: skip
_SCHEMES = {
    "postgres": "postgres", "postgresql": "postgres", "postgis": "postgres", "mysql": "mysql",
    "mysql2": "mysql", "mariadb": "mariadb", "sqlite": "sqlite", "sqlite3": "sqlite",
    "redis": "redis", "rediss": "redis", "memcache": "memcached", "memcached": "memcached",
    "mongodb": "mongo", "amqp": "rabbitmq", "amqps": "rabbitmq", "kafka": "kafka",
    "nats": "nats", "cockroachdb": "cockroach", "mssql": "mssql", "sqlserver": "mssql",
}  # fmt: skip
_CATEGORY = {
    "postgres": "database", "mysql": "database", "mariadb": "database", "sqlite": "database",
    "cockroach": "database", "mssql": "database", "redis": "cache", "memcached": "cache",
    "mongo": "document store", "rabbitmq": "broker", "kafka": "broker", "nats": "broker",
    "elasticsearch": "search", "opensearch": "search",
}  # fmt: skip
_URL = re.compile(r"^([a-z][a-z0-9.-]*)(?:\+[a-z0-9.+-]*)?://|^(sqlite3?):")
_PRODUCTION_FILE = re.compile(r"(?:^|[/._-])(?:prod|production)(?:[/._-]|$)")


@dataclass(frozen=True, slots=True)
class _Use:
    """A backing service seen in one place."""

    kind: str
    major: str | None
    origin: str
    location: Location

    @property
    def shown(self) -> str:
        return f"{self.kind} {self.major}" if self.major else self.kind


@rule(
    id="S1002",
    name="backing-service-drift",
    factor=10,
    severity=Severity.WARNING,
    summary="Development uses another backing service, or another major version, than production",
    remediation=(
        "Run the production service and major version in development too: the same image "
        "tag in compose and the dev container as in Kubernetes and CI (`postgres:16`)."
    ),
)
def backing_service_drift(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds the backing services of each side and compares them by kind (database, cache,
    broker, search, document store):

    - development: compose files (except those named for production,
      `compose.prod.yaml`) and dev containers: service images (`postgres:13`) and
      connection URLs in their environment (`DATABASE_URL=sqlite:///dev.db`);
    - production: Kubernetes manifests (container images and literal URLs), CI service
      containers (GitHub Actions `services:`, GitLab CI `services:`), production compose
      files, and the contract's hints: a key's `schemes` and URL `default`/`example`.

    A development service of a kind whose production counterpart is another service
    (sqlite or MySQL where production runs Postgres, memcached where it runs Redis) is
    reported, and so is the same service at another major version (`postgres:13` in
    compose, `postgres:16` in CI). Images are recognised by name (`postgres`,
    `bitnami/postgresql`, `postgis/postgis`, `valkey/valkey`, ...), the major version by
    the tag's first number. Not applicable when either side defines nothing.

    ## Why is this bad?
    Tests that pass against sqlite or Postgres 13 prove little about Postgres 16: SQL
    dialects, locking, JSON operators, defaults and query plans differ, and the
    difference shows up in production. Dev/prod parity asks that the backing services of
    development be the same type and version as production's; containers make that
    cheap.

    ## Example
    ```yaml
    # compose.yaml, while CI and Kubernetes run postgres:16
    services:
      db:
        image: postgres:13
    ```

    ## Use instead
    ```yaml
    services:
      db:
        image: postgres:16
    ```

    ## Known problems
    Managed production services (RDS, Cloud SQL, ElastiCache) appear in no manifest, so
    only CI services and the contract stand for production; declare `schemes` in the
    contract to make the kind known. Services of the same kind that are meant to differ
    (a Redis cache and a Redis queue of another version) are compared as one.
    """
    dev, prod = _development(facts), _production(facts)
    if not dev:
        yield not_applicable("no development backing services (compose, dev container)")
        return
    if not prod:
        yield not_applicable("no production backing services (Kubernetes, CI, contract)")
        return
    reported: set[str] = set()
    for use in dev:
        counterparts = [p for p in prod if _CATEGORY.get(p.kind) == _CATEGORY.get(use.kind)]
        message = _drift(use, counterparts)
        if message is not None and str(use.location) not in reported:
            reported.add(str(use.location))
            yield fail(message, use.location)


def _drift(use: _Use, counterparts: list[_Use]) -> str | None:
    if not counterparts or use.kind not in _CATEGORY:
        return None
    same = [p for p in counterparts if p.kind == use.kind]
    if not same:
        other = counterparts[0]
        return (
            f"{use.origin} uses {use.kind}, production uses {other.kind} "
            f"({other.location.path}:{other.location.line})"
        )
    versions = [p for p in same if p.major]
    if use.major and versions and use.major not in {p.major for p in versions}:
        other = versions[0]
        return (
            f"{use.origin} runs {use.shown}, production runs {other.shown} "
            f"({other.location.path}:{other.location.line})"
        )
    return None


def _development(facts: Facts) -> list[_Use]:
    found: list[_Use] = []
    for doc in facts.yaml.compose_files:
        if not _PRODUCTION_FILE.search(doc.path.lower()):
            found += _compose(doc, "compose")
    for dc in facts.devcontainers.devcontainers:
        where = Location(dc.path, dc.line_of(("image",)))
        if dc.image and (use := _image(dc.image, "dev container", where)):
            found.append(use)
        for key in ("containerEnv", "remoteEnv"):
            env = dc.data.get(key)
            for name, value in env.items() if isinstance(env, dict) else ():
                location = Location(dc.path, dc.line_of((key, name)), snippet=str(name))
                if use := _url(value, "dev container", location):
                    found.append(use)
    return found


def _production(facts: Facts) -> list[_Use]:
    found: list[_Use] = []
    for doc in facts.yaml.compose_files:
        if _PRODUCTION_FILE.search(doc.path.lower()):
            found += _compose(doc, "production compose")
    for obj in facts.yaml.k8s_objects:
        for container, at in k8s_containers(obj, init=True):
            image = container.get("image")
            where = Location(obj.doc.path, obj.line_of((*at, "image")))
            if isinstance(image, str) and (use := _image(image, "Kubernetes", where)):
                found.append(use)
            env = container.get("env")
            for index, entry in enumerate(env if isinstance(env, list) else []):
                if not isinstance(entry, dict):
                    continue
                line = obj.line_of((*at, "env", index, "value"))
                location = Location(obj.doc.path, line, snippet=str(entry.get("name")))
                if use := _url(entry.get("value"), "Kubernetes", location):
                    found.append(use)
    for doc in facts.yaml.workflows:
        found += _ci_services(doc)
    for doc in facts.yaml.of_kind("gitlab-ci"):
        found += _gitlab_services(doc)
    found += _contract(facts)
    return found


def _compose(doc: YamlDoc, origin: str) -> list[_Use]:
    found: list[_Use] = []
    services = doc.data.get("services") if isinstance(doc.data, dict) else None
    for name, service in services.items() if isinstance(services, dict) else ():
        if not isinstance(service, dict):
            continue
        image = service.get("image")
        where = Location(doc.path, doc.line_of(("services", name, "image")))
        if isinstance(image, str) and (use := _image(image, origin, where)):
            found.append(use)
        env = service.get("environment")
        pairs: list[tuple[str | int, str, Any]] = []
        if isinstance(env, dict):
            pairs = [(key, str(key), value) for key, value in env.items()]
        elif isinstance(env, list):
            pairs = [(i, *str(item).partition("=")[::2]) for i, item in enumerate(env)]
        for key, variable, value in pairs:
            line = doc.line_of(("services", name, "environment", key))
            if use := _url(value, origin, Location(doc.path, line, snippet=variable)):
                found.append(use)
    return found


def _ci_services(doc: YamlDoc) -> list[_Use]:
    found: list[_Use] = []
    jobs = doc.data.get("jobs") if isinstance(doc.data, dict) else None
    for job_id, job in jobs.items() if isinstance(jobs, dict) else ():
        services = job.get("services") if isinstance(job, dict) else None
        for name, service in services.items() if isinstance(services, dict) else ():
            image = service.get("image") if isinstance(service, dict) else service
            loc = ("jobs", job_id, "services", name, "image")
            where = Location(doc.path, doc.line_of(loc))
            if isinstance(image, str) and (use := _image(image, "CI", where)):
                found.append(use)
    return found


def _gitlab_services(doc: YamlDoc) -> list[_Use]:
    found: list[_Use] = []
    data = doc.data if isinstance(doc.data, dict) else {}
    tables = [((), data)] + [((k,), v) for k, v in data.items() if isinstance(v, dict)]
    for prefix, table in tables:
        services = table.get("services")
        for index, service in enumerate(services if isinstance(services, list) else []):
            image = service.get("name") if isinstance(service, dict) else service
            where = Location(doc.path, doc.line_of((*prefix, "services", index)))
            if isinstance(image, str) and (use := _image(image, "CI", where)):
                found.append(use)
    return found


def _contract(facts: Facts) -> list[_Use]:
    contract = facts.contract
    if contract is None:
        return []
    path, found = contract_path(facts), []
    for name, key in contract.config.items():
        kinds = {_SCHEMES.get(s.lower().split("+", 1)[0], "") for s in key.schemes or ()}
        for value in (key.default, key.example):
            if isinstance(value, str) and (use := _url(value, "contract", Location(path))):
                kinds.add(use.kind)
        for kind in sorted(kinds - {""}):
            location = Location(path, contract.line_of("config", name, "schemes"))
            found.append(_Use(kind, None, "contract", location))
    return found


def _image(reference: str, origin: str, location: Location) -> _Use | None:
    name, tag, _ = split_image(reference.strip())
    kind = _IMAGES.get(name.rsplit("/", 1)[-1].lower())
    if name.lower().endswith("mssql/server"):
        kind = "mssql"
    if not kind:
        return None
    major = re.match(r"^v?(\d+)", tag or "") or re.search(r"pg(\d+)", tag or "")
    shown = Location(location.path, location.line, snippet=reference)
    return _Use(kind, major[1] if major else None, origin, shown)


def _url(value: Any, origin: str, location: Location) -> _Use | None:
    if not isinstance(value, str):
        return None
    scheme = _URL.match(value.strip().lower())
    kind = _SCHEMES.get(scheme[1] or scheme[2]) if scheme else None
    if kind is None:
        return None
    # The URL may hold a password: the snippet is the variable's name, never the value.
    snippet = f"{location.snippet or kind}=<{kind} URL>"
    return _Use(kind, None, origin, Location(location.path, location.line, snippet=snippet))
