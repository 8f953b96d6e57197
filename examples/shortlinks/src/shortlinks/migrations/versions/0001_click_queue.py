"""The click queue: procrastinate's tables, types, functions and triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

procrastinate ships its whole schema as `sql/schema.sql`, the state its migrations reach;
this applies it as of `WRITTEN_FOR`, procrastinate 3.10's newest migration. A newer
procrastinate ships a newer schema.sql, which a database that already ran this revision
must get through procrastinate's migration files instead, in a revision of its own. So
this revision refuses a newer schema: when upgrading procrastinate, keep a copy of the
3.10 schema.sql here and apply that, then add a revision for the newer migration files.
"""

from __future__ import annotations

from pathlib import Path

from alembic import op
from procrastinate.schema import SchemaManager

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

WRITTEN_FOR = "03.04.00_50"  # the newest migration file of procrastinate 3.10


def upgrade() -> None:
    """Create the queue's schema."""
    shipped = Path(SchemaManager.get_migrations_path())
    newest = max(path.name[: len(WRITTEN_FOR)] for path in shipped.glob("*.sql"))
    if newest != WRITTEN_FOR:
        raise RuntimeError(
            f"procrastinate ships schema {newest}, this revision is for {WRITTEN_FOR}:"
            " see this revision's docstring for how to upgrade procrastinate"
        )
    # Sent as one script through the driver; psycopg reads `%` as a placeholder mark.
    op.get_bind().exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    """Not supported: dropping the queue loses every pending click event."""
    raise NotImplementedError("the click queue's schema is not dropped by a downgrade")
