"""per-post-it embedding state and vector; job attempts, worker and heartbeat

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 23:40:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
STAMP = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("postit", schema=None) as batch_op:
        # Existing post-its were embedded (or will be) by the synthesis that needs them: "pending"
        # makes the next start queue them, which is harmless (cached vectors are read, not recomputed).
        batch_op.add_column(sa.Column("embedding_state", sa.String(10), nullable=False, server_default="pending"))
        batch_op.add_column(sa.Column("embedding_model", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("embedding", sa.LargeBinary(), nullable=True))
        batch_op.create_index("ix_postit_workshop_embedding_state", ["workshop_id", "embedding_state"])
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("worker", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", STAMP, nullable=True))
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("payload")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("worker")
        batch_op.drop_column("attempts")
    with op.batch_alter_table("postit", schema=None) as batch_op:
        batch_op.drop_index("ix_postit_workshop_embedding_state")
        batch_op.drop_column("embedding")
        batch_op.drop_column("embedding_model")
        batch_op.drop_column("embedding_state")
