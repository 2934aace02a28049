"""name and password sign-in for review pages (a key row with a login)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(sa.Column("login", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("password_hash", sa.String(length=300), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_api_key_login"), ["login"])


def downgrade() -> None:
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_api_key_login"), type_="unique")
        batch_op.drop_column("password_hash")
        batch_op.drop_column("login")
