"""A kit worker process for the worker tests, shaped by its environment.

    MODE     async | sync | stuck | crash | procrastinate
    LIMIT    shutdown_timeout, seconds
    DATABASE_URL (procrastinate mode) the job queue's database

Each job logs "job started" and "job finished" with its number; the loops check the stop
request between jobs.
"""

from __future__ import annotations

import asyncio
import os
import time

from twelve import kit
from twelve.kit.config import Config
from twelve.kit.secret import Secret


def main() -> None:
    mode = os.environ["MODE"]
    url = os.environ.get("DATABASE_URL", "")
    config = Config(service="kit-worker", values={"DATABASE_URL": Secret(url)} if url else {})
    log = kit.setup_logging(config)
    hooks = kit.ShutdownHooks()
    hooks.add(lambda: log.info("hook ran"), name="report")
    limit = float(os.environ.get("LIMIT", "5"))

    async def async_loop(stopping: kit.Stopping) -> None:
        job = 0
        while not stopping.is_set():
            job += 1
            log.info("job started", job=job)
            await asyncio.sleep(60 if mode == "stuck" else 0.6)
            if mode == "crash":
                raise RuntimeError("job blew up")
            log.info("job finished", job=job)

    def sync_loop(stopping: kit.Stopping) -> None:
        job = 0
        while not stopping.is_set():
            job += 1
            log.info("job started", job=job)
            time.sleep(0.6)
            log.info("job finished", job=job)
            stopping.wait(0.05)

    if mode == "procrastinate":
        import procrastinate  # noqa: PLC0415 -- only this mode needs it

        app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))

        @app.task(name="slow")
        async def slow(n: int) -> None:
            log.info("job started", job=n)
            await asyncio.sleep(1.5)
            log.info("job finished", job=n)

        kit.run_procrastinate(app, config, hooks=hooks, shutdown_timeout=limit)
    loop = sync_loop if mode == "sync" else async_loop
    kit.run_worker(loop, config, hooks=hooks, shutdown_timeout=limit)


if __name__ == "__main__":
    main()
