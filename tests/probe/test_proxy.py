"""The fault proxy, exercised over real loopback sockets against a real echo upstream."""

from __future__ import annotations

import selectors
import socket
import threading
import time
from collections.abc import Iterator

import psutil
import pytest

from twelve.probe.proxy import FaultProxy, Mode


class EchoServer:
    """A tiny real upstream that echoes every byte back: one thread, bounded waits."""

    def __init__(self, host: str) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        self._listener.bind((host, 0))
        self._listener.listen()
        self.address: tuple[str, int] = (host, self._listener.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="echo-upstream", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _ in selector.select(timeout=0.05):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    if sock is self._listener:
                        conn, _ = sock.accept()
                        conn.settimeout(2.0)  # sendall to a stalled peer must not hang the test
                        selector.register(conn, selectors.EVENT_READ)
                        continue
                    try:
                        data = sock.recv(65536)
                        sock.sendall(data)
                    except OSError:
                        data = b""
                    if not data:
                        selector.unregister(sock)
                        sock.close()
            for key in list(selector.get_map().values()):
                assert isinstance(key.fileobj, socket.socket)
                key.fileobj.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2.0)


def _ipv6_loopback_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture
def upstream() -> Iterator[EchoServer]:
    server = EchoServer("127.0.0.1")
    yield server
    server.close()


@pytest.fixture
def proxy(upstream: EchoServer) -> Iterator[FaultProxy]:
    with FaultProxy(upstream.address) as running:
        yield running


def connect(proxy: FaultProxy) -> socket.socket:
    return socket.create_connection(proxy.address, timeout=2.0)


def round_trip(sock: socket.socket, payload: bytes) -> bytes:
    sock.sendall(payload)
    received = b""
    while len(received) < len(payload):
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_pass_forwards_bytes_both_ways(proxy: FaultProxy) -> None:
    """In pass mode, bytes reach the upstream and its answer comes back unchanged, in order."""
    big = bytes(range(256)) * 1024  # 256 KiB: several chunks each way
    with connect(proxy) as sock:
        assert round_trip(sock, b"ping") == b"ping"
        sender = threading.Thread(target=sock.sendall, args=(big,))
        sender.start()
        received = b""
        while len(received) < len(big):
            received += sock.recv(65536)
        sender.join(2.0)
        assert received == big
    assert proxy.connections_total == 1
    assert proxy.mode is Mode.PASS


def test_pass_forwards_a_half_close(proxy: FaultProxy) -> None:
    """A client that shuts down its sending side still gets the answer, then a clean EOF."""
    with connect(proxy) as sock:
        sock.sendall(b"last words")
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert received == b"last words"


def test_refuse_refuses_connects_and_pass_rebinds_the_same_port(proxy: FaultProxy) -> None:
    """Refuse closes the listener (ECONNREFUSED); pass listens again on the very same port."""
    address = proxy.address
    proxy.set_mode(Mode.REFUSE)
    with pytest.raises(ConnectionRefusedError):
        connect(proxy)
    proxy.set_mode(Mode.PASS)
    assert proxy.address == address
    with connect(proxy) as sock:
        assert sock.getpeername()[:2] == address
        assert round_trip(sock, b"back") == b"back"


def test_refuse_drops_an_existing_connection(proxy: FaultProxy) -> None:
    """Switching to refuse resets connections that were open before the switch."""
    with connect(proxy) as sock:
        assert round_trip(sock, b"before") == b"before"
        proxy.set_mode(Mode.REFUSE)
        with pytest.raises(ConnectionResetError):
            sock.recv(16)


def test_blackhole_accepts_but_never_answers(proxy: FaultProxy) -> None:
    """In blackhole mode a connect succeeds, a send succeeds, and nothing ever comes back."""
    proxy.set_mode(Mode.BLACKHOLE)
    with connect(proxy) as sock:
        sock.sendall(b"anyone there?")
        sock.settimeout(0.5)
        with pytest.raises(TimeoutError):
            sock.recv(16)
    assert proxy.connections_total == 1


def test_blackhole_holds_an_existing_connection_and_pass_releases_it(proxy: FaultProxy) -> None:
    """An open connection stops forwarding in blackhole; back in pass, held bytes arrive intact."""
    with connect(proxy) as sock:
        assert round_trip(sock, b"one") == b"one"
        proxy.set_mode(Mode.BLACKHOLE)
        sock.sendall(b"held")
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            sock.recv(16)
        sock.settimeout(2.0)
        proxy.set_mode(Mode.PASS)
        assert sock.recv(16) == b"held"


def test_reset_answers_data_with_rst(proxy: FaultProxy) -> None:
    """In reset mode the first bytes a new client sends are answered with ECONNRESET."""
    proxy.set_mode(Mode.RESET)
    with connect(proxy) as sock:
        sock.sendall(b"x")
        with pytest.raises(ConnectionResetError):
            sock.recv(16)


def test_reset_applies_to_an_existing_connection(proxy: FaultProxy) -> None:
    """A connection opened in pass is reset on its next send after the switch to reset."""
    with connect(proxy) as sock:
        assert round_trip(sock, b"fine") == b"fine"
        proxy.set_mode(Mode.RESET)
        sock.sendall(b"x")
        with pytest.raises(ConnectionResetError):
            sock.recv(16)


def test_latency_delays_each_chunk_both_ways(proxy: FaultProxy) -> None:
    """With 200 ms latency a round trip takes at least 200 ms (one delay per direction)."""
    proxy.set_mode(Mode.LATENCY, latency_ms=200)
    assert proxy.latency_ms == 200
    with connect(proxy) as sock:
        started = time.monotonic()
        assert round_trip(sock, b"slow") == b"slow"
        elapsed = time.monotonic() - started
    assert 0.2 <= elapsed < 1.0


def test_latency_applies_to_an_existing_connection(proxy: FaultProxy) -> None:
    """A connection opened in pass is slowed once latency is switched on, and fast again after."""
    with connect(proxy) as sock:
        assert round_trip(sock, b"a") == b"a"
        proxy.set_mode("latency", latency_ms=200)
        started = time.monotonic()
        assert round_trip(sock, b"b") == b"b"
        assert 0.2 <= time.monotonic() - started < 1.0
        proxy.set_mode(Mode.PASS)
        started = time.monotonic()
        assert round_trip(sock, b"c") == b"c"
        assert time.monotonic() - started < 0.2


def test_history_records_every_switch_in_order(proxy: FaultProxy) -> None:
    """history starts with pass at start() and lists each applied switch with its time."""
    before = time.monotonic()
    for mode in (Mode.BLACKHOLE, Mode.REFUSE, Mode.RESET, Mode.PASS):
        proxy.set_mode(mode)
    after = time.monotonic()
    history = proxy.history
    assert [mode for _, mode in history] == [
        Mode.PASS,
        Mode.BLACKHOLE,
        Mode.REFUSE,
        Mode.RESET,
        Mode.PASS,
    ]
    times = [at for at, _ in history]
    assert times == sorted(times)
    assert times[0] <= before <= times[1]
    assert times[-1] <= after


def test_set_mode_is_safe_from_many_threads(proxy: FaultProxy) -> None:
    """Concurrent switches from several threads are all applied, one at a time."""
    modes = [Mode.BLACKHOLE, Mode.PASS, Mode.RESET, Mode.REFUSE] * 5

    def switch_all() -> None:
        for mode in modes:
            proxy.set_mode(mode)

    threads = [threading.Thread(target=switch_all) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10.0)
    assert len(proxy.history) == 1 + 4 * len(modes)
    assert proxy.mode is proxy.history[-1][1]
    proxy.set_mode(Mode.PASS)
    with connect(proxy) as sock:
        assert round_trip(sock, b"still works") == b"still works"


def test_set_mode_rejects_bad_arguments(proxy: FaultProxy) -> None:
    """Latency needs a positive latency_ms, other modes take none, unknown modes are refused."""
    with pytest.raises(ValueError, match="latency_ms must be 1-60000"):
        proxy.set_mode(Mode.LATENCY)
    with pytest.raises(ValueError, match="latency_ms must be 1-60000"):
        proxy.set_mode(Mode.LATENCY, latency_ms=0)
    with pytest.raises(ValueError, match="only to LATENCY, not pass"):
        proxy.set_mode(Mode.PASS, latency_ms=10)
    with pytest.raises(ValueError, match="'slow' is not a valid Mode"):
        proxy.set_mode("slow")
    assert [mode for _, mode in proxy.history] == [Mode.PASS]


def test_connection_cap_resets_the_extra_connection(upstream: EchoServer) -> None:
    """Past max_connections a new client is reset on arrival; the first one keeps working."""
    with (
        FaultProxy(upstream.address, max_connections=1) as proxy,
        connect(proxy) as first,
    ):
        assert round_trip(first, b"one") == b"one"
        # The reset can beat connect() to the client's SO_ERROR, so either call may raise it.
        with pytest.raises(ConnectionResetError), connect(proxy) as second:
            second.recv(16)
        assert round_trip(first, b"two") == b"two"
        assert proxy.connections_total == 2


def test_unreachable_upstream_resets_the_client() -> None:
    """When nothing listens upstream, the client sees a reset, as it would from a dead peer."""
    with FaultProxy(("127.0.0.1", free_port())) as proxy:
        # The reset can beat connect() to the client's SO_ERROR, so either call may raise it.
        with pytest.raises(ConnectionResetError), connect(proxy) as sock:
            sock.recv(16)
        assert proxy.connections_total == 1


@pytest.mark.parametrize(
    ("upstream_host", "listen_host"),
    [
        ("10.0.0.5", "127.0.0.1"),
        ("0.0.0.0", "127.0.0.1"),
        ("db.example.com", "127.0.0.1"),
        ("localhost", "127.0.0.1"),
        ("127.0.0.1", "0.0.0.0"),
        ("127.0.0.1", "::"),
    ],
)
def test_non_loopback_addresses_are_rejected(upstream_host: str, listen_host: str) -> None:
    """Only loopback IP literals are accepted for the upstream and the listening host."""
    with pytest.raises(
        ValueError, match=r"must be a loopback IP address \(127\.0\.0\.0/8 or ::1\)"
    ):
        FaultProxy((upstream_host, 5432), listen_host=listen_host)


def test_stop_leaves_no_listener_connection_or_thread(upstream: EchoServer) -> None:
    """stop() resets open connections, closes the port and joins the thread; twice is fine."""
    threads_before = set(threading.enumerate())
    proxy = FaultProxy(upstream.address).start()
    port = proxy.address[1]
    assert {t.name for t in set(threading.enumerate()) - threads_before} == {"twelve-fault-proxy"}
    with connect(proxy) as sock:
        assert round_trip(sock, b"bye") == b"bye"
        proxy.stop()
        proxy.stop()
        with pytest.raises(ConnectionResetError):
            sock.recv(16)
    assert set(threading.enumerate()) == threads_before
    listening = [
        c
        for c in psutil.Process().net_connections("tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    ]
    assert listening == []
    with pytest.raises(ConnectionRefusedError):
        connect(proxy)
    with pytest.raises(RuntimeError, match="needs a running FaultProxy"):
        proxy.set_mode(Mode.PASS)
    with pytest.raises(RuntimeError, match="started only once"):
        proxy.start()


@pytest.mark.skipif(not _ipv6_loopback_available(), reason="this machine cannot bind ::1")
@pytest.mark.parametrize("listen_host", ["::1", "127.0.0.1"])
def test_ipv6_loopback_upstream(listen_host: str) -> None:
    """An upstream on ::1 is forwarded to, whether the proxy listens on ::1 or 127.0.0.1."""
    server = EchoServer("::1")
    try:
        with FaultProxy(server.address, listen_host=listen_host) as proxy:
            assert proxy.address[0] == listen_host
            with connect(proxy) as sock:
                assert round_trip(sock, b"six") == b"six"
            proxy.set_mode(Mode.REFUSE)
            with pytest.raises(ConnectionRefusedError):
                connect(proxy)
    finally:
        server.close()
