"""Pure ASGI: request ids and trace context, one access line per request, health endpoints.

Works under any ASGI framework (Starlette, FastAPI, Litestar) or none: wrap the app.

    app = instrument(my_app, health)
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from random import getrandbits
from typing import Any, cast

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


class _Request(dict[str, str]):
    """The ids of the request being served (merged into every line logged meanwhile), and
    what the app or the endpoints said about it (kept off those lines).

    One context variable holds both: each set and reset is paid on every request.
    """

    __slots__ = ("error_code", "level")

    def __init__(self, request_id: str, trace_id: str, span_id: str) -> None:
        super().__init__(request_id=request_id, trace_id=trace_id, span_id=span_id)
        self.error_code: str | None = None
        self.level: str | None = None


def _current() -> _Request | None:
    ids = REQUEST.get()
    return ids if isinstance(ids, _Request) else None


def set_error_code(code: str) -> None:
    """Name the failure of the current request; it appears as `error_code` on its access line.

    Args:
        code: a stable, value-free code ("db_unavailable").
    """
    if (request := _current()) is not None:
        request.error_code = code


def current_request_id() -> str | None:
    """The id of the request being served, or None outside a request."""
    ids = REQUEST.get()
    return ids.get("request_id") if ids is not None else None


class _Send:
    """The server's `send` for one request: notes the status and echoes the request id.

    A plain callable returning the server's awaitable, not a coroutine of its own: one
    coroutine less per message.
    """

    __slots__ = ("echo", "send", "status")

    def __init__(self, send: Send, echo: tuple[bytes, bytes]) -> None:
        self.send = send
        self.echo = echo
        self.status = 0

    def __call__(self, message: Message) -> Awaitable[None]:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            message["headers"] = [*message.get("headers", ()), self.echo]
        return self.send(message)


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
        request, inbound = self._ids(scope["headers"])
        started = time.perf_counter_ns()
        respond = _Send(send, (self._header_bytes, request["request_id"].encode()))
        token = REQUEST.set(request)
        try:
            endpoints = self._endpoints
            if endpoints is not None and scope["path"] in endpoints.paths:
                await endpoints.answer(scope, respond)
            else:
                await self._app(scope, receive, respond)
        except Exception:
            if request.error_code is None:
                request.error_code = "unhandled_exception"
            self._log.exception("unhandled exception", method=scope["method"], path=scope["path"])
            if respond.status:
                raise  # the response has begun: only the server can end it
            body = {"error": "internal_error", "request_id": request["request_id"]}
            await _send_json(respond, 500, body)
        finally:
            self._access(scope, respond.status, started, request, inbound)
            REQUEST.reset(token)

    def _ids(self, headers: list[tuple[bytes, bytes]]) -> tuple[_Request, bool]:
        """The request's ids (request, trace, span: inbound ones when valid, fresh ones
        otherwise), and whether the request id came with the request."""
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
        valid = inbound is not None and _REQUEST_ID.match(inbound) is not None
        if valid:
            request_id = cast(bytes, inbound).decode()
        trace_id = fresh[32:64]
        match = _TRACEPARENT.match(traceparent) if traceparent is not None else None
        if match is not None and match[1] != _NO_TRACE:
            trace_id = match[1].decode()
        return _Request(request_id, trace_id, fresh[64:]), valid

    def _access(
        self, scope: Scope, status: int, started: int, request: _Request, inbound: bool
    ) -> None:
        """The access line: method, path, status, duration_ms, error_code on failures.

        Args:
            scope: the request.
            status: the response status (0: none was sent).
            started: `perf_counter_ns()` when the request came.
            request: its ids, error code and level.
            inbound: whether the client sent the request id.
        """
        fields: dict[str, Any] = {
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": (time.perf_counter_ns() - started) // 10_000 / 100,
        }
        error_code = request.error_code
        if error_code is not None or status >= 400:
            error_code = fields["error_code"] = error_code or f"http_{status}"
        level = request.level or ("error" if status >= 500 else "info")
        # What the client sent (the path, its request id) may hold anything, and so may the
        # app's error code; method, status, duration and ids made here cannot.
        check = (fields["path"], request["request_id"] if inbound else "", error_code or "")
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
            if status != 200 and (request := _current()) is not None:
                # Expected while starting, draining or cut off: a warning, not an error.
                request.error_code = "draining" if health.draining else "not_ready"
                request.level = "warning"
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
    contract = health.config.plain
    header = header or (contract.request_id_header if contract else "X-Request-ID")
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
