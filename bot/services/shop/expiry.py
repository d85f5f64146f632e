"""Vouchers nobody used in time: each expires once and its points come back through the ledger
once (the conditional UPDATE picks one winner however often or concurrently the job runs, and
the refund's key is the voucher's); its unit goes back to the stock. And the reminder a few
days before. The caller (scheduler/jobs/shop.py) commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.shop.models import VoucherStatus
from bot.db.shop.repository import ShopRepository
from bot.services.points.ledger import Ledger
from bot.services.shop.station import Owner, StationService
from bot.services.shop.views import VoucherView

REMIND_DAYS = 3  # an unused voucher's owner hears this long before it expires


@dataclass(frozen=True, slots=True)
class VoucherNotice:
    voucher: VoucherView
    owner: Owner
    refunded: int  # points given back (0 for a reminder)


class Expiry:
    def __init__(self, session: AsyncSession, ledger: Ledger, tz: ZoneInfo) -> None:
        self.session, self.ledger, self.tz = session, ledger, tz
        self.repo = ShopRepository(session)
        self.station = StationService(session, tz)

    async def due(self, now: datetime, limit: int) -> Sequence[int]:
        return [row.id for row in await self.repo.due(now, limit)]

    async def expire(self, voucher_id: int, now: datetime) -> VoucherNotice | None:
        """None when it is not due, or another run expired it first."""
        row = await self.repo.voucher(voucher_id)
        if (
            row is None
            or row.expires_at > now
            or not await self.repo.end(voucher_id, VoucherStatus.EXPIRED, now)
        ):
            return None
        await self.repo.give_back_unit(row.item_id)
        await self.session.refresh(row)
        if row.user_id is None:  # erased: the points were forfeited with the rest
            return None
        await self.ledger.refund(row.user_id, int(row.price), f"voucher-refund:{row.id}", now,
                                 ref=row.code)  # fmt: skip
        owner = await self.station.owner(row.user_id)
        if owner is None:
            return None
        return VoucherNotice(await self.station.view(row), owner, int(row.price))

    async def expiring(self, now: datetime, limit: int) -> Sequence[int]:
        rows = await self.repo.expiring(now, now + timedelta(days=REMIND_DAYS), limit)
        return [row.id for row in rows]

    async def remind(self, voucher_id: int, now: datetime) -> VoucherNotice | None:
        row = await self.repo.voucher(voucher_id)
        if row is None or row.user_id is None or not await self.repo.claim_reminder(row.id, now):
            return None
        owner = await self.station.owner(row.user_id)
        if owner is None:
            return None
        return VoucherNotice(await self.station.view(row), owner, 0)
