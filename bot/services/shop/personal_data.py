"""The points shop's part of /mydata and /deleteme (see bot/services/personal_data.py).

Export: the person's vouchers. Erasure keeps every voucher for the counts (the stock report,
what was redeemed and used), with nobody named: the owner and the admin who handed it over
are unlinked. An unused voucher is cancelled (status void) and its unit goes back to the
stock; its points are not refunded, because the points part forfeits the balance anyway."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.shop.models import VoucherStatus
from bot.db.shop.repository import ShopRepository
from bot.services.personal_data import Part
from bot.services.points.ledger import Ledger, PointsRules
from bot.services.shop.shop import ShopService


async def export(session: AsyncSession, user_id: int, tz: ZoneInfo) -> dict[str, Any]:
    shop = ShopService(session, Ledger(session, tz, PointsRules()), tz)
    return {
        "vouchers": [
            {"code": v.shown_code, "item": v.name.zh, "item_en": v.name.en, "points": v.price,
             "status": v.status.value, "valid_until": v.valid_until.isoformat(),
             "used_at": v.used_at.isoformat() if v.used_at else None}
            for v in await shop.vouchers(user_id, limit=100_000)
        ]
    }  # fmt: skip


async def erase(session: AsyncSession, user_id: int, now: datetime, tz: ZoneInfo) -> None:
    repo = ShopRepository(session)
    for row in await repo.open_vouchers_of(user_id):
        if await repo.end(row.id, VoucherStatus.VOID, now):
            await repo.give_back_unit(row.item_id)
    await repo.unlink_user(user_id)


PART = Part("shop", frozenset({"shop_vouchers"}), export, erase)
