"""What shop handlers and jobs see: small frozen objects, never ORM rows."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db.shop.models import ShopItemRow, VoucherRow, VoucherStatus
from knowledge.shop.catalogue import show_code


class Refusal(enum.StrEnum):
    NOT_ENOUGH = "not_enough"  # the balance does not cover the price
    SOLD_OUT = "sold_out"  # nothing left
    LIMIT = "limit"  # the driver holds as many as one may
    GONE = "gone"  # withdrawn, past its last day, not in the driver's city, or no such item


class Refused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Names:
    zh: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.zh


@dataclass(frozen=True, slots=True)
class Offer:
    id: int
    name: Names
    description: Names
    price: int
    remaining: int
    per_user_limit: int
    held_by_you: int  # the driver's vouchers of it that count against the limit
    city: str  # "": every city
    collect: str  # "": delivered as a code
    valid_until: date
    is_sample: bool
    balance: int  # the driver's, when it was drawn

    @property
    def affordable(self) -> bool:
        return self.price <= self.balance

    @property
    def sold_out(self) -> bool:
        return self.remaining <= 0


@dataclass(frozen=True, slots=True)
class ShopPage:
    offers: tuple[Offer, ...]  # this page's, affordable first, then by price
    balance: int
    page: int  # 0-based
    pages: int
    sample: bool  # the illustrative catalogue of a first run


@dataclass(frozen=True, slots=True)
class VoucherView:
    id: int
    code: str  # as stored, 8 characters
    user_id: int | None
    name: Names
    collect: str
    price: int
    status: VoucherStatus
    expires_at: datetime  # UTC: the end of the last valid day
    valid_until: date  # that last day, in the bot's time zone
    used_at: datetime | None
    ended_at: datetime | None

    @property
    def shown_code(self) -> str:
        return show_code(self.code)


def expiry_of(last_day: date, tz: ZoneInfo) -> datetime:
    """The moment after the last valid day ends, in UTC."""
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def offer_of(row: ShopItemRow, balance: int, held: int) -> Offer:
    return Offer(
        row.id, Names(row.name_zh, row.name_en), Names(row.description_zh, row.description_en),
        row.price, row.remaining, row.per_user_limit, held, row.city, row.collect,
        row.valid_until, row.is_sample, balance,
    )  # fmt: skip


def voucher_of(row: VoucherRow, item: ShopItemRow, tz: ZoneInfo) -> VoucherView:
    last = (row.expires_at - timedelta(seconds=1)).astimezone(tz).date()
    return VoucherView(
        row.id, row.code, row.user_id, Names(item.name_zh, item.name_en), item.collect,
        int(row.price), row.status, row.expires_at, last, row.used_at, row.ended_at,
    )  # fmt: skip
