"""The HTTP API, served by the real web process on a real Postgres."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from shortlinks.clicks import ClickEvent, record_click
from shortlinks.queue import QUEUE, TASK

from tests.examples.shortlinks.conftest import EXAMPLE, rows
from twelve.kit.testing import RunningService, running

PUBLIC_URL = "https://sho.rt"


@pytest.fixture(scope="module")
def web(migrated: str) -> Iterator[RunningService]:
    """`python -m shortlinks web` on a free port, ready, with a public URL configured."""
    env = {"DATABASE_URL": migrated, "HOST": "127.0.0.1", "PUBLIC_URL": PUBLIC_URL}
    command = [sys.executable, "-m", "shortlinks", "web"]
    with running(command, env=env, cwd=EXAMPLE) as service:
        yield service
        assert service.stop() == 0


@pytest.fixture(scope="module")
def client(web: RunningService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web.url, timeout=10, follow_redirects=False) as http:
        yield http


def create(client: httpx.Client, **body: object) -> httpx.Response:
    return client.post("/api/links", json=body)


def jobs(url: str, code: str) -> list[tuple[object, ...]]:
    """The queued click events of one link: (queue, task, args)."""
    return rows(
        url,
        "SELECT queue_name, task_name, args FROM procrastinate_jobs"
        " WHERE args->>'code' = %s ORDER BY id",
        code,
    )


def click(code: str, at: datetime) -> ClickEvent:
    return ClickEvent(uuid.uuid4(), code, at)


async def record(url: str, events: list[ClickEvent]) -> None:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        for event in events:
            assert await record_click(conn, event)


def test_create_with_a_generated_code(client: httpx.Client) -> None:
    """A link without a code gets a random 7-character one; 201 with its URLs."""
    response = create(client, url="https://example.com/page?q=1")
    assert response.status_code == 201
    body = response.json()
    code = body["code"]
    assert len(code) == 7
    assert response.headers["location"] == f"/api/links/{code}"
    assert body["url"] == "https://example.com/page?q=1"
    assert body["short_url"] == f"{PUBLIC_URL}/{code}"
    assert datetime.fromisoformat(body["created_at"]).tzinfo is not None
    assert client.get(f"/api/links/{code}").json() == {
        "code": code,
        "url": "https://example.com/page?q=1",
        "created_at": body["created_at"],
    }


def test_create_with_a_custom_code_then_again(client: httpx.Client) -> None:
    """A custom code is used as given; asking for it a second time is a 409 conflict."""
    first = create(client, url="https://example.com/a", code="custom-1")
    assert (first.status_code, first.json()["code"]) == (201, "custom-1")
    again = create(client, url="https://example.com/b", code="custom-1")
    assert (again.status_code, again.json()) == (409, {"error": "code_taken", "code": "custom-1"})
    assert client.get("/api/links/custom-1").json()["url"] == "https://example.com/a"


def test_validation_reports_every_problem(client: httpx.Client) -> None:
    """Invalid input is a 422 naming each field's problem, unknown fields included."""
    response = create(client, url="ftp://example.com", code="x", extra=1)
    assert response.status_code == 422
    assert response.json() == {
        "error": "invalid_request",
        "detail": {
            "extra": "unknown field",
            "url": "must start with http:// or https://",
            "code": "3 to 32 characters: letters, digits, '-' or '_'",
        },
    }
    missing = create(client)
    assert (missing.status_code, missing.json()["detail"]) == (422, {"url": "required, a string"})
    listed = client.post("/api/links", json=["https://example.com"])
    assert (listed.status_code, listed.json()["detail"]) == (422, {"": "a JSON object"})


def test_malformed_and_oversized_bodies(client: httpx.Client) -> None:
    """Not JSON is a 400; a body over 16 KiB is a 413, whatever it holds."""
    malformed = client.post("/api/links", content=b"{not json")
    assert (malformed.status_code, malformed.json()) == (400, {"error": "invalid_json"})
    huge = client.post("/api/links", content=b" " * (16 * 1024 + 1))
    assert (huge.status_code, huge.json()["error"]) == (413, "body_too_large")


def test_redirect_enqueues_one_click_event(client: httpx.Client, migrated: str) -> None:
    """GET /{code} is a 302 to the target and queues one click event with the request's
    referrer and user agent; HEAD redirects too but queues nothing."""
    create(client, url="https://example.com/target", code="go-here")
    head = client.head("/go-here")
    assert (head.status_code, head.headers["location"]) == (302, "https://example.com/target")
    assert jobs(migrated, "go-here") == []
    response = client.get(
        "/go-here", headers={"referer": "https://ref.example/", "user-agent": "t"}
    )
    assert response.status_code == 302
    assert response.headers["location"] == "https://example.com/target"
    assert response.headers["cache-control"] == "private, no-cache"
    [(queue, task, args)] = jobs(migrated, "go-here")
    assert (queue, task) == (QUEUE, TASK)
    assert isinstance(args, dict)
    assert (args["referrer"], args["user_agent"]) == ("https://ref.example/", "t")
    uuid.UUID(args["event_id"])
    clicked = datetime.fromisoformat(args["clicked_at"])
    assert abs(datetime.now(UTC) - clicked) < timedelta(minutes=1)


def test_unknown_codes_are_404(client: httpx.Client) -> None:
    """An unknown link, its stats, its redirect and an unknown API path are JSON 404s."""
    for path in ("/api/links/nope-nope", "/api/links/nope-nope/stats", "/nope-nope", "/a/b/c"):
        response = client.get(path)
        assert (path, response.status_code, response.json()) == (path, 404, {"error": "not_found"})
    wrong = client.delete("/api/links/nope-nope")
    assert (wrong.status_code, wrong.json()) == (405, {"error": "method_not_allowed"})


def test_stats_give_the_total_and_recent_days(client: httpx.Client, migrated: str) -> None:
    """Stats count every aggregated click; `daily` lists the days of the window with clicks."""
    create(client, url="https://example.com/s", code="stats-1")
    today = datetime.now(UTC).replace(hour=12)
    old = today - timedelta(days=40)
    asyncio.run(
        record(migrated, [click("stats-1", today), click("stats-1", today), click("stats-1", old)])
    )
    body = client.get("/api/links/stats-1/stats").json()
    assert body == {
        "code": "stats-1",
        "url": "https://example.com/s",
        "total_clicks": 3,
        "days": 30,
        "daily": [{"day": today.date().isoformat(), "clicks": 2}],
    }
    wide = client.get("/api/links/stats-1/stats", params={"days": 366}).json()
    assert [d["day"] for d in wide["daily"]] == [old.date().isoformat(), today.date().isoformat()]
    for days in ("0", "367", "x", "-1"):
        response = client.get("/api/links/stats-1/stats", params={"days": days})
        assert response.status_code == 422
        assert response.json()["detail"] == {"days": "an integer from 1 to 366"}


def test_totals_long_poll_answers_on_change(client: httpx.Client, migrated: str) -> None:
    """/api/stats?wait=S answers at once without wait, after S s when nothing changes, and as
    soon as a click is counted when one is."""
    now = client.get("/api/stats").json()
    assert set(now) == {"links", "clicks"}
    started = time.monotonic()
    assert client.get("/api/stats", params={"wait": 0.5}).json() == now
    assert 0.5 <= time.monotonic() - started < 3
    create(client, url="https://example.com/t", code="totals-1")
    later = threading.Timer(
        0.5, lambda: asyncio.run(record(migrated, [click("totals-1", datetime.now(UTC))]))
    )
    started = time.monotonic()
    later.start()
    changed = client.get("/api/stats", params={"wait": 5}).json()
    elapsed = time.monotonic() - started
    later.join()
    assert changed["clicks"] == now["clicks"] + 1
    assert 0.4 < elapsed < 4
    for wait in ("-1", "5.5", "soon"):
        assert client.get("/api/stats", params={"wait": wait}).status_code == 422


def test_health_and_version(client: httpx.Client) -> None:
    """The kit's endpoints: live, ready (the database check passes), identity."""
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert (ready["status"], ready["checks"]["database"]["ok"]) == ("ready", True)
    assert client.get("/version").json()["service"] == "shortlinks"


def test_request_id_is_echoed(client: httpx.Client, web: RunningService) -> None:
    """A client's X-Request-ID comes back and is on the request's access line."""
    response = client.get("/api/links/nope-nope", headers={"x-request-id": "req-shortlinks-1"})
    assert response.headers["x-request-id"] == "req-shortlinks-1"
    deadline = time.monotonic() + 5
    while not [e for e in web.events() if e.get("request_id") == "req-shortlinks-1"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    [line] = [e for e in web.events() if e.get("request_id") == "req-shortlinks-1"]
    assert (line["message"], line["status"], line["error_code"]) == ("request", 404, "http_404")
