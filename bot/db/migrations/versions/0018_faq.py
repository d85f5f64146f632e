"""政策与法律问答 the FAQ: its entries with their counters, and drivers' votes

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_ts = sa.DateTime(timezone=True)
_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TOPICS = ("rights", "insurance", "injury", "legal_aid", "hotlines", "stations", "checkups",
           "points")  # fmt: skip


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table(
        "faq_entries",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("topic", _enum(_TOPICS, "faq_topic"), nullable=False),
        sa.Column("questions_zh", sa.JSON(), nullable=False),
        sa.Column("questions_en", sa.JSON(), nullable=False),
        sa.Column("answer_zh", sa.String(600), nullable=False),
        sa.Column("answer_en", sa.String(1200), nullable=False),
        sa.Column("source_zh", sa.String(120), nullable=False),
        sa.Column("source_en", sa.String(240), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("checksum", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", _ts, nullable=False),
        sa.Column("shown", sa.Integer(), nullable=False),
        sa.Column("helpful", sa.Integer(), nullable=False),
        sa.Column("unhelpful", sa.Integer(), nullable=False),
        sa.CheckConstraint("shown >= 0", name="ck_faq_shown"),
        sa.CheckConstraint("helpful >= 0", name="ck_faq_helpful"),
        sa.CheckConstraint("unhelpful >= 0", name="ck_faq_unhelpful"),
    )
    op.create_index("ix_faq_entries_position", "faq_entries", ["position"])
    op.create_index("ix_faq_entries_topic", "faq_entries", ["topic", "position"])
    op.create_table(
        "faq_votes",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), nullable=True),
        sa.Column(
            "faq_key",
            sa.String(64),
            sa.ForeignKey("faq_entries.key", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("at", _ts, nullable=False),
        sa.UniqueConstraint("user_id", "faq_key", name="uq_faq_votes_user_key"),
    )
    op.create_index("ix_faq_votes_faq_key", "faq_votes", ["faq_key"])


def downgrade() -> None:
    op.drop_table("faq_votes")
    op.drop_index("ix_faq_entries_topic", "faq_entries")
    op.drop_index("ix_faq_entries_position", "faq_entries")
    op.drop_table("faq_entries")
