"""agree/disagree counts on post-its, per-participant votes, discussion comments

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 02:50:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
STAMP = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
UUID = advanced_alchemy.types.GUID(length=16)


def _audit(table: str) -> list[sa.Column[object] | sa.PrimaryKeyConstraint]:
    """The columns every advanced-alchemy ``UUIDAuditBase`` row has."""
    return [sa.Column("id", UUID, nullable=False), sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
            sa.Column("created_at", STAMP, nullable=False), sa.Column("updated_at", STAMP, nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"),
                                   ondelete="CASCADE")


def upgrade() -> None:
    with op.batch_alter_table("postit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agrees", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("disagrees", sa.Integer(), nullable=True))
    op.create_table(
        "vote", *_audit("vote"),
        sa.Column("workshop_id", UUID, nullable=False, index=True),
        sa.Column("postit_id", UUID, nullable=False, index=True),
        sa.Column("voter", sa.String(200), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        _fk("vote", "workshop_id", "workshop"), _fk("vote", "postit_id", "postit"),
        sa.UniqueConstraint("postit_id", "voter", name=op.f("uq_vote_postit_id")),
    )
    op.create_table(
        "comment", *_audit("comment"),
        sa.Column("workshop_id", UUID, nullable=False, index=True),
        sa.Column("axis_id", UUID, nullable=False, index=True),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("target_id", UUID, nullable=False, index=True),
        sa.Column("anchor", sa.String(200), nullable=True),
        sa.Column("reply_to", UUID, nullable=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("author_key", UUID, nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("resolved_by", sa.String(200), nullable=True),
        sa.Column("edited", sa.Boolean(), nullable=False, server_default=sa.false()),
        _fk("comment", "workshop_id", "workshop"), _fk("comment", "axis_id", "axis"),
        _fk("comment", "reply_to", "comment"),
    )


def downgrade() -> None:
    op.drop_table("comment")
    op.drop_table("vote")
    with op.batch_alter_table("postit", schema=None) as batch_op:
        batch_op.drop_column("disagrees")
        batch_op.drop_column("agrees")
