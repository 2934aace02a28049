"""who asked for each job, so the job cap also holds per key

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 08:20:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None
UUID = advanced_alchemy.types.GUID(length=16)


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requested_by", UUID, nullable=True))
        batch_op.create_index(batch_op.f("ix_job_requested_by"), ["requested_by"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_requested_by"))
        batch_op.drop_column("requested_by")
