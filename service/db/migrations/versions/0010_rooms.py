"""rooms: a workshop's participants vote on the drafted key points and pitch sentences

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 00:40:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
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
    op.create_table(
        "room", *_audit("room"),
        sa.Column("workshop_id", UUID, nullable=False, index=True),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("opened_by", UUID, nullable=True),
        _fk("room", "workshop_id", "workshop"),
        sa.UniqueConstraint("code", name=op.f("uq_room_code")),
    )
    op.create_table(
        "participant", *_audit("participant"),
        sa.Column("room_id", UUID, nullable=False, index=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _fk("participant", "room_id", "room"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_participant_token_hash")),
    )
    op.create_table(
        "room_vote", *_audit("room_vote"),
        sa.Column("room_id", UUID, nullable=False, index=True),
        sa.Column("participant_id", UUID, nullable=False, index=True),
        sa.Column("item_id", sa.String(40), nullable=False, index=True),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        _fk("room_vote", "room_id", "room"), _fk("room_vote", "participant_id", "participant"),
        sa.UniqueConstraint("participant_id", "item_id", name=op.f("uq_room_vote_participant_id")),
    )


def downgrade() -> None:
    op.drop_table("room_vote")
    op.drop_table("participant")
    op.drop_table("room")
