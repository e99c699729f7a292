"""A review outlives the comparison it was about: when the comparison's owner forgets their
data, other people's verdicts stay, with ``comparison_id`` set to NULL.

Revision ID: r0004
Revises: r0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "r0004"
down_revision: str | None = "r0003"
branch_labels: str | None = None
depends_on: str | None = None

FK = "fk_reviews_comparison_id_comparisons"


def upgrade() -> None:
    with op.batch_alter_table("reviews", recreate="auto") as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.alter_column("comparison_id", existing_type=sa.Integer(), nullable=True)
        batch.create_foreign_key(FK, "comparisons", ["comparison_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade() -> None:
    op.execute("DELETE FROM reviews WHERE comparison_id IS NULL")
    with op.batch_alter_table("reviews", recreate="auto") as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.alter_column("comparison_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(FK, "comparisons", ["comparison_id"], ["id"],
                                 ondelete="CASCADE")
