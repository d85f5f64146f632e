"""积分超市: catalogue items and the vouchers drivers redeem them for.

An item's `remaining` is kept equal to max(stock - held, 0), where `held` counts the vouchers
that hold a unit (unused or used). Both move in one conditional UPDATE (remaining > 0), and
CHECKs refuse a negative either way, so concurrent redemptions can never oversell.

A voucher takes one of its owner's slots 1..per_user_limit of the item; (item, user, slot) is
unique, so concurrent double taps can never go past the limit. An expired or cancelled
voucher gives its slot back (NULL) and its unit back to the stock.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

import bot.db.users.models  # noqa: F401  (vouchers point at users)
from bot.db.base import Base, holds_personal, str_enum
from bot.db.types import BigIntId, UTCDateTime


class VoucherStatus(enum.StrEnum):
    UNUSED = "unused"  # redeemed, waiting to be handed over
    USED = "used"  # handed over at a station (/redeem)
    EXPIRED = "expired"  # not used in time: its points went back through the ledger
    VOID = "void"  # its owner erased their data before using it (no refund: forfeited)


class ShopItemRow(Base):
    __tablename__ = "shop_items"
    __table_args__ = (
        CheckConstraint("price > 0", name="shop_price_positive"),
        CheckConstraint("stock >= 0", name="shop_stock_not_negative"),
        CheckConstraint("remaining >= 0", name="shop_remaining_not_negative"),
        CheckConstraint("held >= 0", name="shop_held_not_negative"),
        CheckConstraint("per_user_limit >= 1", name="shop_limit_positive"),
        holds_personal(False),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # stable across re-imports
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    description_zh: Mapped[str] = mapped_column(String(400))
    description_en: Mapped[str] = mapped_column(String(400))
    price: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer)  # the total offered, as the file says
    remaining: Mapped[int] = mapped_column(Integer)  # left to redeem now
    held: Mapped[int] = mapped_column(Integer, default=0)  # vouchers holding a unit
    per_user_limit: Mapped[int] = mapped_column(Integer)
    city: Mapped[str] = mapped_column(String(64), default="", index=True)  # "": every city
    collect: Mapped[str] = mapped_column(String(200), default="")  # "": delivered as a code
    valid_until: Mapped[date] = mapped_column(Date)  # the last day, in the bot's time zone
    # Left out of the last import: not offered any more, its vouchers stay valid.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The illustrative sample of a first run: marked as such, gone with the first real import.
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VoucherRow(Base):
    __tablename__ = "shop_vouchers"
    __table_args__ = (
        UniqueConstraint("item_id", "user_id", "slot", name="uq_shop_vouchers_slot"),
        CheckConstraint("slot IS NULL OR slot >= 1", name="shop_slot_positive"),
        CheckConstraint("price > 0", name="shop_voucher_price_positive"),
        Index("ix_shop_vouchers_user", "user_id", "id"),
        Index("ix_shop_vouchers_due", "status", "expires_at"),
        holds_personal(True),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)  # shown as XXXX-XXXX
    # The confirm button's nonce with its presser: a double tap or a repeated update is one
    # redemption.
    redeem_key: Mapped[str] = mapped_column(String(64), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("shop_items.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # NULL once erased
    slot: Mapped[int | None] = mapped_column(Integer)  # NULL once it gives its slot back
    price: Mapped[int] = mapped_column(BigInteger)  # the points it cost (refunded on expiry)
    status: Mapped[VoucherStatus] = mapped_column(str_enum(VoucherStatus, "voucher_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the end of the item's last day
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the admin
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # expired or voided
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # "expires soon" queued
