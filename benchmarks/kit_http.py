"""The processes of the HTTP benchmark in `kit_runtime.py`: a hello server and a load client.

    python benchmarks/kit_http.py serve bare|middleware|kit PORT
    python benchmarks/kit_http.py load PORT SECONDS CONCURRENCY   # prints "rps served"

`bare` is the app on uvicorn with no access log; `middleware` adds the kit's ASGI layer on
plain uvicorn; `kit` is the kit's whole runner (`serve`). The client keeps CONCURRENCY
HTTP/1.1 keep-alive connections busy, one request in flight on each.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import uvicorn

from twelve import kit
from twelve.kit.config import Config


def serve(kind: str, port: int) -> None:
    """The hello app on uvicorn: bare, or with the kit's middleware, logs and runner."""

    async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"text/plain"), (b"content-length", b"5")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"hello"})

    if kind == "bare":
        uvicorn.run(hello, host="127.0.0.1", port=port, log_level="warning", access_log=False)
        return
    config = Config(service="bench", version="v1", env="bench")
    kit.setup_logging(config)
    app = kit.instrument(hello, kit.Health(config))
    if kind == "middleware":  # the kit's ASGI layer on plain uvicorn: isolates the runner
        uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
        return
    kit.serve(app, host="127.0.0.1", port=port)


async def _client(port: int, until: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
    done = 0
    while time.monotonic() < until:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        done += 1
    counts.append(done)
    writer.close()


def load(port: int, seconds: float, concurrency: int) -> None:
    """Print requests/s over `seconds` with `concurrency` keep-alive connections, and the
    number of requests served in all (the warm-up included), for CPU per request."""

    async def main() -> tuple[float, int]:
        warm: list[int] = []
        await asyncio.gather(
            *(_client(port, time.monotonic() + 0.5, warm) for _ in range(concurrency))
        )
        counts: list[int] = []
        started = time.monotonic()
        await asyncio.gather(
            *(_client(port, started + seconds, counts) for _ in range(concurrency))
        )
        return sum(counts) / (time.monotonic() - started), sum(counts) + sum(warm)

    rps, served = asyncio.run(main())
    print(f"{rps:.1f} {served}")


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        load(int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))
