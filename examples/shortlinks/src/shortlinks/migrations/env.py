"""Alembic's environment: run the migrations online, in one transaction, under an advisory lock."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

from shortlinks.migrations import connect_args

# Any constant both runs agree on: the lock is held until the migration transaction ends.
MIGRATION_LOCK = 0x5_3407_71CE


def run_migrations_online() -> None:
    """Connect, take the migration lock, and run every pending migration in one transaction."""
    url = context.config.attributes["url"]
    engine = create_engine(url, poolclass=pool.NullPool, connect_args=connect_args())
    try:
        with engine.connect() as connection:
            context.configure(connection=connection)
            with context.begin_transaction():
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                connection.execute(lock, {"key": MIGRATION_LOCK})
                context.run_migrations()
    finally:
        engine.dispose()


run_migrations_online()
