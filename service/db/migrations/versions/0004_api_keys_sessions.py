"""api keys, review sessions, jobs tied to their workshop

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 21:10:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
STAMP = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def _audit() -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
            sa.Column("created_at", STAMP, nullable=False), sa.Column("updated_at", STAMP, nullable=False)]


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", GUID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("workshop_ids", sa.JSON(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        *_audit(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    op.create_table(
        "auth_session",
        sa.Column("id", GUID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", GUID, nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
        *_audit(),
        sa.ForeignKeyConstraint(["key_id"], ["api_key.id"], name=op.f("fk_auth_session_key_id_api_key"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_session_token_hash")),
    )
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_session_key_id"), ["key_id"], unique=False)
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workshop_id", GUID, nullable=True))
        batch_op.create_index(batch_op.f("ix_job_workshop_id"), ["workshop_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_job_workshop_id_workshop"), "workshop", ["workshop_id"], ["id"],
                                    ondelete="CASCADE")


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_job_workshop_id_workshop"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_job_workshop_id"))
        batch_op.drop_column("workshop_id")
    op.drop_table("auth_session")
    op.drop_table("api_key")
