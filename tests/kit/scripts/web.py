"""A kit web process for the shutdown tests, shaped by its environment.

    PORT          port to bind, read by serve() itself (absent or invalid: exit 78)
    DRAIN, LIMIT  drain_delay and shutdown_timeout, seconds
    HOOKS         "name:seconds,..." shutdown hooks in registration order; "name:hang" never ends
    HOOK_TIMEOUT  each hook's timeout, seconds

Routes: /slow?ms=N logs "slow request started", then answers 200 after N ms with a
1000-byte body.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from twelve import kit
from twelve.kit.config import Config


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    ms = int(scope["query_string"].decode().partition("=")[2] or 0)
    if ms:
        kit.get_logger("web").info("slow request started", ms=ms)
    await asyncio.sleep(ms / 1000)
    body = b"x" * 1000
    headers = [(b"content-length", b"1000")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def hook(name: str, seconds: str) -> Any:
    async def run() -> None:
        kit.get_logger("hooks").info("hook ran", hook=name)
        await asyncio.sleep(3600 if seconds == "hang" else float(seconds))

    return run


def main() -> None:
    config = Config(service="kit-test", version="v1", env="test")
    kit.setup_logging(config)
    hooks = kit.ShutdownHooks()
    timeout = float(os.environ.get("HOOK_TIMEOUT", "2"))
    for spec in filter(None, os.environ.get("HOOKS", "").split(",")):
        name, _, seconds = spec.partition(":")
        hooks.add(hook(name, seconds), name=name, timeout=timeout)
    kit.serve(
        kit.instrument(app, kit.Health(config)),
        hooks=hooks,
        host="127.0.0.1",
        drain_delay=float(os.environ.get("DRAIN", "0")),
        shutdown_timeout=float(os.environ.get("LIMIT", "5")),
    )


if __name__ == "__main__":
    main()
