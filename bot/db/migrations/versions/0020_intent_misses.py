"""Texts the bot did not understand (anonymous), for growing the phrasings

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "intent_misses",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("text", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("guesses", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_intent_misses_at", "intent_misses", ["at"])


def downgrade() -> None:
    op.drop_index("ix_intent_misses_at", table_name="intent_misses")
    op.drop_table("intent_misses")
