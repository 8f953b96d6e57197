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
# W3C Trace Context: version-trace_id-parent_id-flags; a version after 00 may add fields.
_TRACEPARENT = re.compile(rb"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?$")
_NO_TRACE = b"0" * 32
_NO_PARENT = b"0" * 16
_ACCESS = "twelve.kit.access"


class _Request(dict[str, str]):
    """The ids of the request being served (merged into every line logged meanwhile), and
    what the app or the endpoints said about it (kept off those lines).

    One context variable holds both: each set and reset is paid on every request. Made
    with dict's own constructor (`_Request(request_id=..., trace_id=..., span_id=...)`):
    no `__init__` of ours runs per request, and the two attributes are set on failures only.
    """

    error_code: str | None = None
    level: str | None = None


def _current() -> _Request | None:
    ids = REQUEST.get()
    return ids if isinstance(ids, _Request) else None


def _adopt(request: _Request, inbound: bytes | None, traceparent: bytes | None) -> bool:
    """Take the inbound request id and W3C trace id into `request` where they are valid;
    whether the request id was taken.

    Args:
        request: the fresh ids, updated in place.
        inbound: the request id header's value, if sent.
        traceparent: the `traceparent` header's value, if sent.
    """
    match = _TRACEPARENT.match(traceparent) if traceparent is not None else None
    if match is not None and _valid_trace(*match.groups()):
        request["trace_id"] = match[2].decode()
    if inbound is None or _REQUEST_ID.match(inbound) is None:
        return False
    request["request_id"] = inbound.decode()
    return True


def _valid_trace(version: bytes, trace: bytes, parent: bytes, more: bytes | None) -> bool:
    """Whether a `traceparent`'s parts are valid by W3C Trace Context: version ff is
    invalid, version 00 has no more fields, and neither id is all zeros."""
    if version == b"ff" or (version == b"00" and more is not None):
        return False
    return trace != _NO_TRACE and parent != _NO_PARENT


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


class RequestContext:
    """ASGI middleware: a request id (a valid inbound one, else new), W3C trace ids, access log.

    The ids are set in a context variable for the request only, so every line logged while
    serving it (structlog or stdlib) carries them and concurrent requests never share them.
    The response echoes the request id header.

    Values a handler binds with structlog's `bind_contextvars` live in the request's task:
    servers run each request in a task of its own (uvicorn, hypercorn, granian), so they
    end with it. A driver that runs requests one after another in one task (httpx's
    `ASGITransport`) carries them over: bind them with structlog's `bound_contextvars`
    to have them reset. Resetting them here would cost every request.

    Args:
        app: the wrapped ASGI app.
        header: the request id header (the contract's `logs.request_id_header`).
        endpoints: health endpoints answered before `app` is called.
    """

    __slots__ = ("_app", "_endpoints", "_header", "_header_bytes", "_log", "_paths")

    def __init__(
        self, app: ASGIApp, *, header: str = "X-Request-ID", endpoints: Endpoints | None = None
    ) -> None:
        self._app = app
        self._endpoints = endpoints
        self._paths = endpoints.paths if endpoints is not None else frozenset()
        self._header = header.lower().encode("latin-1")
        self._header_bytes = header.encode("latin-1")
        self._log = get_logger(_ACCESS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter_ns()
        request, inbound = self._ids(scope["headers"])
        echo = (self._header_bytes, request["request_id"].encode())
        status = 0

        def respond(message: Message) -> Awaitable[None]:
            # The server's `send`, noting the status and echoing the request id. A plain
            # function returning the server's awaitable, not a coroutine: one coroutine
            # less per message, and a closure is cheaper to make and call than an object.
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), echo]
            return send(message)

        token = REQUEST.set(request)
        try:
            if scope["path"] in self._paths:
                await cast(Endpoints, self._endpoints).answer(scope, respond)
            else:
                await self._app(scope, receive, respond)
        except Exception:
            if request.error_code is None:
                request.error_code = "unhandled_exception"
            self._log.exception("unhandled exception", method=scope["method"], path=scope["path"])
            if status:
                raise  # the response has begun: only the server can end it
            body = {"error": "internal_error", "request_id": request["request_id"]}
            await _send_json(respond, 500, body)
        finally:
            self._access(scope, status, started, request, inbound)
            REQUEST.reset(token)

    def _ids(self, headers: list[tuple[bytes, bytes]]) -> tuple[_Request, bool]:
        """The request's ids (request, trace, span: inbound ones when valid, fresh ones
        otherwise), and whether the request id came with the request."""
        # Ids need to be unique, not unguessable: the Mersenne Twister is 5x cheaper than
        # os.urandom, which matters once per request.
        fresh = getrandbits(320).to_bytes(40).hex()
        request = _Request(request_id=fresh[:32], trace_id=fresh[32:64], span_id=fresh[64:])
        inbound = traceparent = None
        for name, value in headers:
            if name == self._header:
                inbound = value
            elif name == b"traceparent":
                traceparent = value
        if inbound is None and traceparent is None:  # most requests: nothing to validate
            return request, False
        return request, _adopt(request, inbound, traceparent)

    def _access(
        self, scope: Scope, status: int, started: int, request: _Request, inbound: bool
    ) -> None:
        """The access line: method, path, status, duration_ms, error_code on failures.

        An error: a 5xx, no response at all, or an exception (also one raised after the
        response began, whose status the client already has).

        Args:
            scope: the request.
            status: the response status (0: none was sent).
            started: `perf_counter_ns()` when the request came.
            request: its ids, error code and level.
            inbound: whether the client sent the request id.
        """
        path = scope["path"]
        fields: dict[str, Any] = {
            **request,
            "method": scope["method"],
            "path": path,
            "status": status,
            "duration_ms": (time.perf_counter_ns() - started) // 10_000 / 100,
        }
        # What the client sent (the path, its request id) may hold anything, and so may the
        # app's error code; method, status, duration and ids made here cannot. The message
        # is checked as on every line.
        check = ("request", path, request["request_id"]) if inbound else ("request", path)
        error_code = request.error_code
        if error_code is not None or status >= 400 or not status:
            # No status: the app ended without a response (the server answers 500 for it).
            error_code = error_code or (f"http_{status}" if status else "no_response")
            fields["error_code"] = error_code
            check = (*check, error_code)
        failed = status >= 500 or not status or error_code == "unhandled_exception"
        level = request.level or ("error" if failed else "info")
        write_event(level, "request", _ACCESS, fields, check)


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
