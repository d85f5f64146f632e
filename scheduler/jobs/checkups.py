"""Checkups: the next day made bookable, reminders, waitlist offers and closed-day notices.

`NoticeRunner` owns the notices' transactions: each notice is claimed and its message queued in
the outbox in one transaction (rendered by a `Composer` the checkup feature hands in, so the
scheduler never imports handlers); the outbox sender delivers it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol, cast
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.types import utcnow
from bot.feature import JobContext
from bot.services.checkups.bookings import Offer
from bot.services.checkups.catalog import extend_slots
from bot.services.checkups.notices import CheckupNotices, Composer, PassOn
from bot.services.outbox.doorbell import Doorbell
from bot.services.outbox.service import Outbox

log = logging.getLogger(__name__)


class NoticeRunner:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        tz: ZoneInfo,
        composer: Composer,
        doorbell: Doorbell,
    ) -> None:
        self.session_factory, self.tz = session_factory, tz
        self.composer, self.doorbell = composer, doorbell

    def _queued(self, queued: int) -> int:
        if queued:
            self.doorbell.ring()
        return queued

    async def offers(self, offers: list[Offer], now: datetime) -> int:
        """Queue the message telling each driver a seat is held for them (right after the
        commit that offered it)."""
        return await self.queue_offers([o.waitlist_id for o in offers], now)

    async def queue_offers(self, waitlist_ids: list[int], now: datetime) -> int:
        """A driver known to have blocked the bot passes the seat on at once instead of
        holding it for nobody (one found so by the sender passes it on in `pass_on`)."""
        queued, queue = 0, list(waitlist_ids)
        while queue:
            waitlist_id = queue.pop(0)
            async with self.session_factory() as session:
                notices = CheckupNotices(session, self.tz)
                claim = await notices.claim_offer(waitlist_id, now)
                if isinstance(claim, PassOn):
                    nxt = await notices.pass_on(waitlist_id, now)
                    queue += [nxt] if nxt is not None else []
                elif claim is not None:
                    queued += await Outbox(session).put(self.composer.compose(claim), now)
                await session.commit()
        return self._queued(queued)

    async def pass_on(self, waitlist_id: int, now: datetime) -> int:
        """The offer's driver could not be told (the sender found them gone): the seat goes
        to the next driver waiting."""
        async with self.session_factory() as session:
            nxt = await CheckupNotices(session, self.tz).pass_on(waitlist_id, now)
            await session.commit()
        return await self.queue_offers([nxt], now) if nxt is not None else 0

    async def queue_notices(self, now: datetime) -> int:
        """Lapsed offers pass on, then every offer and closed-day notice not yet queued is
        (also those a crash kept from being queued after their commit)."""
        async with self.session_factory() as session:
            await CheckupNotices(session, self.tz).expire_offers(now)
            await session.commit()
        async with self.session_factory() as session:
            offers, closures = await CheckupNotices(session, self.tz).unsent(now)
        return await self.queue_offers(offers, now) + await self.day_closed(closures, now)

    async def day_closed(self, booking_ids: list[int], now: datetime) -> int:
        """Queue the message telling each driver their booking was cancelled because the
        provider closed the day."""
        queued = 0
        async with self.session_factory() as session:
            notices = CheckupNotices(session, self.tz)
            for booking_id in booking_ids:
                claim = await notices.claim_closure(booking_id, now)
                if claim is not None:
                    queued += await Outbox(session).put(self.composer.compose(claim), now)
            await session.commit()
        return self._queued(queued)

    async def queue_due_reminders(self, now: datetime) -> int:
        """Each due reminder is claimed and queued in one transaction, so two schedulers
        never queue it twice."""
        async with self.session_factory() as session:
            claimed = await CheckupNotices(session, self.tz).claim_due_reminders(now)
            queued = await Outbox(session).put([self.composer.compose(n) for n in claimed], now)
            await session.commit()
        return self._queued(queued)


class _Notifier(Protocol):
    runner: NoticeRunner


class _Kit(Protocol):
    notifier: _Notifier


def _runner(ctx: JobContext) -> NoticeRunner:
    return cast(_Kit, ctx.kits["checkups"]).notifier.runner


async def extend_checkup_slots(ctx: JobContext) -> int:
    """Daily: the next day of every slot template becomes bookable."""
    tz = ctx.core.settings.tz
    async with ctx.core.session_factory() as session:
        added = await extend_slots(session, datetime.now(tz).date(), tz)
        await session.commit()
    return added


async def send_booking_reminders(ctx: JobContext, now: datetime | None = None) -> int:
    """Every minute: the evening-before and two-hours-before reminders that are due."""
    queued = await _runner(ctx).queue_due_reminders(now or utcnow())
    if queued:
        log.info("queued %d checkup reminders", queued)
    return queued


async def send_booking_notices(ctx: JobContext, now: datetime | None = None) -> int:
    """Every minute: waitlist offers not taken in time pass to the next driver; offers and
    closed-day notices not queued yet are."""
    return await _runner(ctx).queue_notices(now or utcnow())
