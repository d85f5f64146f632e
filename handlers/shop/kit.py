"""The shop feature's process-wide part (its message composer, the expiry runs the job calls)
and its services for one update."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import BaseKit, Core
from bot.services.outbox.service import Outbox
from bot.services.points.ledger import Ledger
from bot.services.shop.expiry import Expiry
from bot.services.shop.shop import ShopService
from bot.services.shop.station import StationService
from handlers.points.kit import rules_of
from handlers.shop.notices import VoucherComposer

BATCH = 200  # vouchers one job run expires or reminds; the next run takes the rest
# Vouchers expire at local midnight: their news waits for the morning, between these hours.
DAY_START, DAY_END = 8, 21


def daytime(now: datetime, tz: ZoneInfo) -> datetime | None:
    """When a notice that can wait should go out: None (now) by day, else the next morning."""
    local = now.astimezone(tz)
    if DAY_START <= local.hour < DAY_END:
        return None
    morning = local.replace(hour=DAY_START, minute=0, second=0, microsecond=0)
    if local.hour >= DAY_END:
        morning += timedelta(days=1)
    return morning.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ShopServices:
    """What shop handlers get for one update (injected as `shop`)."""

    shop: ShopService
    station: StationService
    outbox: Outbox
    composer: VoucherComposer
    session: AsyncSession
    tz: ZoneInfo


class ShopKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.core = core
        self.rules = rules_of(core)
        self.composer = VoucherComposer(core.i18n, core.settings.tz)

    def ledger(self, session: AsyncSession) -> Ledger:
        return Ledger(session, self.core.settings.tz, self.rules)

    def for_update(self, session: AsyncSession) -> ShopServices:
        tz = self.core.settings.tz
        return ShopServices(
            ShopService(session, self.ledger(session), tz), StationService(session, tz),
            Outbox(session, self.core.doorbell), self.composer, session, tz,
        )  # fmt: skip

    async def expire_due(self) -> int:
        """Each due voucher in its own transaction: expired, refunded and its owner told,
        or none of it."""
        now, tz, done = self.core.clock(), self.core.settings.tz, 0
        async with self.core.session_factory() as session:
            due = await Expiry(session, self.ledger(session), tz).due(now, BATCH)
        for voucher_id in due:
            async with self.core.session_factory() as session:
                notice = await Expiry(session, self.ledger(session), tz).expire(voucher_id, now)
                if notice is not None:
                    message = self.composer.refunded(notice.voucher, notice.owner,
                                                     notice.refunded)  # fmt: skip
                    message = replace(message, not_before=daytime(now, tz))
                    await Outbox(session, self.core.doorbell).put(message, now)
                await session.commit()
                done += notice is not None
        return done

    async def remind_expiring(self) -> int:
        now, tz, done = self.core.clock(), self.core.settings.tz, 0
        async with self.core.session_factory() as session:
            expiry = Expiry(session, self.ledger(session), tz)
            for voucher_id in await expiry.expiring(now, BATCH):
                notice = await expiry.remind(voucher_id, now)
                if notice is not None:
                    message = self.composer.expiring(notice.voucher, notice.owner)
                    message = replace(message, not_before=daytime(now, tz))
                    await Outbox(session, self.core.doorbell).put(message, now)
                    done += 1
            await session.commit()
        return done
