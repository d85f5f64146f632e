"""Admin broadcasts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ts = sa.DateTime(timezone=True)
_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_STATUSES = ("draft", "scheduled", "running", "paused", "cancelled", "done")


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("author_id", _id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*_STATUSES, name="broadcast_status", native_enum=False,
                    create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("photo", sa.String(512), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", _ts, nullable=True),
        sa.Column("started_at", _ts, nullable=True),
        sa.Column("finished_at", _ts, nullable=True),
        sa.Column("status_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("status_message_id", sa.BigInteger(), nullable=True),
        sa.Column("status_shown", sa.String(40), nullable=True),
        sa.Column("cancel_asked_at", _ts, nullable=True),
        sa.Column("created_at", _ts, server_default=sa.func.now(), nullable=False),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("broadcasts")
