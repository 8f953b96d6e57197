"""Links, raw click events, and daily click counts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create `links`, `clicks` and `daily_clicks`."""
    op.create_table(
        "links",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        sa.CheckConstraint("code ~ '^[A-Za-z0-9_-]{3,32}$'", name="links_code_format"),
    )
    op.create_table(
        "clicks",
        sa.Column("event_id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("code", sa.Text, sa.ForeignKey("links.code", ondelete="CASCADE"), nullable=False),
        sa.Column("clicked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("referrer", sa.Text),
        sa.Column("user_agent", sa.Text),
    )
    op.create_index("clicks_code_clicked_at", "clicks", ["code", "clicked_at"])
    op.create_index("clicks_clicked_at", "clicks", ["clicked_at"])
    op.create_table(
        "daily_clicks",
        sa.Column(
            "code",
            sa.Text,
            sa.ForeignKey("links.code", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("clicks", sa.BigInteger, nullable=False),
        sa.CheckConstraint("clicks > 0", name="daily_clicks_positive"),
    )


def downgrade() -> None:
    """Drop the three tables (and every link and click with them)."""
    op.drop_table("daily_clicks")
    op.drop_table("clicks")
    op.drop_table("links")
