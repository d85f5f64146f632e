"""Volunteer tasks: tasks and the places volunteers take

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_ts = sa.DateTime(timezone=True)
_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TAKER = ("taken", "withdrawn", "done", "confirmed", "disputed", "dropped")
_REASONS = ("not_seen", "unfinished", "no_proof", "other")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("publish_key", sa.String(64), nullable=False, unique=True),
        sa.Column("publisher_id", _id, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("description", sa.String(1000), nullable=False),
        sa.Column("place", sa.String(120), nullable=False),
        sa.Column("city", sa.String(64), nullable=True),
        sa.Column("starts_at", _ts, nullable=False),
        sa.Column("ends_at", _ts, nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("audience", _enum(("volunteers", "all"), "task_audience"), nullable=False),
        sa.Column("status", _enum(("open", "cancelled"), "task_status"), nullable=False),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("cancelled_at", _ts, nullable=True),
        sa.Column("card_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("card_message_id", sa.BigInteger(), nullable=True),
        sa.Column("card_version", sa.Integer(), nullable=False),
        sa.Column("card_shown", sa.Integer(), nullable=False),
        sa.CheckConstraint("taken >= 0 AND taken <= places", name="ck_task_places"),
    )
    op.create_index("ix_tasks_open", "tasks", ["status", "starts_at"])
    op.create_index("ix_tasks_publisher_id", "tasks", ["publisher_id"])
    op.create_table(
        "task_takers",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("task_id", _id, sa.ForeignKey("tasks.id"), nullable=False),
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("status", _enum(_TAKER, "task_taker_status"), nullable=False),
        sa.Column("taken_at", _ts, nullable=False),
        sa.Column("withdrawn_at", _ts, nullable=True),
        sa.Column("done_at", _ts, nullable=True),
        sa.Column("photo_file_id", sa.String(255), nullable=True),
        sa.Column("decided_at", _ts, nullable=True),
        sa.Column("decided_by", _id, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("dispute_reason", _enum(_REASONS, "task_dispute_reason"), nullable=True),
        sa.Column("dispute_note", sa.String(300), nullable=True),
        sa.Column("reminded", sa.SmallInteger(), nullable=False),
        sa.UniqueConstraint("task_id", "user_id"),
    )
    op.create_index("ix_task_takers_user", "task_takers", ["user_id", "task_id"])
    op.create_table(
        "task_subscriptions",
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("created_at", _ts, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("task_subscriptions")
    op.drop_table("task_takers")
    op.drop_index("ix_tasks_publisher_id", "tasks")
    op.drop_index("ix_tasks_open", "tasks")
    op.drop_table("tasks")
