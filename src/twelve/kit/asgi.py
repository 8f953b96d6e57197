"""Pure ASGI: request ids and trace context, one access line per request, health endpoints.

Works under any ASGI framework (Starlette, FastAPI, Litestar) or none: wrap the app.

    app = instrument(my_app, health)
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from random import getrandbits
from typing import Any

import orjson

from twelve.kit.health import Health
from twelve.kit.logs import REQUEST, get_logger, write_event

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:/+=@-]{1,128}$")
_TRACEPARENT = re.compile(rb"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")
_NO_TRACE = b"0" * 32
_ACCESS = "twelve.kit.access"
_STATE: ContextVar[dict[str, str] | None] = ContextVar("twelve_kit_request_state", default=None)


def set_error_code(code: str) -> None:
    """Name the failure of the current request; it appears as `error_code` on its access line.

    Args:
        code: a stable, value-free code ("db_unavailable").
    """
    if (state := _STATE.get()) is not None:
        state["error_code"] = code


def current_request_id() -> str | None:
    """The id of the request being served, or None outside a request."""
    ids = REQUEST.get()
    return ids.get("request_id") if ids is not None else None


class RequestContext:
    """ASGI middleware: a request id (a valid inbound one, else new), W3C trace ids, access log.

    The ids are set in a context variable for the request only, so every line logged while
    serving it (structlog or stdlib) carries them and concurrent requests never share them.
    The response echoes the request id header.

    Args:
        app: the wrapped ASGI app.
        header: the request id header (the contract's `logs.request_id_header`).
        endpoints: health endpoints answered before `app` is called.
    """

    __slots__ = ("_app", "_endpoints", "_header", "_header_bytes", "_log")

    def __init__(
        self, app: ASGIApp, *, header: str = "X-Request-ID", endpoints: Endpoints | None = None
    ) -> None:
        self._app = app
        self._endpoints = endpoints
        self._header = header.lower().encode("latin-1")
        self._header_bytes = header.encode("latin-1")
        self._log = get_logger(_ACCESS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        request_id, trace_id, span_id = self._ids(scope["headers"])
        state: dict[str, str] = {}
        status = 0
        started = time.perf_counter()
        echo = (self._header_bytes, request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), echo]
            await send(message)

        ids_token = REQUEST.set(
            {"request_id": request_id, "trace_id": trace_id, "span_id": span_id}
        )
        state_token = _STATE.set(state)
        try:
            endpoints = self._endpoints
            if endpoints is not None and scope["path"] in endpoints.paths:
                await endpoints.answer(scope, send_with_id)
            else:
                await self._app(scope, receive, send_with_id)
        except Exception:
            state.setdefault("error_code", "unhandled_exception")
            self._log.exception("unhandled exception", method=scope["method"], path=scope["path"])
            if status:
                raise  # the response has begun: only the server can end it
            status = 500
            await _send_json(
                send_with_id, 500, {"error": "internal_error", "request_id": request_id}
            )
        finally:
            self._access(scope, status, started, state)
            _STATE.reset(state_token)
            REQUEST.reset(ids_token)

    def _ids(self, headers: list[tuple[bytes, bytes]]) -> tuple[str, str, str]:
        """(request id, trace id, span id): inbound ones when valid, fresh ones otherwise."""
        inbound = traceparent = None
        for name, value in headers:
            if name == self._header:
                inbound = value
            elif name == b"traceparent":
                traceparent = value
        # Ids need to be unique, not unguessable: the Mersenne Twister is 5x cheaper than
        # os.urandom, which matters once per request.
        fresh = f"{getrandbits(320):080x}"
        request_id = fresh[:32]
        if inbound is not None and _REQUEST_ID.match(inbound):
            request_id = inbound.decode()
        trace_id = fresh[32:64]
        match = _TRACEPARENT.match(traceparent) if traceparent is not None else None
        if match is not None and match[1] != _NO_TRACE:
            trace_id = match[1].decode()
        return request_id, trace_id, fresh[64:]

    def _access(self, scope: Scope, status: int, started: float, state: dict[str, str]) -> None:
        """The access line: method, path, status, duration_ms, error_code on failures."""
        fields: dict[str, Any] = {
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        }
        if "error_code" in state or status >= 400:
            fields["error_code"] = state.get("error_code") or f"http_{status}"
        level = state.get("level") or ("error" if status >= 500 else "info")
        # The inbound request id and the path come from the client; method, status and the
        # duration are the server's; the app's error code is checked with them.
        ids = REQUEST.get() or {}
        check = (fields["path"], ids.get("request_id", ""), fields.get("error_code", ""))
        write_event(level, "request", _ACCESS, fields, check=check)


class Endpoints:
    """ASGI app: answers the health paths itself and passes everything else to `app`.

    Args:
        app: the service's app.
        health: the health state and checks.
    """

    __slots__ = ("_app", "_health", "paths")

    def __init__(self, app: ASGIApp, health: Health) -> None:
        self._app = app
        self._health = health
        paths = (health.liveness_path, health.readiness_path, health.version_path)
        self.paths = frozenset(path for path in paths if path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self._app(scope, receive, send)
            return
        await self.answer(scope, send)

    async def answer(self, scope: Scope, send: Send) -> None:
        """Answer a request for one of the health paths."""
        if scope["method"] not in ("GET", "HEAD"):
            await _send_json(send, 405, {"error": "method_not_allowed"}, allow=b"GET, HEAD")
            return
        health, path = self._health, scope["path"]
        if path == health.readiness_path:
            status, body = await health.ready()
            if status != 200 and (state := _STATE.get()) is not None:
                # Expected while starting, draining or cut off: a warning, not an error.
                state["error_code"] = "draining" if health.draining else "not_ready"
                state["level"] = "warning"
        elif path == health.liveness_path:
            status, body = 200, {"status": "ok"}
        else:
            status, body = 200, health.identity()
        await _send_json(send, status, body, head=scope["method"] == "HEAD")


def instrument(app: ASGIApp, health: Health, *, header: str | None = None) -> Kit:
    """`app` with the health endpoints and the request context around it.

    Args:
        app: the service's ASGI app.
        health: the health state and checks (serve() flips it on SIGTERM).
        header: the request id header (default: the contract's `logs.request_id_header`).
    """
    contract = health.config.contract
    header = header or (contract.logs.request_id_header if contract else "X-Request-ID")
    return Kit(app, health, header=header)


class Kit(RequestContext):
    """The instrumented app: request context, health endpoints, then the service's app;
    `serve` finds its `health` here.

    Args:
        app: the service's app.
        health: its health state.
        header: the request id header.
    """

    __slots__ = ("health",)

    def __init__(self, app: ASGIApp, health: Health, *, header: str) -> None:
        super().__init__(app, header=header, endpoints=Endpoints(app, health))
        self.health = health


async def _send_json(
    send: Send, status: int, body: object, *, head: bool = False, allow: bytes | None = None
) -> None:
    data = orjson.dumps(body)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if allow is not None:
        headers.append((b"allow", allow))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else data})
