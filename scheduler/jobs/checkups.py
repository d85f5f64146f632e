"""Checkups: the next day made bookable, reminders, waitlist offers and closed-day notices.

`NoticeRunner` owns the notices' transactions: each claim is committed before its message is
sent, a release after a passing failure is committed on its own, and the sending itself is a
`Courier` the checkup feature hands in (so the scheduler never imports handlers).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol, cast
from zoneinfo import ZoneInfo

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.types import utcnow
from bot.feature import JobContext
from bot.services.checkups.bookings import Offer
from bot.services.checkups.catalog import extend_slots
from bot.services.checkups.notices import CheckupNotices, Courier, Delivery, Notice, PassOn

log = logging.getLogger(__name__)


class NoticeRunner:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], tz: ZoneInfo) -> None:
        self.session_factory, self.tz = session_factory, tz

    async def _send(self, courier: Courier, notice: Notice) -> Delivery:
        outcome = await courier.deliver(notice)
        if outcome is Delivery.RETRY:
            async with self.session_factory() as session:
                await CheckupNotices(session, self.tz).release(notice)
                await session.commit()
        return outcome

    async def offers(self, courier: Courier, offers: list[Offer], now: datetime) -> int:
        """Tell each driver a seat is held for them (right after the commit that offered it)."""
        return await self._send_offers(courier, [o.waitlist_id for o in offers], now)

    async def _send_offers(self, courier: Courier, waitlist_ids: list[int], now: datetime) -> int:
        """A driver who cannot be reached passes the seat on at once instead of holding it
        for nobody: known to have blocked the bot, or found so by this very send."""
        sent, queue = 0, list(waitlist_ids)
        while queue:
            waitlist_id = queue.pop(0)
            async with self.session_factory() as session:
                claim = await CheckupNotices(session, self.tz).claim_offer(waitlist_id, now)
                await session.commit()
            if isinstance(claim, PassOn):
                queue += await self._pass_on(waitlist_id, now)
                continue
            if claim is None:
                continue
            outcome = await self._send(courier, claim)
            sent += outcome is Delivery.SENT
            if outcome is Delivery.GONE:
                queue += await self._pass_on(waitlist_id, now)
        return sent

    async def _pass_on(self, waitlist_id: int, now: datetime) -> list[int]:
        async with self.session_factory() as session:
            nxt = await CheckupNotices(session, self.tz).pass_on(waitlist_id, now)
            await session.commit()
        return [nxt] if nxt is not None else []

    async def send_notices(self, courier: Courier, now: datetime) -> int:
        """Lapsed offers pass on, then every offer and closed-day notice still unsent goes
        out (also those a crash or a Telegram error kept from going out)."""
        async with self.session_factory() as session:
            await CheckupNotices(session, self.tz).expire_offers(now)
            await session.commit()
        async with self.session_factory() as session:
            offers, closures = await CheckupNotices(session, self.tz).unsent(now)
        return await self._send_offers(courier, offers, now) + await self.day_closed(
            courier, closures, now
        )

    async def day_closed(self, courier: Courier, booking_ids: list[int], now: datetime) -> int:
        """Tell each driver their booking was cancelled because the provider closed the day."""
        sent = 0
        for booking_id in booking_ids:
            async with self.session_factory() as session:
                claim = await CheckupNotices(session, self.tz).claim_closure(booking_id, now)
                await session.commit()
            if claim is not None:
                sent += await self._send(courier, claim) is Delivery.SENT
        return sent

    async def send_due_reminders(self, courier: Courier, now: datetime) -> int:
        """Each due reminder is claimed in one transaction before it is sent, so two
        schedulers never send it twice."""
        async with self.session_factory() as session:
            claimed = await CheckupNotices(session, self.tz).claim_due_reminders(now)
            await session.commit()
        sent = 0
        for notice in claimed:
            sent += await self._send(courier, notice) is Delivery.SENT
        return sent


class _Notifier(Protocol):
    def courier(self, bot: Bot) -> Courier: ...


class _Kit(Protocol):
    notifier: _Notifier


def _courier(ctx: JobContext) -> Courier:
    return cast(_Kit, ctx.kits["checkups"]).notifier.courier(ctx.bot)


def _runner(ctx: JobContext) -> NoticeRunner:
    return NoticeRunner(ctx.core.session_factory, ctx.core.settings.tz)


async def extend_checkup_slots(ctx: JobContext) -> int:
    """Daily: the next day of every slot template becomes bookable."""
    tz = ctx.core.settings.tz
    async with ctx.core.session_factory() as session:
        added = await extend_slots(session, datetime.now(tz).date(), tz)
        await session.commit()
    return added


async def send_booking_reminders(ctx: JobContext, now: datetime | None = None) -> int:
    """Every minute: the evening-before and two-hours-before reminders that are due."""
    sent = await _runner(ctx).send_due_reminders(_courier(ctx), now or utcnow())
    if sent:
        log.info("sent %d checkup reminders", sent)
    return sent


async def send_booking_notices(ctx: JobContext, now: datetime | None = None) -> int:
    """Every minute: waitlist offers not taken in time pass to the next driver; offers and
    closed-day notices that have not gone out yet are sent."""
    return await _runner(ctx).send_notices(_courier(ctx), now or utcnow())
