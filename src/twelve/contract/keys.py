"""Guess each config key's table from its usage in code and the values the repository shows."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from twelve.contract.processes import service_dockerfile
from twelve.contract.render import Table, Value, scalar_for
from twelve.contract.usage import Usage, valid_default
from twelve.contract.values import ValueType
from twelve.lint.facts import Facts
from twelve.lint.facts.yamldocs import k8s_containers

_SECRET_WORDS = frozenset(
    {"PASSWORD", "PASSWD", "SECRET", "SECRETS", "TOKEN", "CREDENTIALS", "CREDENTIAL",
     "APIKEY", "DSN", "PRIVATE"}
)  # fmt: skip
_BACKING_WORDS = frozenset(
    {"DATABASE", "DB", "POSTGRES", "POSTGRESQL", "PG", "MYSQL", "MARIADB", "REDIS", "CACHE",
     "AMQP", "RABBITMQ", "RABBIT", "BROKER", "MONGO", "MONGODB", "KAFKA", "NATS",
     "ELASTICSEARCH", "OPENSEARCH", "MEMCACHED", "QUEUE"}
)  # fmt: skip
# Backing services whose URL normally carries a password.
_CREDENTIAL_WORDS = frozenset(
    {"DATABASE", "DB", "POSTGRES", "POSTGRESQL", "PG", "MYSQL", "MARIADB", "AMQP", "RABBITMQ",
     "RABBIT", "BROKER", "MONGO", "MONGODB"}
)  # fmt: skip
_SCHEME_FAMILIES = (
    ("postgres", "postgresql"), ("redis", "rediss"), ("amqp", "amqps"),
    ("mongodb", "mongodb+srv"), ("http", "https"), ("mysql",),
)  # fmt: skip
_SCHEMES_BY_WORD = {
    "POSTGRES": "postgres", "POSTGRESQL": "postgres", "PG": "postgres", "MYSQL": "mysql",
    "MARIADB": "mysql", "REDIS": "redis", "AMQP": "amqp", "RABBITMQ": "amqp", "RABBIT": "amqp",
    "MONGO": "mongodb", "MONGODB": "mongodb",
}  # fmt: skip
_SCHEMES_BY_IMAGE = (("postgres", "postgres"), ("mysql", "mysql"), ("mariadb", "mysql"))
_DURATION = re.compile(r"^\d+(?:\.\d+)?(?:ms|s|m|h)$")


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the repository shows beyond the code: values set for keys, images, exposed ports.

    Args:
        values: values given to keys in Dockerfiles, compose files and Kubernetes manifests.
        images: images of the compose services that are not built from the repository.
        ports: ports the service Dockerfile exposes.
    """

    values: Mapping[str, list[str]]
    images: list[str]
    ports: list[int]


def repository_evidence(facts: Facts) -> Evidence:
    """What the repository shows about config beyond the code.

    Args:
        facts: the repository facts.
    """
    return Evidence(_values(facts), _images(facts), _exposed(facts))


def port_like(name: str) -> bool:
    """`PORT`, `HTTP_PORT`, `APP_PORT`.

    Args:
        name: the env var.
    """
    return name == "PORT" or name.endswith("_PORT")


def config_table(table: Table, usage: Usage, evidence: Evidence) -> None:
    """Fill a `[config.NAME]` table with the guesses for one key.

    Args:
        table: the empty table.
        usage: what the code's reads say.
        evidence: what the rest of the repository says.
    """
    name = usage.name
    observed = evidence.values.get(name, [])
    value_type, why = _type(usage, observed)
    schemes = (
        _schemes(name, [*usage.defaults, *observed], evidence.images)
        if value_type is ValueType.URL
        else []
    )
    secret, secret_why = _secret(name, usage, observed)
    default = next((d for d in usage.defaults if valid_default(d, value_type, schemes)), None)
    required = default is None and value_type is not ValueType.BOOL
    table.add("type", value_type.value, why, guess=bool(why))
    if schemes:
        table.add("schemes", schemes, "from the values seen and the name", guess=True)
    table.add("required", required, "no default in code" if required else "", guess=required)
    if secret:
        table.add("secret", True, secret_why, guess=True)
    if _words(name) & _BACKING_WORDS and name.endswith(("_URL", "_URI", "_DSN")):
        table.add("backing_service", True, "from the name", guess=True)
    if secret:
        if default is not None:
            table.note += " — the code's default for this secret is not copied"
        return
    if default is not None:
        table.add("default", scalar_for(value_type, default), "from the code")
    elif value_type is ValueType.BOOL:
        table.add("default", False, "an unset flag reads as false", guess=True)
    elif example := _example(value_type, schemes, observed, evidence.ports):
        table.add("example", example[0], example[1])
    if port_like(name):
        table.add("description", "TCP port to listen on")


def _type(usage: Usage, observed: list[str]) -> tuple[ValueType, str]:
    """The type and, when it is a guess, why."""
    values = [*usage.defaults, *observed]
    clue = usage.types[0] if usage.types else None
    if port_like(usage.name):  # whatever the code does with it, a port key is a port
        return ValueType.PORT, "from the name"
    if clue is not None:
        return clue, f"from its use at {usage.first_read}"
    if usage.name.endswith(("_URL", "_URI")) or any("://" in v for v in values):
        return ValueType.URL, "from the name" if not values else "from the values seen"
    if usage.defaults and all(d.lower() in ("true", "false") for d in usage.defaults):
        return ValueType.BOOL, "from the default"
    if usage.defaults and all(_DURATION.match(d) for d in usage.defaults):
        return ValueType.DURATION, "from the default"
    return ValueType.STRING, ""


def _schemes(name: str, values: Iterable[str], images: list[str]) -> list[str]:
    seen = [urlsplit(v).scheme for v in values if "://" in v]
    if not seen:
        seen = [_SCHEMES_BY_WORD[w] for w in sorted(_words(name)) if w in _SCHEMES_BY_WORD]
    if not seen and _words(name) & {"DATABASE", "DB"}:
        databases = {s for image in images for key, s in _SCHEMES_BY_IMAGE if key in image}
        seen = sorted(databases) if len(databases) == 1 else []
    found: list[str] = []
    for scheme in seen:
        family = next((f for f in _SCHEME_FAMILIES if scheme in f), (scheme,))
        found += [s for s in family if s not in found]
    return found


def _secret(name: str, usage: Usage, observed: list[str]) -> tuple[bool, str]:
    words = _words(name)
    if words & _SECRET_WORDS or name.endswith(("_KEY", "_KEYS")) or name in ("KEY", "API_KEY"):
        return True, "the name looks secret"
    if usage.secret_type:
        return True, "declared as a secret type"
    values = [*usage.defaults, *observed]
    if any(_has_password(v) for v in values):
        return True, "a URL with credentials is set for it"
    if words & _CREDENTIAL_WORDS and name.endswith(("_URL", "_URI")) and not values:
        return True, "this kind of URL usually carries a password"
    return False, ""


def _example(
    value_type: ValueType, schemes: list[str], observed: list[str], ports: list[int]
) -> tuple[Value, str] | None:
    for value in observed:
        if valid_default(value, value_type, schemes) and not _has_password(value):
            return scalar_for(value_type, value), "a value set in the repository"
    if value_type is ValueType.PORT and ports:
        return ports[0], "the port the Dockerfile exposes"
    return None


def _has_password(value: str) -> bool:
    try:
        return "://" in value and bool(urlsplit(value).password)
    except ValueError:
        return False


def _words(name: str) -> set[str]:
    return set(name.upper().split("_"))


def _values(facts: Facts) -> dict[str, list[str]]:
    """Values the repository gives keys: Dockerfile ENV, compose `environment`, k8s `env`."""
    values: dict[str, list[str]] = {}
    pairs: list[tuple[str, Any]] = []
    for dockerfile in facts.dockerfiles.dockerfiles:
        pairs += [(k, v) for k, (v, _) in dockerfile.env().items()]
    for doc in facts.yaml.compose_files:
        for spec in _compose_services(doc.data).values():
            env = spec.get("environment") if isinstance(spec, dict) else None
            if isinstance(env, dict):
                pairs += list(env.items())
            elif isinstance(env, list):
                split = [str(item).partition("=") for item in env]
                pairs += [(key, value) for key, eq, value in split if eq]
    for obj in facts.yaml.k8s_objects:
        for container, _ in k8s_containers(obj):
            env_list = container.get("env")
            for item in env_list if isinstance(env_list, list) else []:
                if isinstance(item, dict) and "value" in item:
                    pairs.append((str(item.get("name")), item["value"]))
    for key, value in pairs:
        if isinstance(value, str | int | float) and "$" not in str(value):
            values.setdefault(str(key), []).append(str(value))
    return values


def _compose_services(data: Any) -> dict[str, Any]:
    services = data.get("services") if isinstance(data, dict) else None
    return services if isinstance(services, dict) else {}


def _images(facts: Facts) -> list[str]:
    return [
        str(spec["image"])
        for doc in facts.yaml.compose_files
        for spec in _compose_services(doc.data).values()
        if isinstance(spec, dict) and "image" in spec and "build" not in spec
    ]


def _exposed(facts: Facts) -> list[int]:
    ports: list[int] = []
    dockerfile = service_dockerfile(facts)
    if dockerfile is not None:
        final = dockerfile.final_stage.index if dockerfile.final_stage else -1
        for instruction in dockerfile.of("EXPOSE"):
            for word in instruction.value.split():
                port = word.split("/", 1)[0]
                if instruction.stage == final and port.isdigit() and 0 < int(port) < 65536:
                    ports.append(int(port))
    return ports
