"""The helpers for users' tests: captured logs leave the service's logging as it was, and
the app server runs the app's lifespan."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from twelve.kit.config import Config
from twelve.kit.logs import get_logger, restored_after, setup_logging
from twelve.kit.secret import Secret
from twelve.kit.testing import app_server, capture_logs

SERVICE = Config(service="svc", values={"API_TOKEN": Secret("hunter2-secret-token")})


def test_capture_logs_restores_the_services_logging_and_keeps_its_secrets() -> None:
    """Inside the block: lines go to the capture, the service's secret still redacted.
    After it: lines go to the service's stream again, with its fields, still redacted."""
    stream = io.BytesIO()
    with restored_after():
        setup_logging(SERVICE, stream=stream)
        with capture_logs() as logs:
            get_logger().info("inside with hunter2-secret-token")
        get_logger().info("after with hunter2-secret-token")
    (inside,) = logs.events
    (after,) = [orjson.loads(line) for line in stream.getvalue().splitlines()]
    assert (inside["message"], inside["service"]) == ("inside with [REDACTED]", "test")
    assert (after["message"], after["service"]) == ("after with [REDACTED]", "svc")


def test_app_server_runs_the_apps_lifespan() -> None:
    """A Starlette app's startup has run before the first request, its shutdown at the end."""
    state: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        state.append("started")
        yield
        state.append("stopped")

    async def home(_request: Request) -> PlainTextResponse:
        return PlainTextResponse(",".join(state))

    app = Starlette(routes=[Route("/", home)], lifespan=lifespan)
    with app_server(app) as url:
        assert httpx.get(url + "/").text == "started"
    assert state == ["started", "stopped"]
