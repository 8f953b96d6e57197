"""Ways to break a service's config: which keys to leave out, which invalid values to give.

Not a probe itself: shared by the config probes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from twelve.contract import ConfigKey, Contract, ProcessType, ValueType
from twelve.probe.context import ProcessUnderTest

# An invalid value per type; a port gets two, out of range and not a number at all.
_INVALID: dict[ValueType, tuple[str, ...]] = {
    ValueType.INT: ("not-a-number",),
    ValueType.FLOAT: ("not-a-number",),
    ValueType.PORT: ("99999", "http"),
    ValueType.BOOL: ("maybe",),
    ValueType.ENUM: ("not-a-choice",),
    ValueType.DURATION: ("soon",),
}
_WRONG_SCHEMES = ("http", "ftp", "gopher", "twelve-wrong")


@dataclass(frozen=True, slots=True)
class Breakage:
    """One broken start: keys left out, keys set to invalid values.

    Args:
        label: names the case in messages ("DATABASE_URL", "PORT=99999"); never a secret.
        drop: keys left out of the environment.
        overrides: keys set to invalid values, as (key, value) pairs.
        names: keys the output must name.
        canaries: fresh canaries embedded in invalid secret values.
    """

    label: str
    drop: tuple[str, ...] = ()
    overrides: tuple[tuple[str, str], ...] = ()
    names: tuple[str, ...] = ()
    canaries: tuple[str, ...] = ()

    def plus(self, other: Breakage) -> Breakage:
        """Both breakages in one start."""
        return Breakage(
            f"{self.label} + {other.label}",
            self.drop + other.drop,
            self.overrides + other.overrides,
            self.names + other.names,
            self.canaries + other.canaries,
        )


def other_ports(contract: Contract, process: ProcessType) -> set[str]:
    """The port keys of every web process except `process`'s own (not its concern)."""
    ports = {p.port_env for p in contract.processes.values() if p.kind == "web"}
    return ports - ({process.port_env} if process.kind == "web" else set())


def required_keys(service: ProcessUnderTest) -> list[str]:
    """Required keys a start can leave out: every one but the port keys."""
    process = service.process
    skip = other_ports(service.contract, process) | {process.port_env}
    return [n for n, k in service.contract.keys().items() if k.required and n not in skip]


def typed_keys(service: ProcessUnderTest) -> list[str]:
    """Keys whose type allows an invalid value, the process's own port included."""
    skip = other_ports(service.contract, service.process)
    keys = service.contract.keys()
    if service.kind != "web":
        skip.add(service.process.port_env)
    return [name for name, key in keys.items() if name not in skip and invalid_values(key, None)]


def missing(name: str) -> Breakage:
    """Leave `name` out.

    Args:
        name: the key.
    """
    return Breakage(name, drop=(name,), names=(name,))


def invalid(name: str, key: ConfigKey, new_canary: Callable[[], str]) -> list[Breakage]:
    """One breakage per invalid value of `name`; a secret's values embed a fresh canary.

    Args:
        name: the key.
        key: its declaration.
        new_canary: makes a fresh, remembered canary (`ctx.record.canaries.new`).
    """
    breakages = []
    for index in range(len(invalid_values(key, None))):
        canary = new_canary() if key.secret else None
        value = invalid_values(key, canary)[index]
        label = f"{name} (invalid {key.type})" if key.secret else f"{name}={value}"
        canaries = (canary,) if canary else ()
        breakages.append(
            Breakage(label, overrides=((name, value),), names=(name,), canaries=canaries)
        )
    return breakages


def invalid_values(key: ConfigKey, canary: str | None) -> list[str]:
    """Values `key`'s declared type rejects; none for a plain string.

    Args:
        key: the declaration.
        canary: embedded in each value when given (for secret keys).
    """
    if key.type is ValueType.URL:
        if key.schemes:
            wrong = next(s for s in _WRONG_SCHEMES if s not in key.schemes)
            user = f"probe:{canary}" if canary else "probe"
            values = [f"{wrong}://{user}@127.0.0.1:1/twelve"]
        else:
            values = [f"not a url {canary}" if canary else "not a url"]
    else:
        values = [f"{v}-{canary}" if canary else v for v in _INVALID.get(key.type, ())]
    return [value for value in values if key.problem_with(value) is not None]


def malformed_secret(key: ConfigKey, canary: str) -> str | None:
    """A malformed value embedding `canary` for a secret key, or None when nothing is malformed.

    Args:
        key: the secret key's declaration.
        canary: the fresh canary to embed.
    """
    value = f"not-a-{key.type}-{canary}"
    return value if key.problem_with(value) is not None else None
