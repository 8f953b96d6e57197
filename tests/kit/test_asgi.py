"""The ASGI layer on real uvicorn: request ids, trace ids, access lines, health endpoints."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from twelve.kit.asgi import (
    Receive,
    Scope,
    Send,
    _adopt,
    _Request,
    current_request_id,
    instrument,
    set_error_code,
)
from twelve.kit.config import Config
from twelve.kit.health import Health
from twelve.kit.logs import get_logger
from twelve.kit.testing import CapturedLogs, app_server, capture_logs

HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")
CONFIG = Config(service="demo", version="v1", env="test")


async def raw_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Routes: /work?ms= logs "working" inside the request, /boom raises, /down sets a code,
    /forgot returns without a response, /late raises once its response has begun."""
    path = scope["path"]
    if path == "/boom":
        raise RuntimeError("kaput")
    if path == "/forgot":
        return
    status = 200
    if path == "/work":
        await asyncio.sleep(int(scope["query_string"].decode().partition("=")[2] or 0) / 1000)
        get_logger("demo").info("working", seen=current_request_id())
    elif path == "/down":
        set_error_code("db_unavailable")
        status = 503
    elif path not in ("/", "/late"):
        status = 404
    await send({"type": "http.response.start", "status": status, "headers": []})
    if path == "/late":
        raise RuntimeError("half-way")
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def served() -> Iterator[tuple[str, CapturedLogs, list[str]]]:
    """The raw app instrumented, on real uvicorn; its logs; the calls its check got."""
    calls: list[str] = []
    health = Health(CONFIG)
    health.add_check("db", lambda: calls.append("db"))
    with capture_logs(CONFIG) as logs, app_server(instrument(raw_app, health)) as url:
        yield url, logs, calls


def _access(logs: CapturedLogs, count: int) -> list[dict[str, Any]]:
    """The access lines, once `count` of them were written (the server writes each one
    just after its response, from its own thread)."""
    return [e for e in logs.wait_for("request", count) if e["logger"] == "twelve.kit.access"]


def test_valid_inbound_request_id_is_reused_and_echoed(served: Any) -> None:
    """A valid X-Request-ID is kept, echoed, and on the access line with fresh trace ids."""
    url, logs, _ = served
    response = httpx.get(url + "/", headers={"X-Request-ID": "edge-id-42"})
    assert response.headers["x-request-id"] == "edge-id-42"
    (line,) = _access(logs, 1)
    assert line["request_id"] == "edge-id-42"
    assert HEX32.match(line["trace_id"])
    assert HEX16.match(line["span_id"])
    assert (line["method"], line["path"], line["status"], line["message"]) == (
        "GET",
        "/",
        200,
        "request",
    )
    assert isinstance(line["duration_ms"], float)
    assert "error_code" not in line


@pytest.mark.parametrize("inbound", ["has space", "x" * 129, "semi;colon", ""])
def test_invalid_inbound_request_id_is_replaced(served: Any, inbound: str) -> None:
    """An invalid id (space, too long, odd characters, empty) is replaced by 32 hex digits."""
    url, logs, _ = served
    response = httpx.get(url + "/", headers={"X-Request-ID": inbound})
    echoed = response.headers["x-request-id"]
    assert HEX32.match(echoed)
    assert _access(logs, 1)[0]["request_id"] == echoed


def test_w3c_traceparent_is_honoured(served: Any) -> None:
    """A valid traceparent gives the trace id; the span id is this service's own, new one."""
    url, logs, _ = served
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    httpx.get(url + "/", headers={"traceparent": parent})
    httpx.get(url + "/", headers={"traceparent": "00-" + "0" * 32 + "-00f067aa0ba902b7-01"})
    first, second = _access(logs, 2)
    assert first["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert first["span_id"] != "00f067aa0ba902b7"
    assert HEX16.match(first["span_id"])
    assert second["trace_id"] != "0" * 32


TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.mark.parametrize(
    ("traceparent", "adopted"),
    [
        (f"00-{TRACE}-00f067aa0ba902b7-01", True),
        (f"01-{TRACE}-00f067aa0ba902b7-01", True),  # a later version: parsed the same
        (f"01-{TRACE}-00f067aa0ba902b7-01-more", True),  # ... its extra fields ignored
        (f"00-{TRACE}-00f067aa0ba902b7-01-more", False),  # version 00 has no extra field
        (f"ff-{TRACE}-00f067aa0ba902b7-01", False),  # version ff is invalid
        (f"00-{TRACE}-0000000000000000-01", False),  # an all-zero parent id is invalid
        (f"00-{'0' * 32}-00f067aa0ba902b7-01", False),  # so is an all-zero trace id
        (f"00-{TRACE.upper()}-00f067aa0ba902b7-01", False),  # hex is lower case
    ],
)
def test_traceparent_is_taken_only_when_valid_by_w3c(traceparent: str, adopted: bool) -> None:
    """The trace id comes from `traceparent` exactly when W3C Trace Context says it is valid."""
    request = _Request(request_id="r", trace_id="fresh", span_id="s")
    _adopt(request, None, traceparent.encode())
    assert request["trace_id"] == (TRACE if adopted else "fresh")


def test_concurrent_requests_never_share_ids(served: Any) -> None:
    """20 overlapping requests: each "working" line (and current_request_id() inside the
    handler) and each access line has its own request's id and trace id."""
    url, logs, _ = served

    async def burst() -> None:
        async with httpx.AsyncClient(base_url=url) as client:
            await asyncio.gather(
                *(
                    client.get(f"/work?ms={(i * 7) % 50}", headers={"X-Request-ID": f"req-{i}"})
                    for i in range(20)
                )
            )

    asyncio.run(burst())
    working = [e for e in logs.events if e["message"] == "working"]
    assert sorted(e["request_id"] for e in working) == sorted(f"req-{i}" for i in range(20))
    assert all(e["seen"] == e["request_id"] for e in working)
    assert len({e["trace_id"] for e in working}) == 20
    access = {e["request_id"]: e for e in _access(logs, 20)}
    for event in working:
        assert access[event["request_id"]]["trace_id"] == event["trace_id"]


def test_failures_carry_an_error_code(served: Any) -> None:
    """A crash: 500 JSON with the request id, an exception line, error_code on the access
    line; a 404 gets http_404; a 503 the code the app set; no response at all is an error
    with no status; an exception after the response began is an error with its status."""
    url, logs, _ = served
    crash = httpx.get(url + "/boom", headers={"X-Request-ID": "crash-1"})
    assert crash.status_code == 500
    assert crash.json() == {"error": "internal_error", "request_id": "crash-1"}
    httpx.get(url + "/nope")
    httpx.get(url + "/down")
    assert httpx.get(url + "/forgot").status_code == 500  # uvicorn's answer
    with pytest.raises(httpx.RemoteProtocolError):  # the server cuts the response short
        httpx.get(url + "/late")
    first, _ = [e for e in logs.events if e["message"] == "unhandled exception"]
    assert (first["exc_type"], first["request_id"]) == ("RuntimeError", "crash-1")
    codes = [(e["path"], e["status"], e["level"], e.get("error_code")) for e in _access(logs, 5)]
    assert codes == [
        ("/boom", 500, "error", "unhandled_exception"),
        ("/nope", 404, "info", "http_404"),
        ("/down", 503, "error", "db_unavailable"),
        ("/forgot", 0, "error", "no_response"),
        ("/late", 200, "error", "unhandled_exception"),
    ]


def test_health_endpoints(served: Any) -> None:
    """/healthz 200 without running checks; /version identity; /readyz runs the check;
    HEAD has no body; DELETE /healthz is 405; each is logged with a request id."""
    url, logs, calls = served
    live = httpx.get(url + "/healthz")
    assert (live.status_code, live.json(), calls) == (200, {"status": "ok"}, [])
    assert httpx.get(url + "/version").json() == {"service": "demo", "version": "v1", "env": "test"}
    ready = httpx.get(url + "/readyz")
    assert (ready.status_code, ready.json()["status"], calls) == (200, "ready", ["db"])
    head = httpx.head(url + "/healthz")
    assert (head.status_code, head.content) == (200, b"")
    delete = httpx.delete(url + "/healthz")
    assert (delete.status_code, delete.headers["allow"]) == (405, "GET, HEAD")
    paths = [e["path"] for e in _access(logs, 5)]
    assert paths == ["/healthz", "/version", "/readyz", "/healthz", "/healthz"]
    assert all(HEX32.match(e["request_id"]) for e in _access(logs, 5))


def test_works_around_a_starlette_app() -> None:
    """Starlette routes behind the kit: its responses, the kit's health and access lines."""

    async def hello(_request: Any) -> PlainTextResponse:
        get_logger("demo").info("hello handler")
        return PlainTextResponse("hi")

    async def items(_request: Any) -> JSONResponse:
        return JSONResponse({"items": [1]})

    app = Starlette(routes=[Route("/hello", hello), Route("/items", items)])
    with capture_logs(CONFIG) as logs, app_server(instrument(app, Health(CONFIG))) as url:
        assert httpx.get(url + "/hello", headers={"X-Request-ID": "s-1"}).text == "hi"
        assert httpx.get(url + "/items").json() == {"items": [1]}
        assert httpx.get(url + "/healthz").status_code == 200
    handler = next(e for e in logs.events if e["message"] == "hello handler")
    assert handler["request_id"] == "s-1"
    assert [e["path"] for e in _access(logs, 3)] == ["/hello", "/items", "/healthz"]


def _fastapi_app() -> Any:
    from fastapi import FastAPI  # noqa: PLC0415 -- only this test needs it

    app = FastAPI()

    @app.get("/hello")
    async def hello() -> PlainTextResponse:
        get_logger("demo").info("hello handler")
        return PlainTextResponse("hi")

    @app.get("/items")
    async def items() -> dict[str, list[int]]:
        return {"items": [1]}

    return app


def _litestar_app() -> Any:
    from litestar import Litestar, get  # noqa: PLC0415 -- only this test needs it

    @get("/hello", media_type="text/plain")
    async def hello() -> str:
        get_logger("demo").info("hello handler")
        return "hi"

    @get("/items")
    async def items() -> dict[str, list[int]]:
        return {"items": [1]}

    return Litestar(route_handlers=[hello, items])


@pytest.mark.parametrize("make", [_fastapi_app, _litestar_app], ids=["fastapi", "litestar"])
def test_works_around_fastapi_and_litestar_apps(make: Any) -> None:
    """The same, with FastAPI and Litestar: the kit is pure ASGI, the framework any."""
    with capture_logs(CONFIG) as logs, app_server(instrument(make(), Health(CONFIG))) as url:
        hello = httpx.get(url + "/hello", headers={"X-Request-ID": "f-1"})
        assert (hello.text, hello.headers["x-request-id"]) == ("hi", "f-1")
        assert httpx.get(url + "/items").json() == {"items": [1]}
        assert httpx.get(url + "/healthz").json() == {"status": "ok"}
        assert httpx.get(url + "/nope").status_code == 404
    handler = next(e for e in logs.events if e["message"] == "hello handler")
    assert handler["request_id"] == "f-1"
    lines = [(e["path"], e["status"], e.get("error_code")) for e in _access(logs, 4)]
    assert lines == [
        ("/hello", 200, None),
        ("/items", 200, None),
        ("/healthz", 200, None),
        ("/nope", 404, "http_404"),
    ]


def test_readiness_503_is_a_warning_naming_why() -> None:
    """A failing check, then draining: /readyz 503 both times; the access lines are warnings
    with error_code not_ready, then draining."""
    health = Health(CONFIG)
    health.add_check("db", lambda: False)
    with capture_logs(CONFIG) as logs, app_server(instrument(raw_app, health)) as url:
        failing = httpx.get(url + "/readyz")
        health.drain()
        draining = httpx.get(url + "/readyz")
        lines = _access(logs, 2)
    assert (failing.status_code, failing.json()["failing"]) == (503, {"db": "check returned false"})
    assert (draining.status_code, draining.json()) == (503, {"status": "draining"})
    assert [(e["level"], e["status"], e["error_code"]) for e in lines] == [
        ("warning", 503, "not_ready"),
        ("warning", 503, "draining"),
    ]


def test_the_apps_own_header_list_is_left_as_it_was() -> None:
    """The echoed request id goes on a copy: an app answering with one constant header
    list, request after request, sends it unchanged, and each response has one echo."""
    constant = [(b"content-type", b"text/plain")]

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": constant})
        await send({"type": "http.response.body", "body": b"ok"})

    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def two_requests() -> None:
        kit = instrument(app, Health(CONFIG))
        for inbound in (b"first-1", b"second-2"):
            scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
            scope["headers"] = [(b"x-request-id", inbound), (b"x-request-id", b"last-wins")]
            await kit(scope, receive, send)

    with capture_logs(CONFIG):
        asyncio.run(two_requests())
    assert constant == [(b"content-type", b"text/plain")]
    starts = [m["headers"] for m in sent if m["type"] == "http.response.start"]
    assert starts == [[(b"content-type", b"text/plain"), (b"X-Request-ID", b"last-wins")]] * 2
