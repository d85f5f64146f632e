"""Activity sign-ups and check-ins

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_ts = sa.DateTime(timezone=True)
_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_CHECKS = {
    "ck_theme_activities_signed_up": "signed_up >= 0",
    "ck_theme_activities_capacity": "capacity IS NULL OR capacity > 0",
    "ck_theme_activities_points": "points >= 0",
}


def upgrade() -> None:
    # Batch mode: SQLite adds CHECK constraints only by copying the table.
    with op.batch_alter_table("theme_activities") as batch:
        batch.add_column(sa.Column("capacity", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("points", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(
            sa.Column("signed_up", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(sa.Column("secret", sa.String(32), nullable=True))
        for name, condition in _CHECKS.items():
            batch.create_check_constraint(name, sa.text(condition))
    op.create_table(
        "activity_signups",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("activity_id", _id, sa.ForeignKey("theme_activities.id"), nullable=False),
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("reminded_at", _ts, nullable=True),
        sa.UniqueConstraint("activity_id", "user_id"),
    )
    op.create_index("ix_activity_signups_user_id", "activity_signups", ["user_id"])
    op.create_table(
        "activity_checkins",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("activity_id", _id, sa.ForeignKey("theme_activities.id"), nullable=False),
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("at", _ts, nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.UniqueConstraint("activity_id", "user_id"),
    )
    op.create_index("ix_activity_checkins_user_id", "activity_checkins", ["user_id"])


def downgrade() -> None:
    op.drop_table("activity_checkins")
    op.drop_table("activity_signups")
    with op.batch_alter_table("theme_activities") as batch:
        for name in _CHECKS:
            batch.drop_constraint(name, type_="check")
        for column in ("secret", "signed_up", "points", "capacity"):
            batch.drop_column(column)
