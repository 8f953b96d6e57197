"""The worker: click events become daily counts, exactly once; backfill recomputes them."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime

import orjson
import psycopg
from shortlinks.backfill import DayRange, recompute_daily_counts
from shortlinks.clicks import ClickEvent, record_click
from shortlinks.queue import QUEUE, TASK, defer_click, make_queue

from tests.examples.shortlinks.conftest import EXAMPLE, rows

DAY_1 = datetime(2025, 3, 1, 23, 59, 59, tzinfo=UTC)
DAY_2 = datetime(2025, 3, 2, 0, 0, 1, tzinfo=UTC)


def add_links(url: str, *codes: str) -> None:
    with psycopg.connect(url) as conn:
        for code in codes:
            conn.execute(
                "INSERT INTO links (code, url) VALUES (%s, %s)", (code, f"https://e.com/{code}")
            )


def click(code: str, at: datetime) -> ClickEvent:
    return ClickEvent(uuid.uuid4(), code, at, "https://ref.example/", "test-agent")


def counts(url: str, *codes: str) -> list[tuple[object, ...]]:
    return rows(
        url,
        "SELECT code, day, clicks FROM daily_clicks WHERE code = ANY(%s) ORDER BY code, day",
        list(codes),
    )


async def record_all(url: str, events: list[ClickEvent]) -> list[bool]:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        return [await record_click(conn, event) for event in events]


def test_record_click_counts_each_event_once_per_utc_day(migrated: str) -> None:
    """Events are counted on their UTC day; the same event again, or one for a link that does
    not exist, changes nothing."""
    add_links(migrated, "rc-a", "rc-b")
    first, second, other = click("rc-a", DAY_1), click("rc-a", DAY_2), click("rc-b", DAY_2)
    unknown = click("rc-none", DAY_2)
    done = asyncio.run(record_all(migrated, [first, second, other, first, unknown]))
    assert done == [True, True, True, False, False]
    assert counts(migrated, "rc-a", "rc-b") == [
        ("rc-a", date(2025, 3, 1), 1),
        ("rc-a", date(2025, 3, 2), 1),
        ("rc-b", date(2025, 3, 2), 1),
    ]
    stored = rows(
        migrated,
        "SELECT code, referrer, user_agent FROM clicks WHERE event_id = %s",
        first.event_id,
    )
    assert stored == [("rc-a", "https://ref.example/", "test-agent")]


def test_queued_events_are_aggregated_by_the_queue_task(migrated: str) -> None:
    """Events deferred on the queue are run by procrastinate's worker through the registered
    task: three clicks on one day count 3, the jobs are gone once done."""
    add_links(migrated, "q-a")
    events = [click("q-a", DAY_1) for _ in range(3)]

    async def defer_then_work() -> list[int]:
        app = make_queue(migrated)
        async with app.open_async():
            ids = [await defer_click(app, event) for event in events]
            await app.run_worker_async(
                queues=[QUEUE],
                wait=False,
                install_signal_handlers=False,
                listen_notify=False,
                delete_jobs="successful",
            )
        return ids

    ids = asyncio.run(defer_then_work())
    assert len(set(ids)) == 3
    assert counts(migrated, "q-a") == [("q-a", date(2025, 3, 1), 3)]
    assert rows(migrated, "SELECT count(*) FROM procrastinate_jobs WHERE id = ANY(%s)", ids) == [
        (0,)
    ]


def test_worker_process_consumes_events_and_stops_gracefully(migrated: str) -> None:
    """`python -m shortlinks worker` records queued events, and on SIGTERM exits 0 after
    logging that it stopped."""
    add_links(migrated, "w-a")
    worker = subprocess.Popen(
        [sys.executable, "-m", "shortlinks", "worker"],
        env={"PATH": os.environ["PATH"], "DATABASE_URL": migrated, "WORKER_CONCURRENCY": "2"},
        cwd=EXAMPLE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:

        async def defer() -> None:
            app = make_queue(migrated)
            async with app.open_async():
                for _ in range(2):
                    await defer_click(app, click("w-a", DAY_2))

        asyncio.run(defer())
        deadline = time.monotonic() + 30
        while counts(migrated, "w-a") != [("w-a", date(2025, 3, 2), 2)]:
            assert time.monotonic() < deadline, counts(migrated, "w-a")
            time.sleep(0.1)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    assert worker.returncode == 0, output.decode()
    events = [orjson.loads(line) for line in output.splitlines()]
    messages = [event["message"] for event in events]
    assert messages[-1] == "worker stopped"
    assert "shutdown requested" in messages
    assert sum(f"{TASK}[" in m and "ended with status: Success" in m for m in messages) == 2


def test_backfill_recomputes_a_range_and_is_idempotent(migrated: str) -> None:
    """Counts of the range are replaced by counts of the raw events (a lost row comes back, a
    wrong one is fixed); days outside the range are left alone; a second run writes the same."""
    add_links(migrated, "b-a")
    asyncio.run(record_all(migrated, [click("b-a", DAY_1), click("b-a", DAY_2)]))
    outside = date(2025, 2, 1)
    with psycopg.connect(migrated) as conn:
        conn.execute("DELETE FROM daily_clicks WHERE code = 'b-a' AND day = %s", (DAY_1.date(),))
        conn.execute("UPDATE daily_clicks SET clicks = 9 WHERE code = 'b-a'")
        conn.execute("INSERT INTO daily_clicks VALUES ('b-a', %s, 5)", (outside,))

    async def backfill() -> int:
        async with await psycopg.AsyncConnection.connect(migrated) as conn:
            return await recompute_daily_counts(conn, DayRange(date(2025, 3, 1), date(2025, 3, 2)))

    expected = [
        ("b-a", outside, 5),
        ("b-a", date(2025, 3, 1), 1),
        ("b-a", date(2025, 3, 2), 1),
    ]
    first = asyncio.run(backfill())
    assert counts(migrated, "b-a") == expected
    assert asyncio.run(backfill()) == first
    assert counts(migrated, "b-a") == expected


def test_backfill_task_runs_as_an_admin_process(migrated: str) -> None:
    """`admin backfill --from --to` is a one-off process: JSON lines, the range and the rows
    written, exit 0."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "shortlinks",
            "admin",
            "backfill",
            "--from",
            "2025-03-01",
            "--to",
            "2025-03-02",
        ],
        env={"PATH": os.environ["PATH"], "DATABASE_URL": migrated},
        cwd=EXAMPLE,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    events = [orjson.loads(line) for line in done.stdout.splitlines()]
    recomputed = [e for e in events if e["message"] == "daily counts recomputed"]
    assert [(e["first"], e["last"]) for e in recomputed] == [("2025-03-01", "2025-03-02")]
    assert recomputed[0]["rows"] == len(
        rows(migrated, "SELECT 1 FROM daily_clicks WHERE day BETWEEN '2025-03-01' AND '2025-03-02'")
    )
