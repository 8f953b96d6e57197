"""Schema migrations (alembic): the service's tables and the click queue's, in `versions/`.

`upgrade` is what `admin migrate` runs: it brings the database to the newest revision
and does nothing when it is there already. Runs hold an advisory lock, so two releases
migrating at once take turns instead of racing.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
CONNECT_TIMEOUT_S = 5
LOCK_TIMEOUT_MS = 10_000  # waiting for a table lock (traffic holds them briefly), at most


def alembic_config(url: str) -> Config:
    """Alembic's config for the database at `url`: scripts here, no ini file, no logging setup.

    Args:
        url: the Postgres URL (`postgres://` or `postgresql://`); a secret, never logged.
    """
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["url"] = sqlalchemy_url(url)
    return config


def sqlalchemy_url(url: str) -> str:
    """The URL with SQLAlchemy's psycopg 3 driver name; `postgres://` is accepted as well.

    Args:
        url: a libpq-style Postgres URL.
    """
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def upgrade(url: str, revision: str = "head") -> None:
    """Apply every migration up to `revision`; a no-op when the database is there already.

    Args:
        url: the database.
        revision: the target revision.
    """
    command.upgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    """The revision the database is at, or None before the first migration.

    Args:
        url: the database.
    """
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415 -- rarely used
    from sqlalchemy import create_engine  # noqa: PLC0415 -- rarely used

    engine = create_engine(sqlalchemy_url(url), connect_args=connect_args())
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def connect_args() -> dict[str, object]:
    """libpq options for migration sessions: a connect timeout and a lock timeout."""
    return {"connect_timeout": CONNECT_TIMEOUT_S, "options": f"-c lock_timeout={LOCK_TIMEOUT_MS}"}
