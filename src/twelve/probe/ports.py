"""Loopback ports: pick a free one, wait until it accepts or answers HTTP, see who listens."""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpx
import psutil

from twelve.probe.clock import Deadline, backoff
from twelve.probe.teardown import marked_processes

__all__ = [
    "LOOPBACK_HOSTS",
    "HttpReadiness",
    "accepting_host",
    "free_port",
    "listening_ports",
    "listening_sockets",
    "require_loopback_url",
    "wait_accepting",
    "wait_http_ok",
]

LOOPBACK_HOSTS = ("127.0.0.1", "::1")

_POLL_S = 0.01  # the first poll interval; it grows to _POLL_CAP_S
_POLL_CAP_S = 0.05
_CONNECT_TIMEOUT_S = 0.25
_HTTP_TIMEOUT_S = 1.0


@dataclass(frozen=True, slots=True)
class HttpReadiness:
    """The outcome of an HTTP readiness wait: the last status or error seen."""

    ok: bool
    status: int | None
    error: Exception | None


def _require_loopback_host(host: str) -> None:
    """Raise ValueError unless `host` is loopback: the harness never talks to anything else.

    Args:
        host: A host name or IP literal (IPv6 without brackets).
    """
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"refusing non-loopback host {host!r}: the probe talks only to loopback")


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that was free on `host` a moment ago.

    Another process may take it before the service binds it; callers detect that with
    `ServiceProcess.listening_ports()`.

    Args:
        host: A loopback address to bind to while asking the kernel for a port.
    """
    _require_loopback_host(host)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port


def accepting_host(port: int, timeout_s: float) -> str | None:
    """Return the first loopback address where a TCP connect to `port` succeeds, else None.

    Args:
        port: The TCP port to try.
        timeout_s: Longest wait for each connect attempt.
    """
    for host in LOOPBACK_HOSTS:
        try:
            # A connect that is accepted proves readiness; nothing is sent.
            with socket.create_connection((host, port), timeout=max(timeout_s, 0.001)):
                return host
        except OSError:
            continue
    return None


def listening_sockets(processes: Iterable[psutil.Process]) -> set[tuple[str, int]]:
    """Return the (address, port) pairs of TCP sockets in LISTEN state held by `processes`.

    Args:
        processes: The processes to inspect; vanished or inaccessible ones are skipped.
    """
    found: set[tuple[str, int]] = set()
    for proc in processes:
        try:
            connections = proc.net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        for conn in connections:
            if conn.status == psutil.CONN_LISTEN and conn.laddr:
                found.add((conn.laddr.ip, conn.laddr.port))
    return found


def listening_ports(pid: int | None, marker: str) -> set[tuple[str, int]]:
    """Return the LISTEN sockets of `pid` and its descendants, and of processes with `marker`.

    The marker scan finds listeners that left the tree (double fork, setsid, reparenting).

    Args:
        pid: The service's leader, or None when it has exited (its pid may be reused).
        marker: The service's environment marker.
    """
    processes = {proc.pid: proc for proc, _ in marked_processes({marker})}
    if pid is not None:
        try:
            leader = psutil.Process(pid)
            for proc in [leader, *leader.children(recursive=True)]:
                processes.setdefault(proc.pid, proc)
        except psutil.Error:
            pass  # it exited meanwhile; the marked processes are all there is
    return listening_sockets(processes.values())


def require_loopback_url(url: str) -> httpx.URL:
    """Parse `url`, refusing anything but http(s) to a loopback host.

    Args:
        url: An absolute URL such as ``http://127.0.0.1:8080/health``.
    """
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https"):
        raise ValueError(f"refusing URL {url!r}: only http and https are probed")
    _require_loopback_host(parsed.host)
    return parsed


def wait_accepting(port: int, deadline: Deadline, exited: Callable[[], bool]) -> bool:
    """Poll until `port` accepts on a loopback address; False on deadline or once `exited()`.

    Args:
        port: The TCP port to try.
        deadline: When to give up.
        exited: Tells whether the service is gone, so the wait can end early.
    """
    intervals = backoff(_POLL_S, _POLL_CAP_S)
    while True:
        if accepting_host(port, min(_CONNECT_TIMEOUT_S, deadline.remaining())) is not None:
            return True
        if exited() or deadline.expired():
            return False
        deadline.sleep(next(intervals))


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every client: httpx builds one per client unless given one, which
    costs 0.1-0.4 s of CPU each time (probes speak plain HTTP, but the cost is paid anyway)."""
    return ssl.create_default_context()


def loopback_client(timeout: float) -> httpx.Client:
    """An HTTP client for loopback probe traffic: no proxies from the environment (they must
    never see it), no redirects followed, a shared TLS context."""
    return httpx.Client(trust_env=False, timeout=timeout, verify=_tls(), follow_redirects=False)


def wait_http_ok(url: str, deadline: Deadline, exited: Callable[[], bool]) -> HttpReadiness:
    """Poll GET `url` until it answers 2xx, the deadline passes or `exited()`.

    Args:
        url: A loopback URL; anything else raises ValueError before any request.
        deadline: When to give up.
        exited: Tells whether the service is gone, so the wait can end early.
    """
    target = require_loopback_url(url)
    last = HttpReadiness(ok=False, status=None, error=None)
    # trust_env=False: a proxy from the environment must not see loopback probe traffic.
    intervals = backoff(_POLL_S, _POLL_CAP_S)
    with loopback_client(_HTTP_TIMEOUT_S) as client:
        while True:
            timeout = max(min(_HTTP_TIMEOUT_S, deadline.remaining()), 0.01)
            try:
                # Only the status matters; streaming leaves a large or endless body unread.
                with client.stream("GET", target, timeout=timeout) as response:
                    last = HttpReadiness(response.is_success, response.status_code, None)
            except httpx.HTTPError as exc:
                last = HttpReadiness(ok=False, status=None, error=exc)
            if last.ok or exited() or deadline.expired():
                return last
            deadline.sleep(next(intervals))
