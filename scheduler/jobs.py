"""Scheduled jobs: each asks a repository or service for due work and does it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.types import utcnow
from bot.db.updates.repository import ProcessedUpdateRepository
from bot.services.checkups.catalog import extend_slots
from handlers.checkups.notices import CheckupNotifier

log = logging.getLogger(__name__)

# Telegram keeps an unconfirmed update for 24 hours; a week is a safe margin for redeliveries.
PROCESSED_UPDATES_KEEP = timedelta(days=7)


async def prune_processed_updates(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        removed = await ProcessedUpdateRepository(session).prune_before(
            utcnow() - PROCESSED_UPDATES_KEEP
        )
        await session.commit()
    if removed:
        log.info("pruned %d processed-update records", removed)
    return removed


async def extend_checkup_slots(
    session_factory: async_sessionmaker[AsyncSession], timezone: str
) -> int:
    """Daily: the next day of every slot template becomes bookable."""
    tz = ZoneInfo(timezone)
    return await extend_slots(session_factory, datetime.now(tz).date(), tz)


async def send_booking_reminders(
    notifier: CheckupNotifier, bot: Bot, now: datetime | None = None
) -> int:
    """Every minute: the evening-before and two-hours-before reminders that are due."""
    sent = await notifier.send_due_reminders(bot, now or utcnow())
    if sent:
        log.info("sent %d checkup reminders", sent)
    return sent


async def send_booking_notices(
    notifier: CheckupNotifier, bot: Bot, now: datetime | None = None
) -> int:
    """Every minute: waitlist offers not taken in time pass to the next driver; offers and
    closed-day notices that have not gone out yet are sent."""
    return await notifier.send_notices(bot, now or utcnow())
