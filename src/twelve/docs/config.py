"""`config.md`: the config contract — every key, its type, default, validation and secrecy."""

from __future__ import annotations

from twelve.contract import ConfigKey, Contract, ValueType
from twelve.docs.markdown import NONE, bullets, code, document, section, table
from twelve.lint.facts import Facts

_RULES = {
    ValueType.STRING: "any text",
    ValueType.INT: "an integer",
    ValueType.FLOAT: "a number",
    ValueType.BOOL: "`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`",
    ValueType.PORT: "a port, 1 to 65535",
    ValueType.DURATION: "seconds, or `500ms`, `15s`, `2m`, `1h`",
}


def validation(key: ConfigKey) -> str:
    """What a value must look like, as one phrase.

    Args:
        key: the declared key.
    """
    if key.type is ValueType.ENUM:
        return "one of " + ", ".join(code(choice) for choice in key.choices or ())
    if key.type is ValueType.URL:
        if key.schemes:
            return "a URL with scheme " + ", ".join(code(s) for s in key.schemes)
        return "a URL (`scheme://host/...`)"
    return _RULES[key.type]


def shown_default(key: ConfigKey) -> str:
    """The default as a table shows it; secrets never have one.

    Args:
        key: the declared key.
    """
    return NONE if key.default is None else code(_scalar(key.default))


def render_config(contract: Contract, facts: Facts) -> str:
    """The config contract document.

    Args:
        contract: the service contract.
        facts: the repository facts (unused today: the contract is the whole source).
    """
    del facts  # the config contract is the contract's; the signature matches its siblings
    keys = contract.keys()
    required = {n: k for n, k in keys.items() if k.required}
    optional = {n: k for n, k in keys.items() if not k.required}
    secrets = [name for name, key in keys.items() if key.secret]
    backing = {n: k for n, k in keys.items() if k.backing_service}
    name = contract.service.name
    intro = (
        f"Every environment variable {code(name)} reads, as declared in `twelve.toml`. "
        "The service validates them at startup and refuses to start, naming every problem, "
        "when a required key is missing or a value is invalid. "
        f"{_count(len(keys), 'key')}: {len(required)} required, {len(optional)} optional, "
        f"{len(secrets)} secret, {_count(len(backing), 'backing service')}."
    )
    sections = [
        _required(required),
        _optional(optional),
        _secrets(secrets),
        _backing(backing),
        _identity(contract),
    ]
    return document(
        f"{name} config contract",
        intro,
        sections,
        "Hand-written notes on config (where values come from per environment): kept verbatim.",
    )


def _required(keys: dict[str, ConfigKey]) -> str:
    if not keys:
        return section("Required keys", "No key is required.")
    rows = [
        [code(n), k.type.value, validation(k), _yes(k.secret), k.description]
        for n, k in keys.items()
    ]
    headers = ["Key", "Type", "Valid values", "Secret", "Description"]
    return section("Required keys", table(headers, rows))


def _optional(keys: dict[str, ConfigKey]) -> str:
    if not keys:
        return section("Optional keys", "No key is optional.")
    rows = [
        [code(n), k.type.value, shown_default(k), validation(k), _yes(k.secret), k.description]
        for n, k in keys.items()
    ]
    headers = ["Key", "Type", "Default", "Valid values", "Secret", "Description"]
    return section("Optional keys", table(headers, rows))


def _secrets(secrets: list[str]) -> str:
    if not secrets:
        return section("Secrets", "No key is secret.")
    return section(
        "Secrets",
        "These keys are never logged, never echoed in an error message and never given a "
        "value in a committed file; `.env.example` lists them empty. Inject them at release "
        "from the secret manager.",
        bullets(code(name) for name in secrets),
    )


def _backing(backing: dict[str, ConfigKey]) -> str:
    if not backing:
        return section("Backing services", "No key is declared a backing service.")
    rows = [
        [code(n), ", ".join(code(s) for s in k.schemes or ()) or NONE, k.description]
        for n, k in backing.items()
    ]
    return section(
        "Backing services",
        "Attached resources: switching one (another database, a managed cache) is a change "
        "of this value, never of code. `twelve probe` routes them through a fault proxy to "
        "test timeouts and readiness.",
        table(["Key", "Schemes", "Description"], rows),
    )


def _identity(contract: Contract) -> str:
    env = contract.service.version_env
    if env is None:
        return section(
            "Release identity", "No `version_env` is declared: the release is not identified."
        )
    return section(
        "Release identity",
        f"{code(env)} carries the release identity (the commit SHA). The deploy sets it; "
        "the service reports it in its logs and version endpoint.",
    )


def _scalar(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
