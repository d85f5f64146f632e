"""积分超市 the points shop: catalogue items and vouchers

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_ts = sa.DateTime(timezone=True)
_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table(
        "shop_items",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("name_zh", sa.String(80), nullable=False),
        sa.Column("name_en", sa.String(80), nullable=False),
        sa.Column("description_zh", sa.String(400), nullable=False),
        sa.Column("description_en", sa.String(400), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("per_user_limit", sa.Integer(), nullable=False),
        sa.Column("city", sa.String(64), nullable=False),
        sa.Column("collect", sa.String(200), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("withdrawn_at", _ts, nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("updated_at", _ts, nullable=False),
        sa.CheckConstraint("price > 0", name="shop_price_positive"),
        sa.CheckConstraint("stock >= 0", name="shop_stock_not_negative"),
        sa.CheckConstraint("remaining >= 0", name="shop_remaining_not_negative"),
        sa.CheckConstraint("held >= 0", name="shop_held_not_negative"),
        sa.CheckConstraint("per_user_limit >= 1", name="shop_limit_positive"),
    )
    op.create_index("ix_shop_items_city", "shop_items", ["city"])
    op.create_table(
        "shop_vouchers",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(8), nullable=False, unique=True),
        sa.Column("redeem_key", sa.String(64), nullable=False, unique=True),
        sa.Column("item_id", _id, sa.ForeignKey("shop_items.id"), nullable=False),
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("slot", sa.Integer(), nullable=True),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            _enum(("unused", "used", "expired", "void"), "voucher_status"),
            nullable=False,
        ),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("expires_at", _ts, nullable=False),
        sa.Column("used_at", _ts, nullable=True),
        sa.Column("used_by", _id, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("ended_at", _ts, nullable=True),
        sa.Column("reminded_at", _ts, nullable=True),
        sa.UniqueConstraint("item_id", "user_id", "slot", name="uq_shop_vouchers_slot"),
        sa.CheckConstraint("slot IS NULL OR slot >= 1", name="shop_slot_positive"),
        sa.CheckConstraint("price > 0", name="shop_voucher_price_positive"),
    )
    op.create_index("ix_shop_vouchers_item_id", "shop_vouchers", ["item_id"])
    op.create_index("ix_shop_vouchers_user", "shop_vouchers", ["user_id", "id"])
    op.create_index("ix_shop_vouchers_due", "shop_vouchers", ["status", "expires_at"])


def downgrade() -> None:
    op.drop_table("shop_vouchers")
    op.drop_table("shop_items")
