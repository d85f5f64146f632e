"""The points ledger: accounts and immutable double-entry transfers; points messages in the
outbox

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_ts = sa.DateTime(timezone=True)
_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_REASONS = ("report", "first_report", "grant", "deduct", "reversal", "spend", "forfeit")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


_KINDS_BEFORE = (
    "reminder", "offer", "closure", "broadcast", "theme", "activity", "report", "case",
)  # fmt: skip
_KINDS = (*_KINDS_BEFORE, "points")


def _widen(table: str, column: str, name: str, old: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Give a VARCHAR + CHECK enum column more values (its named CHECK constraint changes)."""
    if op.get_context().dialect.name == "postgresql":
        op.drop_constraint(name, table, type_="check")
        op.create_check_constraint(name, table, sa.column(column).in_(new))
        return
    with op.batch_alter_table(table, recreate="always") as batch:
        batch.alter_column(
            column, existing_type=_enum(old, name), type_=_enum(new, name), existing_nullable=False
        )


def upgrade() -> None:
    _widen("outbox", "kind", "message_kind", _KINDS_BEFORE, _KINDS)
    op.create_table(
        "points_accounts",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("kind", _enum(("user", "system"), "points_account_kind"), nullable=False),
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), nullable=True, unique=True),
        sa.Column(
            "code",
            _enum(("issued", "spent", "expired"), "points_system_account"),
            nullable=True,
            unique=True,
        ),
        sa.Column("debits", sa.BigInteger(), nullable=False),
        sa.Column("credits", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _ts, nullable=False),
        sa.CheckConstraint(
            "kind = 'system' OR credits - debits >= 0", name="points_never_negative"
        ),
        sa.CheckConstraint("(kind = 'user') = (code IS NULL)", name="points_account_owner"),
    )
    op.create_table(
        "points_transfers",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("debit_id", _id, sa.ForeignKey("points_accounts.id"), nullable=False),
        sa.Column("credit_id", _id, sa.ForeignKey("points_accounts.id"), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", _enum(_REASONS, "points_reason"), nullable=False),
        sa.Column("ref", sa.String(32), nullable=True),
        sa.Column("note", sa.String(200), nullable=True),
        sa.Column("actor_id", _id, sa.ForeignKey("users.id"), nullable=True),
        sa.Column(
            "reverses_id", _id, sa.ForeignKey("points_transfers.id"), nullable=True, unique=True
        ),
        sa.Column("created_at", _ts, nullable=False),
        sa.CheckConstraint("amount > 0", name="points_amount_positive"),
        sa.CheckConstraint("debit_id <> credit_id", name="points_two_accounts"),
    )
    op.create_index("ix_points_transfers_debit", "points_transfers", ["debit_id", "id"])
    op.create_index("ix_points_transfers_credit", "points_transfers", ["credit_id", "id"])


def downgrade() -> None:
    op.drop_table("points_transfers")
    op.drop_table("points_accounts")
    _widen("outbox", "kind", "message_kind", _KINDS, _KINDS_BEFORE)
