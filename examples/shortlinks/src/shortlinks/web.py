"""The web process: config, logs, Postgres with a readiness check, the API, graceful serve.

Nothing but the kit is imported before the config is valid: a misconfigured start is
reported in a fraction of a second.
"""

from __future__ import annotations

from typing import NoReturn

from twelve import kit

CHECK_TIMEOUT_S = 0.75  # /readyz answers within a second even while the database hangs


def run() -> NoReturn:
    """Serve the API on PORT until SIGTERM/SIGINT, then drain and exit 0."""
    config = kit.load_config(process="web")
    kit.setup_logging(config)
    log = kit.get_logger("shortlinks.web")
    health = kit.Health(config)
    hooks = kit.ShutdownHooks()
    database = kit.attach_postgres(
        config,
        "DATABASE_URL",
        health=health,
        hooks=hooks,
        name="database",
        check_timeout=CHECK_TIMEOUT_S,
        max_size=config.get_int("DB_POOL_SIZE"),
        connect_timeout=2.0,
        acquire_timeout=2.0,
        statement_timeout=5.0,
    )
    from shortlinks.api import Api, make_app  # noqa: PLC0415 -- after the config is valid
    from shortlinks.recorder import ClickRecorder  # noqa: PLC0415 -- after the config is valid

    public_url = config["PUBLIC_URL"]
    api = Api(database, ClickRecorder(database), str(public_url) if public_url else None)
    log.info("starting", process="web")
    kit.serve(kit.instrument(make_app(api), health), hooks=hooks, host=config.get_str("HOST"))
