"""Session context (where each conversation stands) and the inbox of platform events.

Revision ID: r0002
Revises: r0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "r0002"
down_revision: str | None = "r0001"
branch_labels: str | None = None
depends_on: str | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("conversation_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("comparison_id", sa.Integer(), nullable=True),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.Column("table_text", sa.Text(), nullable=True),
        sa.Column("resolved", sa.JSON(), nullable=False),
        sa.Column("collage", sa.LargeBinary(), nullable=True),
        sa.Column("collage_expires_at", _when(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE",
                                name="fk_sessions_conversation_id_conversations"),
        sa.ForeignKeyConstraint(["comparison_id"], ["comparisons.id"], ondelete="SET NULL",
                                name="fk_sessions_comparison_id_comparisons"),
        sa.PrimaryKeyConstraint("conversation_id", name="pk_sessions"),
    )
    op.create_index("ix_sessions_comparison_id", "sessions", ["comparison_id"])
    op.create_index("ix_sessions_updated_at", "sessions", ["updated_at"])
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("event_key", sa.String(128), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("taken_at", _when(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inbox"),
        sa.UniqueConstraint("platform", "event_key", name="uq_inbox_platform_event_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_inbox_created_at", "inbox", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_created_at", table_name="inbox")
    op.drop_table("inbox")
    op.drop_index("ix_sessions_updated_at", table_name="sessions")
    op.drop_index("ix_sessions_comparison_id", table_name="sessions")
    op.drop_table("sessions")
