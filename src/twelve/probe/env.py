"""The environment a probed instance starts with, built from the contract alone."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from twelve.contract import CANARY, Contract, ProcessType, ValueType
from twelve.probe.ports import free_port

# Passed through from twelve's own environment so interpreters and toolchains are found.
_INHERITED = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "PYENV_ROOT", "PYENV_VERSION", "NVM_DIR")


class NotProbeable(Exception):
    """The contract cannot be probed as written (a value is missing or points off-machine)."""


def new_canary() -> str:
    """A fresh secret value: unique, URL-safe, and unmistakable in any output."""
    return f"tw12canary{secrets.token_hex(10)}"


@dataclass(slots=True)
class Canaries:
    """Every secret value handed to any instance in a run (thread-safe enough: append-only)."""

    values: set[str] = field(default_factory=set)

    def new(self) -> str:
        """A fresh canary, remembered."""
        canary = new_canary()
        self.values.add(canary)
        return canary


@dataclass(frozen=True, slots=True)
class InstanceEnv:
    """An instance's environment and what the probe needs to know about it.

    Args:
        env: the full environment.
        port: the port assigned to the process's `port_env`, if it is a web process.
        version: the release identity injected through `version_env`, if declared.
        secrets: the secret values given to it, by key.
    """

    env: dict[str, str]
    port: int | None
    version: str | None
    secrets: dict[str, str]


def build_env(
    contract: Contract,
    process: ProcessType,
    canaries: Canaries,
    scratch: Path,
    *,
    overrides: Mapping[str, str] | None = None,
    drop: Iterable[str] = (),
    values: Mapping[str, str] | None = None,
) -> InstanceEnv:
    """The environment for one instance: probe.env, values for every key, fresh canaries.

    Args:
        contract: the service contract.
        process: the process type being started.
        canaries: where new secret values are recorded for masking and leak detection.
        scratch: the instance's own HOME and TMPDIR.
        overrides: values that replace the computed ones (e.g. an invalid value under test).
        drop: keys to leave out (e.g. a required key under test).
        values: templates that take the place of [probe.values] for these keys (backing
            services routed to a proxy or to twelve's Postgres); `{canary}` is filled in.

    Raises:
        NotProbeable: a required key has no value, or a value points off this machine.
    """
    env = {name: os.environ[name] for name in _INHERITED if name in os.environ}
    env |= {"HOME": str(scratch), "TMPDIR": str(scratch), "PYTHONUNBUFFERED": "1"}
    env |= contract.probe.env
    secret_values: dict[str, str] = {}
    port: int | None = None
    given = {**contract.probe.values, **(values or {})}
    for name, key in contract.keys().items():
        if key.secret:
            canary = canaries.new()
            template = given.get(name)
            value = template.replace(CANARY, canary) if template else canary
            secret_values[name] = canary
        elif name == process.port_env and process.kind == "web":
            port = free_port()
            value = str(port)
        elif (plain := _plain_value(contract, name, given)) is not None:
            value = plain
        else:
            continue
        if key.backing_service or key.type is ValueType.URL:
            _require_loopback(name, value)
        env[name] = value
    version = None
    if contract.service.version_env:
        version = f"twelve-probe-{secrets.token_hex(4)}"
        env[contract.service.version_env] = version
    env |= dict(overrides or {})
    for name in drop:
        env.pop(name, None)
    return InstanceEnv(env, port, version, secret_values)


def _plain_value(contract: Contract, name: str, given: Mapping[str, str]) -> str | None:
    """A non-secret key's value: probe.values, example, then (if required) default."""
    key = contract.keys()[name]
    if name in given:
        return given[name]
    if key.example is not None:
        return _text(key.example)
    if key.default is not None:
        # An optional key keeps the service's own default.
        return _text(key.default) if key.required else None
    if key.type is ValueType.PORT:
        return str(free_port())
    if key.required:
        raise NotProbeable(
            f"{name} is required but has no value to start with: give it in [probe.values]"
            " or as `example`"
        )
    return None


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _require_loopback(name: str, value: str) -> None:
    """Refuse to start a service pointed at anything but this machine."""
    host = urlsplit(value).hostname if "://" in value else value.rsplit(":", 1)[0]
    if not host:
        return
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host.strip("[]")).is_loopback:
            return
    except ValueError:
        pass
    raise NotProbeable(
        f"{name} points at {host!r}: the probe only talks to loopback; set a 127.0.0.1 value"
        " in [probe.values]"
    )
