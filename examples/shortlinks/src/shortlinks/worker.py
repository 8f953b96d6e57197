"""The worker process: runs the click queue's jobs, folding click events into daily counts.

On SIGTERM/SIGINT it fetches no more jobs, lets the running ones finish within its
shutdown budget, and exits 0 (the kit's procrastinate runner).
"""

from __future__ import annotations

from typing import NoReturn

from twelve import kit


def run() -> NoReturn:
    """Consume click events until told to stop."""
    config = kit.load_config(process="worker")
    kit.setup_logging(config)
    log = kit.get_logger("shortlinks.worker")
    from shortlinks.queue import QUEUE, make_queue  # noqa: PLC0415 -- after the config is valid

    concurrency = config.get_int("WORKER_CONCURRENCY")
    queue = make_queue(config.get_str("DATABASE_URL"), max_size=concurrency + 1)
    log.info("starting", process="worker", queue=QUEUE, concurrency=concurrency)
    kit.run_procrastinate(
        queue, config, queues=[QUEUE], concurrency=concurrency, delete_jobs="successful"
    )
