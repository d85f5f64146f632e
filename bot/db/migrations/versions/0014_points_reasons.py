"""Points earned by tasks and activities, spent in the shop and refunded; the outbox kinds
of tasks, vouchers and activity sign-ups

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_REASONS_BEFORE = ("report", "first_report", "grant", "deduct", "reversal", "spend", "forfeit")
_REASONS = (*_REASONS_BEFORE, "redeem", "refund", "task", "activity")
_KINDS_BEFORE = (
    "reminder", "offer", "closure", "broadcast", "theme", "activity", "report", "case", "points",
    "snap",
)  # fmt: skip
_KINDS = (*_KINDS_BEFORE, "task_offer", "task", "voucher", "signup")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def _widen(table: str, column: str, name: str, old: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Give a VARCHAR + CHECK enum column other values (its named CHECK constraint changes)."""
    if op.get_context().dialect.name == "postgresql":
        op.drop_constraint(name, table, type_="check")
        op.create_check_constraint(name, table, sa.column(column).in_(new))
        return
    with op.batch_alter_table(table, recreate="always") as batch:
        batch.alter_column(
            column, existing_type=_enum(old, name), type_=_enum(new, name), existing_nullable=False
        )


def upgrade() -> None:
    _widen("points_transfers", "reason", "points_reason", _REASONS_BEFORE, _REASONS)
    _widen("outbox", "kind", "message_kind", _KINDS_BEFORE, _KINDS)


def downgrade() -> None:
    _widen("outbox", "kind", "message_kind", _KINDS, _KINDS_BEFORE)
    _widen("points_transfers", "reason", "points_reason", _REASONS, _REASONS_BEFORE)
