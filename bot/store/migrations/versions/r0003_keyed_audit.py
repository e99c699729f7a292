"""Keyed audit chain: a MAC per event and at the head; per-user keys for sealed fields.

Events written before this revision keep no MAC (``mac`` NULL): ``audit verify`` accepts them
only as the chain's prefix, sealed by the first keyed event after them (``facexplain audit
seal`` appends one at once). Their user ids stay in the clear: they were written so.

Revision ID: r0003
Revises: r0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "r0003"
down_revision: str | None = "r0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # plain ALTER TABLE (no copy of the tables), so the append-only triggers stay in place
    op.add_column("audit_events", sa.Column("mac", sa.String(64), nullable=True))
    op.add_column("audit_head", sa.Column("last_mac", sa.String(64), nullable=True))
    op.create_table(
        "audit_subjects",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("subject", sa.String(32), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_audit_subjects_user_id_users"),
        sa.PrimaryKeyConstraint("user_id", name="pk_audit_subjects"),
        sa.UniqueConstraint("subject", name="uq_audit_subjects_subject"),
    )


def downgrade() -> None:
    op.drop_table("audit_subjects")
    op.drop_column("audit_head", "last_mac")  # SQLite 3.35+ drops a column in place
    op.drop_column("audit_events", "mac")
