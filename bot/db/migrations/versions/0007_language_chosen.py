"""A user's language is their own choice once they pick one; until then it follows Telegram

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("language_chosen", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Who picked their language before is not known: nobody's language changes under them.
    users = sa.table("users", sa.column("language_chosen", sa.Boolean()))
    op.execute(users.update().values(language_chosen=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language_chosen")
