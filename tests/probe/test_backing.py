"""Backing services: endpoint rewriting, twelve's own Postgres, fault proxies per instance, and
the backing-service and admin probes on the db-* fixture services (real Postgres)."""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from twelve.contract import Contract, ContractError, load_contract, parse_contract
from twelve.model import CheckInconclusive, Outcome, Report
from twelve.probe import postgres as postgres_module
from twelve.probe.backing import RunBacking, endpoint_of, migration_tasks, with_endpoint
from twelve.probe.clock import SystemClock
from twelve.probe.context import ProbeContext, ProbeSettings, ProcessUnderTest, RunRecord
from twelve.probe.postgres import EphemeralPostgres, PostgresUnavailable
from twelve.probe.proxy import THREAD_NAME, Mode
from twelve.probe.runner import ProbeOptions, probe_service
from twelve.probe.teardown import live_markers

SERVICES = Path(__file__).parent.parent / "fixtures" / "services"
PREVIEW = ("P0910",)


@pytest.fixture(scope="module", autouse=True)
def venv_python() -> Iterator[None]:
    """Fixture commands say `python3`: this environment's interpreter, which has psycopg."""
    before = os.environ["PATH"]
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + before
    yield
    os.environ["PATH"] = before


def loads_contract(text: str) -> Contract:
    return parse_contract(text, Path("twelve.toml"))


def run(fixture: str | Path, select: list[str], process: str | None = None) -> Report:
    root = fixture if isinstance(fixture, Path) else SERVICES / fixture
    preview = any(s in PREVIEW for s in select)
    options = ProbeOptions(select=select, preview=preview, process=process)
    return probe_service(root, load_contract(root / "twelve.toml"), options)


def outcomes(report: Report) -> dict[str, str]:
    """`process/ID` -> outcome."""
    return {f"{r.message.split(':', 1)[0]}/{r.check.id}": r.outcome.value for r in report.results}


def result(report: Report, key: str) -> tuple[str, list[str]]:
    """The message and every evidence line of the result `process/ID`."""
    for r in report.results:
        if f"{r.message.split(':', 1)[0]}/{r.check.id}" == key:
            return r.message, [line for e in r.evidence for line in e.lines]
    raise AssertionError(f"no result {key}")


# ------------------------------------------------------------------------------ endpoints


@pytest.mark.parametrize(
    ("value", "endpoint"),
    [
        ("postgresql://app:{canary}@127.0.0.1:5432/app", ("127.0.0.1", 5432)),
        ("postgres://app@localhost/app?sslmode=disable", ("localhost", 5432)),
        ("redis://[::1]:6380/0", ("::1", 6380)),
        ("amqp://guest:guest@127.0.0.1", ("127.0.0.1", 5672)),
        ("127.0.0.1:11211", ("127.0.0.1", 11211)),
        ("[::1]:4222", ("::1", 4222)),
        ("127.0.0.1", None),
        ("twelve://127.0.0.1/x", None),
        ("redis://127.0.0.1:99999", None),
    ],
)
def test_endpoint_of_reads_host_and_port(value: str, endpoint: tuple[str, int] | None) -> None:
    """URLs and host:port values name their endpoint; a URL without a port gets its scheme's."""
    assert endpoint_of(value) == endpoint


def test_with_endpoint_keeps_credentials_and_query() -> None:
    """Only host:port change (and, when asked, the database): user, password, query stay."""
    url = "postgresql://app:{canary}@127.0.0.1:5432/app?sslmode=disable&x=1#frag"
    assert with_endpoint(url, "127.0.0.1", 40001) == (
        "postgresql://app:{canary}@127.0.0.1:40001/app?sslmode=disable&x=1#frag"
    )
    assert with_endpoint(url, "::1", 40001, database="twelve_ab") == (
        "postgresql://app:{canary}@[::1]:40001/twelve_ab?sslmode=disable&x=1#frag"
    )
    assert with_endpoint("postgres://u@127.0.0.1", "127.0.0.1", 9, database="d") == (
        "postgres://u@127.0.0.1:9/d"
    )
    assert with_endpoint("[::1]:6379", "127.0.0.1", 7) == "127.0.0.1:7"


def test_migration_tasks_are_the_tasks_named_migrate() -> None:
    """Admin tasks whose name mentions `migrat` are the migration tasks, in declared order."""
    contract = load_contract(SERVICES / "db-good" / "twelve.toml")
    assert list(contract.admin) == ["migrate", "enqueue"]
    assert migration_tasks(contract) == ["migrate"]


# ----------------------------------------------------------------------- RunBacking, no server

_CONTRACT = """
[service]
name = "t"
[processes.web]
command = "x"
[config.DATABASE_URL]
type = "url"
schemes = ["postgresql"]
secret = true
backing_service = true
[config.CACHE_ADDR]
backing_service = true
{cache}
[config.QUEUE_URL]
type = "url"
schemes = ["amqp"]
backing_service = true
[probe.values]
DATABASE_URL = "postgresql://app:{{canary}}@127.0.0.1:5999/app"
{values}
"""


def test_given_upstreams_are_routable_and_unknown_kinds_are_explained() -> None:
    """probe.values names the upstream; a non-Postgres key without one is a clear problem."""
    contract = loads_contract(
        _CONTRACT.format(cache='example = "10.0.0.1:6379"', values='CACHE_ADDR = "[::1]:6379"')
    )
    with RunBacking(contract) as backing:
        assert backing.postgres is None
        assert backing.routable() == ["DATABASE_URL", "CACHE_ADDR"]
        assert backing.problems() == [
            "QUEUE_URL has no upstream: give a loopback value in [probe.values] (twelve"
            ' provides only Postgres: type = "url", schemes = ["postgresql"])'
        ]
        assert backing.keys["DATABASE_URL"].upstream == ("127.0.0.1", 5999)
        assert backing.keys["CACHE_ADDR"].upstream == ("::1", 6379)
        assert backing.templates() == {
            "DATABASE_URL": "postgresql://app:{canary}@127.0.0.1:5999/app",
            "CACHE_ADDR": "[::1]:6379",
        }
        assert backing.postgres_unavailable() == (
            "needs a database twelve provides, but DATABASE_URL names its own in"
            " [probe.values]: leave it out there to get a throwaway Postgres"
        )


def test_each_proxy_set_is_its_own() -> None:
    """Two instances get two proxies per key; a fault on one set leaves the other in pass."""
    contract = loads_contract(_CONTRACT.format(cache="", values='CACHE_ADDR = "127.0.0.1:6379"'))
    with RunBacking(contract) as backing:
        first, second = backing.new_proxies(), backing.new_proxies()
        try:
            assert sorted(first) == sorted(second) == ["CACHE_ADDR", "DATABASE_URL"]
            assert first["DATABASE_URL"].address != second["DATABASE_URL"].address
            first["DATABASE_URL"].set_mode(Mode.BLACKHOLE)
            assert second["DATABASE_URL"].mode is Mode.PASS
            port = first["CACHE_ADDR"].address[1]
            assert backing.templates(proxies=first)["CACHE_ADDR"] == f"127.0.0.1:{port}"
        finally:
            for proxy in [*first.values(), *second.values()]:
                proxy.stop()


def test_launch_with_faults_points_the_instance_at_its_proxies(tmp_path: Path) -> None:
    """`ctx.launch(faults=True)`: the env names the instance's proxy; proxies stop with it."""
    contract = loads_contract(
        _CONTRACT.format(cache="", values='CACHE_ADDR = "127.0.0.1:6379"').replace(
            'command = "x"', f'command = ["{sys.executable}", "-c", "import time; time.sleep(30)"]'
        )
    )
    service = ProcessUnderTest("web", contract.processes["web"], contract, tmp_path)
    with RunBacking(contract) as backing:
        ctx = ProbeContext(RunRecord(), SystemClock(), ProbeSettings(), "t", backing)
        with ctx.launch(service, faults=True) as instance:
            proxies = dict(instance.proxies)
            host, port = proxies["DATABASE_URL"].address
            canary = instance.ienv.secrets["DATABASE_URL"]
            env = instance.ienv.env
            assert env["DATABASE_URL"] == f"postgresql://app:{canary}@{host}:{port}/app"
            assert env["CACHE_ADDR"] == f"127.0.0.1:{proxies['CACHE_ADDR'].address[1]}"
        with ctx.launch(service) as plain:
            assert plain.proxies == {}
            assert plain.ienv.env["CACHE_ADDR"] == "127.0.0.1:6379"
    with pytest.raises(RuntimeError, match="needs a running FaultProxy"):
        proxies["DATABASE_URL"].set_mode(Mode.REFUSE)


def test_without_pgserver_postgres_keys_are_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pgserver: the Postgres key has a problem naming the package, nothing is routable.

    pgserver is installed here, so its absence is simulated (the one stand-in in this file).
    """

    def missing() -> Path:
        raise PostgresUnavailable("the pgserver package is not installed (pip install pgserver)")

    monkeypatch.setattr(postgres_module, "_binaries", missing)
    with RunBacking(load_contract(SERVICES / "db-good" / "twelve.toml")) as backing:
        assert backing.routable() == []
        assert backing.templates() == {}
        problem = (
            "DATABASE_URL: twelve could not provide a Postgres:"
            " the pgserver package is not installed (pip install pgserver)"
        )
        assert backing.problems() == [problem]
        assert backing.notes() == [problem]
        with pytest.raises(CheckInconclusive, match="pgserver package is not installed"):
            backing.fresh_database()


def test_busy_trigger_is_only_for_workers() -> None:
    """The contract refuses `busy_trigger` on a web process."""
    with pytest.raises(ContractError, match="busy_trigger` is only for kind = worker"):
        loads_contract(
            '[service]\nname = "t"\n[processes.web]\ncommand = "x"\nbusy_trigger = "y"\n'
        )


# ---------------------------------------------------------------------------- twelve's Postgres


def test_ephemeral_postgres_databases_snapshots_and_teardown() -> None:
    """A real server on 127.0.0.1: fresh databases, snapshots that see rows, nothing left after."""
    postgres = EphemeralPostgres(SystemClock()).start()
    directory = postgres._dir
    try:
        first, second = postgres.create_database(), postgres.create_database()
        assert first != second
        empty = postgres.snapshot(first)
        assert (empty.tables, empty.schema) == ({}, frozenset())
        postgres.sql(first, "SET ROLE twelve", "CREATE TABLE items (id int PRIMARY KEY, name text)")
        postgres.sql(first, "INSERT INTO items VALUES (1, 'a'), (2, 'b')")
        made = postgres.snapshot(first)
        assert made.rows("public.items") == 2
        assert empty.changes(made) == [
            "new table public.items (2 rows)",
            "new column public.items id integer",
            "new column public.items name text",
            "new index public.items"
            " CREATE UNIQUE INDEX items_pkey ON public.items USING btree (id)",
        ]
        postgres.sql(first, "UPDATE items SET name = 'c' WHERE id = 2")
        assert made.changes(postgres.snapshot(first)) == ["public.items: rows changed (2 rows)"]
        assert postgres.snapshot(second).tables == {}
        assert postgres.url(first, password="{canary}") == (
            f"postgresql://twelve:{{canary}}@127.0.0.1:{postgres.port}/{first}"
        )
    finally:
        postgres.stop()
    assert directory is not None and not directory.exists()
    assert not _postgres_processes(str(directory))


def _postgres_processes(marker: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if any(marker in part for part in proc.info["cmdline"] or ()):
            found.append(proc)
    return found


# ------------------------------------------------------------------------- probes on fixtures

EXPECTED = {
    "db-good": {
        "web/P0401": "pass",
        "web/P0402": "pass",
        "web/P0403": "pass",
        "web/P1201": "pass",
        "worker/P1201": "not_applicable",
        "web/P1202": "pass",
        "worker/P1202": "not_applicable",
        "web/P1203": "pass",
        "worker/P1203": "not_applicable",
        "web/P1204": "pass",
        "worker/P1204": "pass",
        "worker/P0910": "pass",
    },
    "db-liveness-checks-db": {"web/P0401": "pass", "web/P0402": "fail", "web/P0403": "pass"},
    "db-readiness-never-fails": {"web/P0401": "fail", "web/P0402": "pass", "web/P0403": "pass"},
    "db-readiness-hangs": {"web/P0401": "fail", "web/P0402": "pass", "web/P0403": "fail"},
    # Only web: with so few probes, a worker may write nothing before its one start ends.
    "db-reason-has-dsn": {"web/P0401": "pass", "web/P1104": "fail", "web/P1105": "fail"},
    "db-migrates-at-boot": {"web/P1204": "fail", "worker/P1204": "pass"},
    "db-admin-not-idempotent": {
        "web/P1201": "pass",
        "worker/P1201": "not_applicable",
        "web/P1203": "fail",
        "worker/P1203": "not_applicable",
    },
    "db-admin-plain-logs": {"web/P1201": "fail", "worker/P1201": "not_applicable"},
    "db-admin-ignores-config": {"web/P1202": "fail", "worker/P1202": "not_applicable"},
    "db-worker-abandons-job": {"worker/P0907": "pass", "worker/P0910": "fail"},
}


@pytest.mark.slow
@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_probe_outcomes_on_db_fixtures(fixture: str) -> None:
    """Each db fixture gets exactly the expected outcome from each backing/admin probe."""
    select = sorted({key.split("/")[1] for key in EXPECTED[fixture]})
    processes = {key.split("/")[0] for key in EXPECTED[fixture]}
    report = run(fixture, select, process=processes.pop() if len(processes) == 1 else None)
    details = {r.message: [e.title for e in r.evidence] for r in report.results}
    assert outcomes(report) == EXPECTED[fixture], details
    assert report.notes[0].startswith("DATABASE_URL: a throwaway Postgres 16")


@pytest.mark.slow
def test_readiness_failure_shows_the_fault_timeline() -> None:
    """The evidence lists the proxy switch and the readiness answers seen after it."""
    report = run("db-readiness-never-fails", ["P0401"])
    message, lines = result(report, "web/P0401")
    assert message == "web: /readyz not 5xx within 5 s of DATABASE_URL refuse"
    switch = lines.index(next(line for line in lines if line.endswith(" proxy refuse")))
    assert re.fullmatch(
        r"\+\d+\.\d\d GET /readyz -> 200 \(\d\.\d{3} s\) x\d+ until .*", lines[switch + 1]
    )
    assert re.fullmatch(r"\+\d+\.\d\d proxy pass", lines[switch + 2])


@pytest.mark.slow
def test_hanging_readiness_is_reported_with_its_wait() -> None:
    """health-bounded-under-outage names the path that did not answer and the limit."""
    report = run("db-readiness-hangs", ["P0403"])
    message, lines = result(report, "web/P0403")
    assert message == "web: during blackhole: /readyz no answer in 2.5 s (limit 1 s)"
    assert any(line.endswith(" proxy blackhole") for line in lines)


@pytest.mark.slow
def test_not_idempotent_task_and_boot_migration_messages() -> None:
    """The admin probes say which task failed and how; boot migration lists the tables."""
    report = run("db-admin-not-idempotent", ["P1203"])
    message, _ = result(report, "web/P1203")
    assert re.fullmatch(r"web: migrate: second run exited 1 after \d+\.\d\d s", message)
    report = run("db-migrates-at-boot", ["P1204"])
    message, lines = result(report, "web/P1204")
    assert message == "web: created 1 table(s) at startup: public.jobs"
    assert lines[0] == "public.jobs"


@pytest.mark.slow
def test_nothing_survives_a_run() -> None:
    """After a run: no proxy thread, no live service, no Postgres, no cluster directory."""
    report = run("db-good", ["P0401", "P0403"])
    assert outcomes(report) == {"web/P0401": "pass", "web/P0403": "pass"}
    assert [t.name for t in threading.enumerate() if t.name == THREAD_NAME] == []
    assert live_markers() == []
    port = int(report.notes[0].rsplit(":", 1)[1])
    listening = [c for c in psutil.net_connections("tcp") if c.status == psutil.CONN_LISTEN]
    assert [c for c in listening if c.laddr and c.laddr.port == port] == []
    ours = [p for p in _postgres_processes("twelve-pg-") if str(port) in p.info["cmdline"]]
    assert ours == []


@pytest.mark.slow
def test_a_given_upstream_is_proxied_but_not_migrated(tmp_path: Path) -> None:
    """With DATABASE_URL in probe.values, faults still work; a fresh database cannot be made."""
    postgres = EphemeralPostgres(SystemClock()).start()
    try:
        database = postgres.create_database()
        text = (SERVICES / "db-good" / "twelve.toml").read_text(encoding="utf-8")
        text = text.replace("../_pydb/", f"{SERVICES / '_pydb'}/")
        text += (
            f'\n[probe.values]\nDATABASE_URL = "{postgres.url(database, password="{canary}")}"\n'
        )
        (tmp_path / "twelve.toml").write_text(text, encoding="utf-8")
        report = run(tmp_path, ["P0401", "P1204"])
    finally:
        postgres.stop()
    assert report.notes == ()
    assert outcomes(report) == {
        "web/P0401": "pass",
        "web/P1204": "inconclusive",
        "worker/P1204": "inconclusive",
    }
    message, _ = result(report, "web/P1204")
    assert message == (
        "web: needs a database twelve provides, but DATABASE_URL names its own in"
        " [probe.values]: leave it out there to get a throwaway Postgres"
    )


@pytest.mark.slow
def test_contracts_without_backing_services_or_admin_tasks_are_not_applicable() -> None:
    """py-good declares DATABASE_URL without backing_service and no admin tasks."""
    report = run("py-good", ["P0401", "P0402", "P0403", "P1201", "P1204"])
    assert {r.message for r in report.results} == {
        "web: no config key is marked backing_service = true",
        "web: no [admin.*] tasks declared",
        "worker: no [admin.*] tasks declared",
        "web: no backing-service key is a Postgres URL",
        "worker: no backing-service key is a Postgres URL",
    }
    assert {r.outcome for r in report.results} == {Outcome.NOT_APPLICABLE}
    assert report.notes == ()
