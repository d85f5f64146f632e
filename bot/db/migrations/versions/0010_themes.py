"""The theme of the month and its activities

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ts = sa.DateTime(timezone=True)
_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "themes",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("title_zh", sa.String(120), nullable=False),
        sa.Column("title_en", sa.String(120), nullable=False),
        sa.Column("description_zh", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("announced_at", _ts, nullable=True),
    )
    op.create_table(
        "theme_activities",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("month", sa.String(7), sa.ForeignKey("themes.month"), nullable=False),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("time", sa.String(16), nullable=False),
        sa.Column("title_zh", sa.String(120), nullable=False),
        sa.Column("title_en", sa.String(120), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("city", sa.String(64), nullable=False),
        sa.Column("link", sa.String(512), nullable=False),
        sa.Column("reminded_at", _ts, nullable=True),
    )
    op.create_index("ix_theme_activities_month", "theme_activities", ["month"])


def downgrade() -> None:
    op.drop_table("theme_activities")
    op.drop_table("themes")
