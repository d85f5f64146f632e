"""Volunteer tasks: tasks and the places volunteers take

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the tasks work


def downgrade() -> None:
    pass
