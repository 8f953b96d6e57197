"""A real Postgres (pgserver) for the shortlinks tests: one server, a fresh database per need."""

from __future__ import annotations

import contextlib
import secrets
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "shortlinks"


class Server:
    """A pgserver instance on a Unix socket; databases are made on demand."""

    def __init__(self, directory: Path) -> None:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            from pgserver.postgres_server import get_server  # noqa: PLC0415 -- only here

        self._server = get_server(directory, cleanup_mode="stop")

    def create_database(self) -> str:
        """A new empty database; its URL."""
        name = f"shortlinks_{secrets.token_hex(4)}"
        with psycopg.connect(self._server.get_uri(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self._server.get_uri(name)

    def cleanup(self) -> None:
        """Stop the server (pgserver stops it when the last handle goes)."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._server.cleanup()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One Postgres for the whole session."""
    server = Server(tmp_path_factory.mktemp("shortlinks-pg") / "data")
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="module")
def migrated(postgres: Server) -> str:
    """The URL of a database of this module's own, migrated to the newest revision."""
    from shortlinks.migrations import upgrade  # noqa: PLC0415 -- alembic only where needed

    url = postgres.create_database()
    upgrade(url)
    return url


def rows(url: str, query: str, *params: object) -> list[tuple[object, ...]]:
    """Every row of a query, from a connection of its own (committed data only).

    Args:
        url: the database.
        query: the SQL.
        *params: its parameters.
    """
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()
