"""Owed notices as rows (waitlist offers, closed-day notices) and closed days as rows

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("checkup_waitlist") as batch:
        batch.add_column(sa.Column("notified_at", _ts, nullable=True))
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("notified_at", _ts, nullable=True))
        batch.add_column(sa.Column("note", sa.String(200), nullable=False, server_default=""))
    op.create_table(
        "checkup_closures",
        sa.Column(
            "provider_id", sa.String(32), sa.ForeignKey("checkup_providers.id"), primary_key=True
        ),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("reason", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", _ts, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("checkup_closures")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("note")
        batch.drop_column("notified_at")
    with op.batch_alter_table("checkup_waitlist") as batch:
        batch.drop_column("notified_at")
