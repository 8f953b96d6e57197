"""Benchmark: a rolling restart of shortlinks behind nginx drops no request.

    .venv/bin/python benchmarks/rolling_restart.py [--duration 15] [--rate 50]
        [--concurrency 16] [--warmup 3] [--seed 1] [--max-fails 0] [--no-retry] [--keep]

Two web processes of examples/shortlinks (`python -m shortlinks web`, on a throwaway
Postgres from pgserver) run behind nginx, everything on 127.0.0.1. A separate process
(`_loadgen.py`) sends a steady, bounded load through nginx (rate x duration requests at
most, none sent after `duration`): 85% redirects (302), 10% statistics reads (200), 5% link
creations (201). `--warmup` seconds after the load starts, each instance is restarted in
turn: SIGTERM to its process group, wait for its exit, start a new one on the same port,
wait for its /readyz, then the next. Reported: requests sent, failed (a status outside
2xx/3xx, or no answer; must be 0; failures grouped by kind, outcome and restart phase),
p50/p99/max latency (all requests, and those due during the restarts), throughput, each
restart's timings (the kit's own too, from its log), what nginx passed on to the other
instance and why (its error log), and two side-effect checks in Postgres: one click job per
302 and one new link per 201, so a request served twice would show. Exit 0 when all of it
holds, 1 otherwise, 77 (skipped) when nginx is missing: `apt-get install -y nginx`
(Debian). The script runs nginx as its own child, with config, logs and pid in a temporary
directory (`--keep` keeps it), never as the system's service.

What makes the restart lossless, step by step:

1. SIGTERM: the kit answers /readyz with 503 at once and keeps serving every other request
   for drain_delay (1 s in twelve.toml). A balancer with active health checks (Kubernetes
   endpoints, HAProxy, nginx Plus) takes the instance out meanwhile; open-source nginx has
   none, keeps sending, and those requests are simply served.
2. The drain over, the kit closes its listener: a new connection is refused at once, not
   left hanging, and nginx passes the request on to the other instance
   (`proxy_next_upstream error`).
3. The kit (uvicorn) closes the idle keep-alive connections, answers in-flight requests with
   `Connection: close`, waits for them (within shutdown_timeout) and exits 0. A request
   nginx writes on an idle connection just as it closes meets a reset or "upstream
   prematurely closed connection": also an `error`, also passed on. In steady state nginx
   drops idle connections first (`keepalive_timeout 4s`, under uvicorn's 5 s).
4. The new instance takes requests as soon as it listens; the script waits for its /readyz
   before stopping the next one, so one instance always serves.

Passed on: `error timeout http_502 http_503 non_idempotent`, at most 2 tries (one per
instance) within 5 s. Redirects and statistics are GETs, idempotent. POST /api/links too
(`non_idempotent`): here a POST fails only before an instance has read it (a refused
connection, an idle connection closed under it), since the kit never drops a request it has
read, so a retry cannot create a link twice (the links check would show it). Where a
process can die mid-request, do not resend a POST that has no idempotency key.

Passive health checks are off (`max_fails=0`), on purpose. With `max_fails=1
fail_timeout=1s`, nginx leaves a refusing instance out for 1 to 2 s (it counts in whole
seconds), which can outlast the gap between the first instance's return and the second
one's listener closing (drain_delay, 1 s): both are out at once and nginx answers 502 "no
live upstreams" without trying either. Measured with `--max-fails 1`: 4 runs in 12 lost 10
to 51 requests of 750 that way, all while the second instance restarted. A refused
connection on loopback costs well under a millisecond, so the marks gain nothing here;
where a dead host costs a connect timeout, keep them, and keep drain_delay (or the pause
between instances) longer than fail_timeout + 1 s.

`--no-retry` (`proxy_next_upstream off`) is the control run: requests that meet a stopped
instance fail (52 to 96 of 750 in six runs), so the benchmark can fail.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import psycopg

from twelve.contract import load_contract

HERE = Path(__file__).resolve().parent
SERVICE = HERE.parent / "examples" / "shortlinks"
LOADGEN = HERE / "_loadgen.py"
EXIT_SKIPPED = 77  # automake's "skipped": neither a pass nor a failure
NGINX_MISSING = "nginx not found: install it with `apt-get install -y nginx` (Debian)"
LINKS = 50  # created before the load; redirects and statistics pick among them
POLL_S = 0.05
STOP_GRACE_S = 2.0  # beyond shutdown_timeout before a process is killed
KIT_EVENTS = {  # the kit's shutdown log lines, and their names in the report
    "drain over: closing the listener": "listener closed",
    "server stopped": "in-flight done",
    "shutdown complete": "exit",
}
OUTSIDE = "outside the restarts"
_NGINX_ERROR = re.compile(r"\[(?:warn|error)\] \d+#\d+: \*\d+ (.+?)(?:, client: |$)")

Record = list[Any]  # [due (monotonic s), latency s, kind, status code or error type name]


def main() -> int:
    """Run the benchmark; the exit code (0 all held, 1 something failed, 77 skipped)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load")
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight at most")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before the restarts")
    parser.add_argument("--seed", type=int, default=1, help="seed of the request mix")
    parser.add_argument("--max-fails", type=int, default=0, help="nginx passive checks (0: off)")
    parser.add_argument("--no-retry", action="store_true", help="control: nginx retries nothing")
    parser.add_argument("--keep", action="store_true", help="keep the logs, config and records")
    args = parser.parse_args()
    nginx = find_nginx()
    if nginx is None:
        print(NGINX_MISSING)
        print(f"SKIPPED (exit {EXIT_SKIPPED})")
        return EXIT_SKIPPED
    started = time.monotonic()
    with scratch_directory(keep=args.keep) as scratch, contextlib.ExitStack() as stack:
        problems = run(nginx, scratch, stack, args)
    print(f"whole run {time.monotonic() - started:.1f} s")
    for problem in problems:
        print(f"FAIL: {problem}")
    if not problems:
        print("PASS: no request failed, every side effect counted once")
    return 1 if problems else 0


def find_nginx() -> str | None:
    """nginx on PATH, else Debian's /usr/sbin/nginx (not on a normal user's PATH)."""
    found = shutil.which("nginx")
    if found is None and os.access("/usr/sbin/nginx", os.X_OK):
        found = "/usr/sbin/nginx"
    return found


@contextlib.contextmanager
def scratch_directory(*, keep: bool) -> Iterator[Path]:
    """A temporary directory, removed at the end unless `keep`.

    Args:
        keep: leave it in place and say where it is.
    """
    if keep:
        path = Path(tempfile.mkdtemp(prefix="rolling-restart-"))
        yield path
        print(f"kept: {path}")
        return
    with tempfile.TemporaryDirectory(prefix="rolling-restart-") as raw:
        yield Path(raw)


def run(
    nginx: str, scratch: Path, stack: contextlib.ExitStack, args: argparse.Namespace
) -> list[str]:
    """Start everything, restart each instance under load, report; what did not hold.

    Args:
        nginx: the nginx executable.
        scratch: a directory for Postgres, nginx, the instances' logs and the load's records.
        stack: every process started here is stopped by a callback on it, whatever happens.
        args: the command line.
    """
    contract = load_contract(SERVICE / "twelve.toml")
    web = contract.processes["web"]
    uri = start_postgres(scratch / "pg", stack)
    env = {**os.environ, "DATABASE_URL": uri, "HOST": "127.0.0.1", "APP_ENV": "bench"}
    env |= {"GIT_SHA": "bench", "LOG_LEVEL": "info"}
    migrate = argv_of(contract.admin["migrate"].command)
    subprocess.run(migrate, cwd=SERVICE, env=env, check=True, capture_output=True, timeout=60)

    # One client for every poll: a new one (httpx.get) loads CA certificates, ~70 ms of CPU.
    client = stack.enter_context(httpx.Client(timeout=2.0))
    ports = free_ports(3)
    argv = argv_of(web.command)
    instances = [
        Instance(name, port, argv, env, scratch) for name, port in zip("ab", ports[:2], strict=True)
    ]
    stack.callback(stop_all, instances, web.shutdown_timeout + STOP_GRACE_S)
    for instance in instances:
        instance.start()
    for instance in instances:
        instance.wait_ready(client, web.startup_timeout)
    codes = create_links(client, instances)
    home = scratch / "nginx"
    balancer = Nginx(
        nginx, home, ports[2], ports[:2], max_fails=args.max_fails, retry=not args.no_retry
    )
    stack.callback(balancer.stop)
    balancer.start()
    balancer.wait_serving(client, 10.0)

    load = start_load(ports[2], scratch / "records.json", codes, args)
    stack.callback(stop_group, load, signal.SIGTERM, 5.0)
    time.sleep(args.warmup)
    restarts = [
        restart(instance, client, web.shutdown_timeout + STOP_GRACE_S, web.startup_timeout)
        for instance in instances
    ]
    load.wait(args.duration + 30)  # nothing is sent after `duration`, and waits 10 s at most
    if load.returncode != 0:
        raise RuntimeError(f"the load process exited {load.returncode}")
    balancer.stop()  # its logs are complete once it has exited
    records: list[Record] = orjson.loads((scratch / "records.json").read_bytes())["records"]
    if not records:
        return ["the load sent no request"]
    retries = "NO RETRIES: control run" if args.no_retry else "retries"
    print(
        f"rolling restart of shortlinks: 2 web instances behind {balancer.version()}"
        f" (max_fails={args.max_fails}, {retries}); load {args.rate:g} req/s for"
        f" {args.duration:g} s, at most {args.concurrency} in flight, seed {args.seed};"
        f" drain_delay {web.drain_delay:g} s; {os.cpu_count()} CPUs"
    )
    problems = report_restarts(restarts, records)
    problems += report_requests(records, restarts, due=int(args.rate * args.duration))
    report_balancer(balancer)
    return problems + report_side_effects(records, *side_effects(uri))


def argv_of(command: str | list[str]) -> list[str]:
    """A contract command as argv, `python` being this interpreter (the project's venv).

    Args:
        command: a string split like a shell, or an argv list.
    """
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    return [sys.executable, *argv[1:]] if argv[0] == "python" else argv


def start_postgres(data: Path, stack: contextlib.ExitStack) -> str:
    """Start a throwaway Postgres (pgserver) in `data`, stopped by `stack`; its URL.

    Args:
        data: its data directory (created).
        stack: takes the callback that stops it.
    """
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import (  # noqa: PLC0415 -- after the nginx check
            get_server,
        )

        database = get_server(data, cleanup_mode="stop")
    stack.callback(database.cleanup)
    return database.get_uri()


def start_load(
    port: int, records: Path, codes: list[str], args: argparse.Namespace
) -> subprocess.Popen[bytes]:
    """Start the load generator (`_loadgen.py`) in its own process group.

    Args:
        port: the load balancer's port on 127.0.0.1.
        records: where it writes every request's record.
        codes: the links it follows.
        args: the command line (rate, concurrency, duration, seed).
    """
    return subprocess.Popen(
        [
            *(sys.executable, str(LOADGEN), str(port), str(records), "--codes", ",".join(codes)),
            *("--rate", f"{args.rate:g}", "--concurrency", str(args.concurrency)),
            *("--duration", f"{args.duration:g}", "--seed", str(args.seed)),
        ],
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


class Instance:
    """One web process of shortlinks on a fixed port, in its own process group.

    Args:
        name: "a" or "b".
        port: its port, kept across restarts.
        argv: the contract's web command.
        env: its environment, but PORT.
        logs: where each generation writes its stdout (`a1.log`, `a2.log`...).
    """

    def __init__(
        self, name: str, port: int, argv: list[str], env: dict[str, str], logs: Path
    ) -> None:
        self.name = name
        self.port = port
        self.generation = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._argv = argv
        self._env = {**env, "PORT": str(port)}
        self._logs = logs

    @property
    def log(self) -> Path:
        """The current generation's log file."""
        return self._logs / f"{self.name}{self.generation}.log"

    def start(self) -> None:
        """Start a new generation."""
        self.generation += 1
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self._argv,
                cwd=SERVICE,
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, client: httpx.Client, timeout: float) -> None:
        """Return once /readyz answers 200; raise if it exits or `timeout` passes first.

        Args:
            client: the HTTP client to ask with.
            timeout: seconds.
        """
        assert self.process is not None, "start() first"
        url = f"http://127.0.0.1:{self.port}/readyz"
        if await_200(client, url, self.process, timeout):
            return
        if (code := self.process.poll()) is not None:
            raise RuntimeError(f"{self.name} exited {code} before it was ready: {self.log}")
        raise RuntimeError(f"{self.name} not ready after {timeout:g} s: {self.log}")


def await_200(
    client: httpx.Client, url: str, process: subprocess.Popen[bytes], timeout: float
) -> bool:
    """Whether `url` answers 200 before `process` exits and `timeout` passes.

    Args:
        client: the HTTP client to ask with.
        url: the URL to poll.
        process: the process serving it.
        timeout: seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            if client.get(url, timeout=1.0).status_code == 200:
                return True
        time.sleep(POLL_S)
    return False


def stop_group(process: subprocess.Popen[bytes], sig: signal.Signals, timeout: float) -> int:
    """Send `sig` to the process group of `process`, SIGKILL after `timeout`; its exit code.

    Args:
        process: a process started with `start_new_session=True`.
        sig: the signal asking it to stop.
        timeout: seconds.
    """
    if process.poll() is None:
        os.killpg(process.pid, sig)
    return wait_or_kill(process, timeout)


def wait_or_kill(process: subprocess.Popen[bytes], timeout: float) -> int:
    """Wait for `process` to exit, SIGKILL its group after `timeout`; its exit code.

    Args:
        process: a process started with `start_new_session=True`, already signalled.
        timeout: seconds.
    """
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait(timeout)


def stop_all(instances: list[Instance], timeout: float) -> None:
    """SIGTERM every instance at once, then wait for each, SIGKILL after `timeout`.

    One signal each: a second one means "exit now" to the kit.

    Args:
        instances: the instances; those never started are skipped.
        timeout: seconds each may take.
    """
    running = [i.process for i in instances if i.process is not None and i.process.poll() is None]
    for process in running:
        os.killpg(process.pid, signal.SIGTERM)
    for process in running:
        wait_or_kill(process, timeout)


@dataclass(frozen=True, slots=True)
class Restart:
    """One instance restarted: when (monotonic seconds), how it exited, the kit's timings.

    Args:
        name: the instance.
        signalled: SIGTERM sent.
        exited: the old process gone.
        ready: the new one's /readyz answered 200.
        exit_code: the old process's exit code (0 expected).
        kit: the kit's own shutdown timings, seconds after the signal, by event.
    """

    name: str
    signalled: float
    exited: float
    ready: float
    exit_code: int
    kit: dict[str, float]


def restart(
    instance: Instance, client: httpx.Client, stop_timeout: float, startup_timeout: float
) -> Restart:
    """Stop `instance` (SIGTERM), start its next generation on the same port, wait until ready.

    Args:
        instance: the instance, running.
        client: the HTTP client to ask for readiness with.
        stop_timeout: seconds it may take to exit before it is killed.
        startup_timeout: seconds the new one may take to be ready.
    """
    assert instance.process is not None, "start() first"
    old_log = instance.log
    signalled = time.monotonic()
    code = stop_group(instance.process, signal.SIGTERM, stop_timeout)
    exited = time.monotonic()
    instance.start()
    instance.wait_ready(client, startup_timeout)
    ready = time.monotonic()
    return Restart(instance.name, signalled, exited, ready, code, kit_timings(old_log))


def kit_timings(log: Path) -> dict[str, float]:
    """The kit's shutdown events in a process's JSON log, seconds after the signal.

    Args:
        log: the process's stdout.
    """
    timings: dict[str, float] = {}
    for line in log.read_bytes().splitlines():
        with contextlib.suppress(orjson.JSONDecodeError):
            event = orjson.loads(line)
            if isinstance(event, dict) and event.get("message") in KIT_EVENTS:
                timings[KIT_EVENTS[event["message"]]] = float(event["seconds"])
    return timings


class Nginx:
    """nginx in the foreground as our own child, its config and logs in its own directory.

    Args:
        binary: the nginx executable.
        home: its directory (created): config, pid, logs, temp files.
        port: where it listens, on 127.0.0.1.
        upstreams: the instances' ports.
        max_fails: failures that take an instance out for `fail_timeout` (0: never).
        retry: pass a failed request on to the other instance (False: the control run).
    """

    def __init__(
        self,
        binary: str,
        home: Path,
        port: int,
        upstreams: list[int],
        *,
        max_fails: int,
        retry: bool,
    ) -> None:
        self.port = port
        self._binary = binary
        self._home = home
        self._process: subprocess.Popen[bytes] | None = None
        home.mkdir()
        config = nginx_config(home, port, upstreams, max_fails=max_fails, retry=retry)
        (home / "nginx.conf").write_text(config)

    def start(self) -> None:
        """Start it: a master and one worker, in their own process group."""
        with (self._home / "stderr.log").open("wb") as stderr:
            self._process = subprocess.Popen(
                [self._binary, "-p", str(self._home), "-c", str(self._home / "nginx.conf")],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )

    def wait_serving(self, client: httpx.Client, timeout: float) -> None:
        """Return once /healthz through it answers 200; raise after `timeout`.

        Args:
            client: the HTTP client to ask with.
            timeout: seconds.
        """
        assert self._process is not None, "start() first"
        if await_200(client, f"http://127.0.0.1:{self.port}/healthz", self._process, timeout):
            return
        stderr = (self._home / "stderr.log").read_text()
        raise RuntimeError(f"nginx not serving after {timeout:g} s: {stderr}")

    def stop(self) -> None:
        """SIGQUIT (graceful: its logs are complete), SIGKILL after 10 s."""
        if self._process is not None:
            stop_group(self._process, signal.SIGQUIT, 10.0)

    def version(self) -> str:
        """Like `nginx/1.22.1`."""
        done = subprocess.run([self._binary, "-v"], capture_output=True, text=True, check=True)
        return done.stderr.strip().removeprefix("nginx version: ")

    def passed_on(self) -> Counter[str]:
        """Requests sent to a second instance, by the first one's status (502: no answer)."""
        first: Counter[str] = Counter()
        for line in (self._home / "access.log").read_text().splitlines():
            statuses = line.rsplit("|", 1)[1]
            if "," in statuses:
                first[statuses.split(",")[0].strip()] += 1
        return first

    def upstream_errors(self) -> Counter[str]:
        """nginx's warnings and errors about the instances, by message."""
        errors: Counter[str] = Counter()
        for line in (self._home / "error.log").read_text().splitlines():
            if (match := _NGINX_ERROR.search(line)) is not None:
                errors[match[1]] += 1
        return errors


def nginx_config(
    home: Path, port: int, upstreams: list[int], *, max_fails: int, retry: bool
) -> str:
    """The whole nginx.conf; the module docstring says why each upstream setting.

    Args:
        home: nginx's directory (pid, logs, temp files).
        port: where it listens, on 127.0.0.1.
        upstreams: the instances' ports.
        max_fails: failures that take an instance out for `fail_timeout` (0: never).
        retry: pass a failed request on to the other instance.
    """
    servers = "".join(
        f"        server 127.0.0.1:{upstream} max_fails={max_fails} fail_timeout=1s;\n"
        for upstream in upstreams
    )
    next_upstream = "error timeout http_502 http_503 non_idempotent" if retry else "off"
    temp = "".join(
        f"    {kind}_temp_path {home / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
daemon off;
worker_processes 1;
pid {home / "nginx.pid"};
error_log {home / "error.log"} warn;
events {{
    worker_connections 1024;
}}
http {{
    log_format upstreams '$msec|$status|$upstream_addr|$upstream_status';
    access_log {home / "access.log"} upstreams;
{temp}    upstream shortlinks {{
{servers}        keepalive 16;
        keepalive_timeout 4s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://shortlinks;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_connect_timeout 1s;
            proxy_read_timeout 4s;
            proxy_next_upstream {next_upstream};
            proxy_next_upstream_tries 2;
            proxy_next_upstream_timeout 5s;
        }}
    }}
}}
"""


def free_ports(count: int) -> list[int]:
    """`count` distinct ports free on 127.0.0.1 right now.

    Args:
        count: how many.
    """
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def create_links(client: httpx.Client, instances: list[Instance]) -> list[str]:
    """Create the links the load follows, then follow one on each instance; their codes.

    The first redirect of a process loads the click queue (procrastinate): done here, it
    stays out of the figures, but each restarted instance pays it again under the load.

    Args:
        client: the HTTP client to send with.
        instances: the instances, ready.
    """
    codes = [f"rr-{number:03d}" for number in range(LINKS)]
    first = f"http://127.0.0.1:{instances[0].port}"
    for number, code in enumerate(codes):
        body = {"url": f"https://example.com/{number}", "code": code}
        client.post(f"{first}/api/links", json=body).raise_for_status()
    for instance in instances:
        if client.get(f"http://127.0.0.1:{instance.port}/{codes[0]}").status_code != 302:
            raise RuntimeError(f"{instance.name} does not redirect: {instance.log}")
    return codes


def side_effects(uri: str) -> tuple[int, int]:
    """(click jobs enqueued, links created) in Postgres, beyond those made before the load.

    Args:
        uri: the database.
    """
    with psycopg.connect(uri, connect_timeout=5) as conn:
        jobs = conn.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'record_click'"
        ).fetchone()
        links = conn.execute("SELECT count(*) FROM links").fetchone()
    assert jobs is not None and links is not None  # count(*) gives one row
    return int(jobs[0]) - 2, int(links[0]) - LINKS  # create_links followed one link twice


def succeeded(record: Record) -> bool:
    """Whether a request got a 2xx or 3xx answer.

    Args:
        record: the request's record.
    """
    outcome = record[3]
    return isinstance(outcome, int) and 200 <= outcome < 400


def report_restarts(restarts: list[Restart], records: list[Record]) -> list[str]:
    """Print each restart's timings; what did not hold.

    Args:
        restarts: the restarts, in order.
        records: every request's record.
    """
    origin = min(record[0] for record in records)
    problems = []
    for done in restarts:
        during = sum(done.signalled <= record[0] < done.ready for record in records)
        kit = ", ".join(f"{event} {seconds:.2f} s" for event, seconds in done.kit.items())
        print(
            f"restart {done.name}: SIGTERM at {done.signalled - origin:.2f} s; exit"
            f" {done.exit_code} after {done.exited - done.signalled:.2f} s (kit: {kit});"
            f" new one ready {done.ready - done.exited:.2f} s later;"
            f" {during} requests fell due in between"
        )
        if done.exit_code != 0:
            problems.append(f"instance {done.name} exited {done.exit_code} on SIGTERM")
    if restarts[-1].ready > max(record[0] + record[1] for record in records):
        problems.append("the load ended before the restarts did: raise --duration")
    return problems


def report_requests(records: list[Record], restarts: list[Restart], *, due: int) -> list[str]:
    """Print the requests' figures and failures; what did not hold.

    Args:
        records: every request's record.
        restarts: the restarts, in order.
        due: requests the load had to send.
    """
    origin = min(record[0] for record in records)
    end = max(record[0] + record[1] for record in records)
    during = [record for record in records if phase(record[0], restarts) != OUTSIDE]
    failures = [record for record in records if not succeeded(record)]
    outcomes = Counter(f"{record[2]} {record[3]}" for record in records)
    print(f"requests sent     {len(records)}" + (f" of {due} due" if len(records) < due else ""))
    print(f"failed            {len(failures)}")
    print(f"latency ms        {latency(records)}")
    print(f"  of the {len(during)} due during the restarts: {latency(during)}")
    print(f"throughput        {len(records) / (end - origin):.1f} req/s")
    print(f"outcomes          {', '.join(f'{o}: {n}' for o, n in sorted(outcomes.items()))}")
    groups: dict[str, list[float]] = {}
    for record in failures:
        groups.setdefault(f"{record[2]} {record[3]}", []).append(record[0])
    for outcome, dues in sorted(groups.items()):
        phases = ", ".join(sorted({phase(due, restarts) for due in dues}))
        print(
            f"  failed {outcome} x{len(dues)}: due from {min(dues) - origin:.2f} s"
            f" to {max(dues) - origin:.2f} s, {phases}"
        )
    if len(records) < due:
        print(
            f"  the load fell behind: {due - len(records)} requests not sent in time"
            " (the service or the machine could not keep up with --rate); latencies include"
            " the wait"
        )
    return [f"{len(failures)} of {len(records)} requests failed"] if failures else []


def latency(records: list[Record]) -> str:
    """`p50 …, p99 …, max …` of the records' latencies, in milliseconds.

    Args:
        records: requests' records.
    """
    if len(records) < 2:
        return f"{len(records)} request(s), no percentiles"
    latencies = [record[1] * 1000 for record in records]
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return f"p50 {cuts[49]:.1f}, p99 {cuts[98]:.1f}, max {max(latencies):.1f}"


def phase(due: float, restarts: list[Restart]) -> str:
    """Where a moment falls: stopping or starting which instance, or outside the restarts.

    Args:
        due: a monotonic time.
        restarts: the restarts.
    """
    for done in restarts:
        if done.signalled <= due < done.exited:
            return f"while {done.name} was stopping"
        if done.exited <= due < done.ready:
            return f"while {done.name} was starting"
    return OUTSIDE


def report_balancer(balancer: Nginx) -> None:
    """Print what nginx passed on to the other instance, and why (its error log).

    Args:
        balancer: nginx, stopped (its logs complete).
    """
    passed = balancer.passed_on()
    firsts = ", ".join(f"{status} x{count}" for status, count in passed.most_common())
    print(
        f"nginx passed on   {sum(passed.values())} requests to the other instance"
        + (f" (first try: {firsts})" if passed else "")
    )
    for message, count in balancer.upstream_errors().most_common():
        print(f"  nginx: {message} x{count}")


def report_side_effects(records: list[Record], jobs: int, links: int) -> list[str]:
    """Print the side-effect checks: one click job per 302, one link per 201; what did not hold.

    Args:
        records: every request's record.
        jobs: click jobs the load enqueued, counted in Postgres.
        links: links the load created, counted in Postgres.
    """
    redirects = sum(record[2:] == ["redirect", 302] for record in records)
    created = sum(record[2:] == ["create", 201] for record in records)
    print(f"click jobs        {jobs} enqueued for {redirects} redirects answered 302")
    print(f"links created     {links} in Postgres for {created} answered 201")
    problems = []
    if jobs != redirects:
        problems.append(f"{jobs} click jobs for {redirects} redirects")
    if links != created:
        problems.append(f"{links} links created for {created} answered 201")
    return problems


if __name__ == "__main__":
    sys.exit(main())
