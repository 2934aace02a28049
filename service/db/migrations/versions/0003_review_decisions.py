"""review decisions kept across syntheses

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 20:40:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_decision",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("workshop_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("axis_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], name=op.f("fk_review_decision_workshop_id_workshop"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["axis_id"], ["axis.id"], name=op.f("fk_review_decision_axis_id_axis"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decision")),
    )
    with op.batch_alter_table("review_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_decision_workshop_id"), ["workshop_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_decision_axis_id"), ["axis_id"], unique=False)
    with op.batch_alter_table("cluster", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kept_from_review", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("cluster", schema=None) as batch_op:
        batch_op.drop_column("kept_from_review")
    with op.batch_alter_table("review_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_decision_axis_id"))
        batch_op.drop_index(batch_op.f("ix_review_decision_workshop_id"))
    op.drop_table("review_decision")
