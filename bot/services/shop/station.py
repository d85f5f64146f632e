"""积分超市 at the station: an admin redeems a voucher by its code (once), the voucher's owner
to tell, and the stock and redemption report."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.shop.models import VoucherRow, VoucherStatus
from bot.db.shop.repository import ShopRepository
from bot.db.users.repository import UserRepository
from bot.services.shop.views import Names, VoucherView, voucher_of
from knowledge.shop.catalogue import read_code


class UseOutcome(enum.StrEnum):
    USED = "used"  # handed over now
    ALREADY = "already"  # used before (the view says when)
    EXPIRED = "expired"  # past its last day (refunded, or about to be by the job)
    VOID = "void"  # cancelled when its owner erased their data
    UNKNOWN = "unknown"  # no voucher has this code


@dataclass(frozen=True, slots=True)
class Owner:
    user_id: int
    telegram_id: int
    language: str


@dataclass(frozen=True, slots=True)
class UseResult:
    outcome: UseOutcome
    voucher: VoucherView | None = None
    owner: Owner | None = None  # whom to tell it was used (None: erased, or no chat)


@dataclass(frozen=True, slots=True)
class ItemReport:
    key: str
    name: Names
    stock: int
    remaining: int
    unused: int
    used: int
    expired: int
    void: int
    withdrawn: bool


class StationService:
    def __init__(self, session: AsyncSession, tz: ZoneInfo) -> None:
        self.session = session
        self.repo = ShopRepository(session)
        self.tz = tz

    async def use(self, text: str, admin_id: int, now: datetime) -> UseResult:
        code = read_code(text)
        row = None if code is None else await self.repo.voucher_by_code(code)
        if row is None:
            return UseResult(UseOutcome.UNKNOWN)
        if row.status is VoucherStatus.UNUSED and await self.repo.mark_used(row.id, admin_id, now):
            await self.session.refresh(row)
            return UseResult(UseOutcome.USED, await self.view(row), await self.owner(row.user_id))
        await self.session.refresh(row)  # a concurrent /redeem may have just used it
        outcome = {
            VoucherStatus.USED: UseOutcome.ALREADY, VoucherStatus.VOID: UseOutcome.VOID,
        }.get(row.status, UseOutcome.EXPIRED)  # fmt: skip
        return UseResult(outcome, await self.view(row))

    async def view(self, row: VoucherRow) -> VoucherView:
        item = await self.repo.item(row.item_id)
        assert item is not None
        return voucher_of(row, item, self.tz)

    async def owner(self, user_id: int | None) -> Owner | None:
        user = None if user_id is None else await UserRepository(self.session).by_id(user_id)
        if user is None or user.telegram_id is None or user.erased_at is not None:
            return None
        return Owner(user.id, user.telegram_id, user.language)

    async def report(self) -> list[ItemReport]:
        """Every item, those on offer first: stock, left, and its vouchers by status."""
        counts = await self.repo.counts()
        found = []
        for row in await self.repo.items(include_withdrawn=True):
            c = counts.get(row.id, {})
            found.append(ItemReport(
                row.key, Names(row.name_zh, row.name_en), row.stock, row.remaining,
                c.get(VoucherStatus.UNUSED, 0), c.get(VoucherStatus.USED, 0),
                c.get(VoucherStatus.EXPIRED, 0), c.get(VoucherStatus.VOID, 0),
                row.withdrawn_at is not None,
            ))  # fmt: skip
        return sorted(found, key=lambda r: (r.withdrawn, r.key))
