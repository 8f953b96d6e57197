"""The environment of the rendered containers: a ConfigMap for plain keys, Secret references
for secret ones, the port and the release identity set explicitly. No secret value anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from twelve.contract import ConfigKey, Contract
from twelve.render.options import object_name

DEFAULT_PORT = 8080


@dataclass(frozen=True, slots=True)
class Environment:
    """What every container of the service gets in its environment.

    Args:
        config_map: the ConfigMap's name.
        data: plain keys with the value the contract gives them (their `default`).
        unset: plain keys without a default, with the line that says what to do about each.
        secret: the name of the Secret that holds the secret keys (not rendered).
        release: the release identity, set in the contract's `version_env`, if known.
    """

    config_map: str
    data: dict[str, str]
    unset: tuple[str, ...]
    secret: str
    release: str | None

    def has_config_map(self) -> bool:
        """Whether a ConfigMap is rendered: it has data, or keys the deploy must add to it."""
        return bool(self.data or self.unset)


def environment(contract: Contract, release: str | None) -> Environment:
    """Split the contract's keys into the ConfigMap, the Secret and the explicit entries.

    Args:
        contract: the service contract.
        release: the release identity, if known.
    """
    service = contract.service
    explicit = set(port_keys(contract))
    if release is not None and service.version_env:
        explicit.add(service.version_env)
    data: dict[str, str] = {}
    unset: list[str] = []
    for name, key in contract.config.items():
        if key.secret or name in explicit:
            continue
        if key.default is not None:
            data[name] = _text(key.default)
        else:
            unset.append(_unset_line(name, key))
    version_env = service.version_env
    if version_env and release is None and version_env not in contract.config:
        unset.append(f"{version_env}: the release identity (commit SHA); render with --release")
    return Environment(
        config_map=object_name(service.name, "config"),
        data=data,
        unset=tuple(unset),
        secret=object_name(service.name),
        release=release,
    )


def container_env(
    contract: Contract, env: Environment, port: tuple[str, int] | None
) -> list[dict[str, Any]]:
    """The `env` list of a container: port, release identity, then one reference per secret.

    Args:
        contract: the service contract.
        env: the service's environment.
        port: the port variable and number of a web process, None for other containers.
    """
    entries: list[dict[str, Any]] = []
    if port is not None:
        entries.append({"name": port[0], "value": str(port[1])})
    version_env = contract.service.version_env
    if env.release is not None and version_env:
        entries.append({"name": version_env, "value": env.release})
    for name, key in contract.config.items():
        if key.secret:
            ref: dict[str, Any] = {"name": env.secret, "key": name}
            if not key.required:
                ref["optional"] = True
            entries.append({"name": name, "valueFrom": {"secretKeyRef": ref}})
    return entries


def port_keys(contract: Contract) -> dict[str, int]:
    """The port variable of each web process and the port it listens on in the pod.

    The key's `default` when the contract gives one, else 8080.

    Args:
        contract: the service contract.
    """
    ports: dict[str, int] = {}
    for process in contract.processes.values():
        if process.kind == "web":
            key = contract.config.get(process.port_env)
            default = key.default if key is not None else None
            ports[process.port_env] = int(default) if default is not None else DEFAULT_PORT
    return ports


def _text(value: object) -> str:
    """A contract value as an environment variable carries it (`true`, not `True`).

    Args:
        value: a default or example from the contract.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _unset_line(name: str, key: ConfigKey) -> str:
    need = "required: add it to data" if key.required else "optional: unset unless added"
    hint = f", e.g. {_text(key.example)}" if key.example is not None else ""
    about = f" ({' '.join(key.description.split())})" if key.description else ""
    return f"{name}: {need}{hint}{about}"
