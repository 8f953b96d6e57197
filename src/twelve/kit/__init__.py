"""twelve.kit: a Python service that passes `twelve probe` by construction (`twelve[kit]`).

    from twelve import kit

    config = kit.load_config(process="web")      # every problem at once, exit 78
    kit.setup_logging(config)                     # redacted JSON lines on stdout
    health = kit.Health(config)                   # /healthz /readyz /version
    kit.serve(kit.instrument(app, health), health)  # drain, bounded graceful stop

Names are imported on first use, so `import twelve.kit` stays cheap: uvicorn, structlog and
psycopg load only when a part that needs them is used. `twelve.kit.testing` has helpers
for the service's own tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from twelve.lazy import lazy_attributes

if TYPE_CHECKING:
    from twelve.kit.admin import AdminTasks
    from twelve.kit.asgi import RequestContext, current_request_id, instrument, set_error_code
    from twelve.kit.backing import Postgres, attach_postgres, http_client
    from twelve.kit.config import EX_CONFIG, Config, ConfigError, load_config
    from twelve.kit.health import CheckFailed, Health
    from twelve.kit.logs import add_secrets, get_logger, setup_logging
    from twelve.kit.retry import DeadlineExceeded, RetryPolicy
    from twelve.kit.secret import Secret
    from twelve.kit.server import serve
    from twelve.kit.shutdown import ShutdownHooks
    from twelve.kit.worker import Stopping, run_procrastinate, run_worker

_WHERE = {
    "AdminTasks": "admin",
    "CheckFailed": "health",
    "Config": "config",
    "ConfigError": "config",
    "DeadlineExceeded": "retry",
    "EX_CONFIG": "config",
    "Health": "health",
    "Postgres": "backing",
    "RequestContext": "asgi",
    "RetryPolicy": "retry",
    "Secret": "secret",
    "ShutdownHooks": "shutdown",
    "Stopping": "worker",
    "add_secrets": "logs",
    "attach_postgres": "backing",
    "current_request_id": "asgi",
    "get_logger": "logs",
    "http_client": "backing",
    "instrument": "asgi",
    "load_config": "config",
    "run_procrastinate": "worker",
    "run_worker": "worker",
    "serve": "server",
    "set_error_code": "asgi",
    "setup_logging": "logs",
}

__all__ = [
    "EX_CONFIG",
    "AdminTasks",
    "CheckFailed",
    "Config",
    "ConfigError",
    "DeadlineExceeded",
    "Health",
    "Postgres",
    "RequestContext",
    "RetryPolicy",
    "Secret",
    "ShutdownHooks",
    "Stopping",
    "add_secrets",
    "attach_postgres",
    "current_request_id",
    "get_logger",
    "http_client",
    "instrument",
    "load_config",
    "run_procrastinate",
    "run_worker",
    "serve",
    "set_error_code",
    "setup_logging",
]


__getattr__, __dir__ = lazy_attributes(__name__, _WHERE, globals(), __all__)
