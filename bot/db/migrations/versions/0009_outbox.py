"""One outbox for every message the bot sends on its own; theme-of-the-month opt-out

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ts = sa.DateTime(timezone=True)
_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_STATUSES = ("pending", "sending", "sent", "failed", "blocked", "held", "cancelled")
_KINDS = ("reminder", "offer", "closure", "broadcast", "theme", "activity", "report")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("kind", _enum(_KINDS, "message_kind"), nullable=False),
        sa.Column("dedupe_key", sa.String(160), nullable=False, unique=True),
        sa.Column("ref", sa.String(64), nullable=True),
        sa.Column("broadcast_id", _id, sa.ForeignKey("broadcasts.id"), nullable=True),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("not_before", _ts, nullable=False),
        sa.Column("status", _enum(_STATUSES, "outbox_status"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_at", _ts, nullable=True),
        sa.Column("sent_at", _ts, nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photo", sa.String(512), nullable=True),
        sa.Column("document", sa.String(512), nullable=True),
        sa.Column("document_name", sa.String(128), nullable=True),
        sa.Column("buttons", sa.JSON(), nullable=True),
        sa.Column("created_at", _ts, server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "priority", "not_before", "id"])
    op.create_index("ix_outbox_user_id", "outbox", ["user_id"])
    op.create_index("ix_outbox_broadcast_id", "outbox", ["broadcast_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("theme_notices", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("theme_notices")
    op.drop_table("outbox")
