"""The HTTP API (Starlette): create short links, follow them, read their click statistics.

    POST /api/links                 {"url": ..., "code"?: ...} -> 201 the link
    GET  /api/links/{code}          the link
    GET  /api/links/{code}/stats    total and per-day clicks (?days=1..366, default 30)
    GET  /api/stats                 totals; ?wait=S holds the answer up to S s for a change
    GET  /{code}                    302 to the target; enqueues a click event

Errors are JSON objects with an `error` code: 400 invalid_json, 404 not_found, 409
code_taken, 413 body_too_large, 422 invalid_request (with every problem in `detail`),
503 db_unavailable (the database cannot be reached: try again).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import orjson
from psycopg import OperationalError
from psycopg_pool import PoolTimeout
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from shortlinks import store
from shortlinks.clicks import ClickEvent
from shortlinks.links import InvalidLink, check_code, check_url, new_code
from twelve import kit

MAX_BODY_BYTES = 16 * 1024
DEFAULT_DAYS = 30
MAX_DAYS = 366
MAX_WAIT_S = 5.0  # a long poll never outlives the web process's shutdown budget
POLL_S = 0.25
_CODE_ATTEMPTS = 5  # for a generated code: a collision is already a one in 10^12 event
_FIELDS = frozenset({"url", "code"})


class ClickSink(Protocol):
    """Where the API sends click events (the queue, in the web process)."""

    async def record(self, event: ClickEvent) -> None:
        """Enqueue one click event."""


class Api:
    """The endpoints, with what they need: the database and the click queue.

    Args:
        database: the service's Postgres pool.
        clicks: takes the click event of every redirect.
        public_url: base of the short URLs returned (default: the request's own base).
    """

    def __init__(self, database: kit.Postgres, clicks: ClickSink, public_url: str | None) -> None:
        self._database = database
        self._clicks = clicks
        self._public_url = public_url.rstrip("/") if public_url else None
        self._log = kit.get_logger("shortlinks.api")

    async def create_link(self, request: Request) -> Response:
        """POST /api/links: a new link, with the given code or a generated one."""
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _json(413, {"error": "body_too_large", "limit_bytes": MAX_BODY_BYTES})
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return _json(400, {"error": "invalid_json"})
        if not isinstance(data, dict):
            return _json(422, {"error": "invalid_request", "detail": {"": "a JSON object"}})
        problems = dict.fromkeys(sorted(data.keys() - _FIELDS), "unknown field")
        url = code = None
        try:
            url = check_url(data.get("url"))
        except InvalidLink as invalid:
            problems[invalid.field] = invalid.reason
        if "code" in data:
            try:
                code = check_code(data["code"])
            except InvalidLink as invalid:
                problems[invalid.field] = invalid.reason
        if problems or url is None:
            return _json(422, {"error": "invalid_request", "detail": problems})
        link = await self._insert(url, code)
        if link is None:
            return _json(409, {"error": "code_taken", "code": code})
        short = f"{self._public_url or str(request.base_url).rstrip('/')}/{link.code}"
        self._log.info("link created", code=link.code, custom=code is not None)
        return _json(
            201,
            {**_link(link), "short_url": short},
            headers={"location": f"/api/links/{link.code}"},
        )

    async def _insert(self, url: str, code: str | None) -> store.Link | None:
        """Insert the link; with no code given, retry on a generated one that is taken."""
        async with self._database.connection() as conn:
            if code is not None:
                return await store.insert_link(conn, code, url)
            for _ in range(_CODE_ATTEMPTS):
                if (link := await store.insert_link(conn, new_code(), url)) is not None:
                    return link
        raise RuntimeError(f"{_CODE_ATTEMPTS} generated codes in a row were taken")

    async def get_link(self, request: Request) -> Response:
        """GET /api/links/{code}."""
        async with self._database.connection() as conn:
            link = await store.find_link(conn, request.path_params["code"])
        if link is None:
            return _not_found()
        return _json(200, _link(link))

    async def link_stats(self, request: Request) -> Response:
        """GET /api/links/{code}/stats?days=N: the total, and the clicks of each recent day."""
        raw = request.query_params.get("days", str(DEFAULT_DAYS))
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
            detail = {"days": f"an integer from 1 to {MAX_DAYS}"}
            return _json(422, {"error": "invalid_request", "detail": detail})
        days = int(raw)
        since = datetime.now(UTC).date() - timedelta(days=days - 1)
        async with self._database.connection() as conn:
            link = await store.find_link(conn, request.path_params["code"])
            if link is None:
                return _not_found()
            total = await store.total_clicks(conn, link.code)
            daily = await store.daily_clicks(conn, link.code, since)
        return _json(
            200,
            {
                "code": link.code,
                "url": link.url,
                "total_clicks": total,
                "days": days,
                "daily": [{"day": day.isoformat(), "clicks": clicks} for day, clicks in daily],
            },
        )

    async def totals(self, request: Request) -> Response:
        """GET /api/stats?wait=S: totals now, or as soon as they change within S seconds."""
        raw = request.query_params.get("wait", "0")
        try:
            wait = float(raw)
        except ValueError:
            wait = -1.0
        if not 0 <= wait <= MAX_WAIT_S:
            detail = {"wait": f"seconds from 0 to {MAX_WAIT_S:g}"}
            return _json(422, {"error": "invalid_request", "detail": detail})
        deadline = time.monotonic() + wait
        first = current = await self._totals()
        while current == first and (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(POLL_S, left))
            current = await self._totals()
        return _json(200, {"links": current.links, "clicks": current.clicks})

    async def _totals(self) -> store.Totals:
        async with self._database.connection() as conn:
            return await store.totals(conn)

    async def follow(self, request: Request) -> Response:
        """GET /{code}: redirect to the target and enqueue the click (HEAD counts none)."""
        async with self._database.connection() as conn:
            link = await store.find_link(conn, request.path_params["code"])
        if link is None:
            return _not_found()
        if request.method == "GET":
            headers = request.headers
            event = ClickEvent.now(link.code, headers.get("referer"), headers.get("user-agent"))
            try:
                await self._clicks.record(event)
            except Exception:  # noqa: BLE001 -- the visitor still gets the redirect
                kit.set_error_code("click_not_recorded")
                self._log.exception("click event not enqueued", code=link.code)
        return RedirectResponse(link.url, 302, headers={"cache-control": "private, no-cache"})


def make_app(api: Api) -> Starlette:
    """The Starlette app serving `api`, with JSON errors.

    Args:
        api: the endpoints.
    """
    routes = [
        Route("/api/links", api.create_link, methods=["POST"]),
        Route("/api/links/{code}", api.get_link, methods=["GET"]),
        Route("/api/links/{code}/stats", api.link_stats, methods=["GET"]),
        Route("/api/stats", api.totals, methods=["GET"]),
        Route("/{code}", api.follow, methods=["GET"]),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        HTTPException: _http_error,
        OperationalError: _unavailable,
        PoolTimeout: _unavailable,
    }
    return Starlette(routes=routes, exception_handlers=handlers)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (no route, wrong method) as JSON."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return _not_found()
    name = "method_not_allowed" if exc.status_code == 405 else f"http_{exc.status_code}"
    return _json(exc.status_code, {"error": name}, headers=exc.headers)


async def _unavailable(request: Request, exc: Exception) -> Response:
    """The database cannot be reached (no connection in time, or it went away)."""
    kit.set_error_code("db_unavailable")
    kit.get_logger("shortlinks.api").warning("database unavailable", reason=type(exc).__name__)
    return _json(503, {"error": "db_unavailable"}, headers={"retry-after": "1"})


def _not_found() -> Response:
    return _json(404, {"error": "not_found"})


def _link(link: store.Link) -> dict[str, str]:
    return {"code": link.code, "url": link.url, "created_at": link.created_at.isoformat()}


def _json(status: int, body: object, headers: Mapping[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers, media_type="application/json")
