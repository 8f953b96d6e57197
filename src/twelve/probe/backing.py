"""Run-scoped backing services: where each `backing_service` key points, and fault proxies.

A key marked `backing_service = true` gets its upstream from `[probe.values]` (a loopback URL
or host:port). When it has none and the contract marks it as a Postgres URL (type `url`,
schemes including `postgresql` or `postgres`), twelve provides one Postgres for the run
(`twelve.probe.postgres`) and gives each key a URL to it. Probes that inject faults get fresh
proxies per instance (`new_proxies`): that instance's keys point at its own proxies, so one
probe's outage never reaches another probe's instance.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from twelve.contract import CANARY, Contract, ValueType
from twelve.model import CheckInconclusive
from twelve.probe.clock import Clock, SystemClock
from twelve.probe.postgres import EphemeralPostgres, PostgresUnavailable
from twelve.probe.proxy import FaultProxy, Mode

__all__ = [
    "BackingKey",
    "RunBacking",
    "endpoint_of",
    "migration_tasks",
    "release_proxies",
    "stop_proxies",
    "with_endpoint",
]

POSTGRES_SCHEMES = ("postgresql", "postgres")
# Ports a URL without one means, for the schemes backing services use.
DEFAULT_PORTS = {
    **dict.fromkeys(("postgres", "postgresql"), 5432),
    **dict.fromkeys(("mysql", "mariadb"), 3306),
    **dict.fromkeys(("redis", "rediss"), 6379),
    "amqp": 5672,
    "amqps": 5671,
    "mongodb": 27017,
    "nats": 4222,
    "memcached": 11211,
    "http": 80,
    "https": 443,
}


@dataclass(frozen=True, slots=True)
class BackingKey:
    """One `backing_service` key and where its upstream is.

    Args:
        name: the config key.
        template: its value with `{canary}` left in: from `[probe.values]`, or a URL to
            twelve's Postgres; None when it has no upstream.
        upstream: (loopback IP, port) its proxies forward to.
        postgres: the contract marks it as a Postgres URL.
        provided: twelve runs the upstream for this run (a fresh database can be made).
        problem: why it cannot be routed through a proxy, or None.
    """

    name: str
    template: str | None
    upstream: tuple[str, int] | None
    postgres: bool = False
    provided: bool = False
    problem: str | None = None


def endpoint_of(value: str) -> tuple[str, int] | None:
    """(host, port) a URL or `host:port` value points at, or None when it names no port.

    Args:
        value: e.g. `postgresql://app:{canary}@127.0.0.1:5432/app`, `[::1]:6379`.
    """
    scheme, _, hostport, _ = _split(value)
    host, _, port = hostport.rpartition(":")
    if not host or "]" in port:  # no port given (`localhost`, `[::1]`)
        host, port = hostport, str(DEFAULT_PORTS.get(scheme or "", ""))
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host, int(port)


def with_endpoint(value: str, host: str, port: int, *, database: str | None = None) -> str:
    """`value` pointing at host:port instead (user, password and query kept).

    Args:
        value: a URL or `host:port`.
        host: the new host (an IP literal).
        port: the new port.
        database: also replace a URL's path with this database name.
    """
    scheme, userinfo, _, rest = _split(value)
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if scheme is None:
        return address
    if database is not None:
        query = rest[len(rest.split("?", 1)[0].split("#", 1)[0]) :]
        rest = f"/{database}{query}"
    return f"{scheme}://{userinfo}{address}{rest}"


def _split(value: str) -> tuple[str | None, str, str, str]:
    """(scheme or None, "user:pass@" or "", host:port, path+query+fragment)."""
    if "://" not in value:
        return None, "", value.strip(), ""
    scheme, rest = value.split("://", 1)
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    netloc, tail = rest[:end], rest[end:]
    userinfo, at, hostport = netloc.rpartition("@")
    return scheme.lower(), userinfo + at, hostport, tail


def migration_tasks(contract: Contract) -> list[str]:
    """The admin tasks that migrate the database: those whose name mentions `migrat`."""
    return [name for name in contract.admin if "migrat" in name.lower()]


class RunBacking:
    """The backing services of one run: upstreams, twelve's own Postgres, proxies on demand.

    Args:
        contract: the service contract (None: no backing services).
        clock: the run's clock; proxies record their switches on it.
    """

    def __init__(self, contract: Contract | None, clock: Clock | None = None) -> None:
        self._contract = contract
        self._clock = clock or SystemClock()
        self.keys: dict[str, BackingKey] = {}
        self.postgres: EphemeralPostgres | None = None
        self.shared_database: str | None = None
        self.postgres_problem: str | None = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> Self:
        """Find every backing key's upstream; start twelve's Postgres if a key needs it."""
        if self._contract is None:
            return self
        declared = self._contract.keys()
        for name, key in declared.items():
            if not key.backing_service:
                continue
            template = self._contract.probe.values.get(name)
            schemes = key.schemes or []
            postgres = key.type is ValueType.URL and bool(set(schemes) & {*POSTGRES_SCHEMES})
            if template is not None:
                self.keys[name] = _given(name, template, postgres=postgres)
            elif postgres:
                self.keys[name] = self._provided(name, key.secret, schemes)
            else:
                self.keys[name] = BackingKey(
                    name,
                    None,
                    None,
                    problem=f"{name} has no upstream: give a loopback value in [probe.values]"
                    ' (twelve provides only Postgres: type = "url", schemes = ["postgresql"])',
                )
        return self

    def _provided(self, name: str, secret: bool, schemes: list[str]) -> BackingKey:
        if self.postgres is None and self.postgres_problem is None:
            try:
                postgres = EphemeralPostgres(self._clock).start()
                try:
                    self.shared_database = postgres.create_database()
                except BaseException:
                    postgres.stop()
                    raise
                self.postgres = postgres
            except PostgresUnavailable as exc:
                self.postgres_problem = f"twelve could not provide a Postgres: {exc}"
        if self.postgres is None or self.shared_database is None:
            problem = f"{name}: {self.postgres_problem}"
            return BackingKey(name, None, None, postgres=True, problem=problem)
        scheme = next(s for s in POSTGRES_SCHEMES if s in schemes)
        template = self.postgres.url(
            self.shared_database, scheme=scheme, password=CANARY if secret else None
        )
        return BackingKey(name, template, self.postgres.address, postgres=True, provided=True)

    def close(self) -> None:
        """Stop twelve's Postgres and delete its files; idempotent."""
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None

    def routable(self) -> list[str]:
        """The backing keys a proxy can be put in front of."""
        return [name for name, key in self.keys.items() if key.upstream is not None]

    def problems(self) -> list[str]:
        """Why some backing keys cannot be routed through a proxy."""
        return [key.problem for key in self.keys.values() if key.problem is not None]

    def templates(
        self, *, proxies: Mapping[str, FaultProxy] | None = None, database: str | None = None
    ) -> dict[str, str]:
        """Values (with `{canary}`) for the backing keys of one instance.

        Args:
            proxies: this instance's proxies by key: those keys point at them.
            database: a database of twelve's Postgres to use instead of the shared one.
        """
        values: dict[str, str] = {}
        for name, key in self.keys.items():
            if key.template is None or key.upstream is None:
                continue
            proxy = (proxies or {}).get(name)
            host, port = proxy.address if proxy is not None else key.upstream
            fresh = database if key.provided else None
            values[name] = with_endpoint(key.template, host, port, database=fresh)
        return values

    def new_proxies(self) -> dict[str, FaultProxy]:
        """A started proxy (in pass mode) per routable key, for one instance."""
        proxies: dict[str, FaultProxy] = {}
        try:
            for name in self.routable():
                upstream = self.keys[name].upstream
                assert upstream is not None  # routable
                listen = "::1" if ":" in upstream[0] else "127.0.0.1"
                proxies[name] = FaultProxy(upstream, listen, clock=self._clock.now).start()
        except BaseException:
            stop_proxies(proxies)
            raise
        return proxies

    def fresh_database(self) -> str:
        """A new empty database of twelve's Postgres.

        Raises:
            CheckInconclusive: twelve provides no Postgres in this run, and why.
        """
        if self.postgres is None:
            raise CheckInconclusive(self.postgres_unavailable())
        return self.postgres.create_database()

    def postgres_unavailable(self) -> str:
        """Why there is no Postgres of twelve's own to make fresh databases in."""
        if self.postgres_problem is not None:
            return self.postgres_problem
        given = [name for name, key in self.keys.items() if key.postgres and not key.provided]
        if given:
            return (
                f"needs a database twelve provides, but {', '.join(given)} names its own in"
                " [probe.values]: leave it out there to get a throwaway Postgres"
            )
        return 'no backing-service key is a Postgres URL (type = "url", schemes = ["postgresql"])'

    def notes(self) -> list[str]:
        """Run-level remarks for the report (what twelve provided, what it could not)."""
        found = []
        if self.postgres is not None:
            keys = ", ".join(name for name, key in self.keys.items() if key.provided)
            found.append(
                f"{keys}: a throwaway Postgres {self.postgres.version} provided by twelve"
                f" on 127.0.0.1:{self.postgres.port}"
            )
        found += self.problems()
        return found


def _given(name: str, template: str, *, postgres: bool) -> BackingKey:
    endpoint = endpoint_of(template)
    if endpoint is None:
        problem = f"{name}: no host:port in its [probe.values] value"
        return BackingKey(name, template, None, postgres=postgres, problem=problem)
    host, port = endpoint
    if host == "localhost":
        host = "127.0.0.1"
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(host).is_loopback:
            return BackingKey(name, template, (host, port), postgres=postgres)
    problem = f"{name}: upstream {host!r} is not loopback"
    return BackingKey(name, template, None, postgres=postgres, problem=problem)


def stop_proxies(proxies: Mapping[str, FaultProxy]) -> None:
    """Stop every proxy: its listener closes and what is left of its connections is reset."""
    for proxy in proxies.values():
        with contextlib.suppress(RuntimeError, TimeoutError):
            proxy.stop()


def release_proxies(proxies: Mapping[str, FaultProxy]) -> None:
    """Pass mode on every proxy: held requests go through, so a stop is not a hang."""
    for proxy in proxies.values():
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            proxy.set_mode(Mode.PASS)
