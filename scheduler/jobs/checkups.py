"""Checkups: the next day made bookable, reminders, waitlist offers and closed-day notices."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol, cast

from aiogram import Bot

from bot.db.types import utcnow
from bot.feature import JobContext
from bot.services.checkups.catalog import extend_slots

log = logging.getLogger(__name__)


class Notifier(Protocol):
    async def send_due_reminders(self, bot: Bot, now: datetime) -> int: ...

    async def send_notices(self, bot: Bot, now: datetime) -> int: ...


class _Kit(Protocol):
    notifier: Notifier


def _notifier(ctx: JobContext) -> Notifier:
    return cast(_Kit, ctx.kits["checkups"]).notifier


async def extend_checkup_slots(ctx: JobContext) -> int:
    """Daily: the next day of every slot template becomes bookable."""
    tz = ctx.core.settings.tz
    async with ctx.core.session_factory() as session:
        added = await extend_slots(session, datetime.now(tz).date(), tz)
        await session.commit()
    return added


async def send_booking_reminders(ctx: JobContext, now: datetime | None = None) -> int:
    """Every minute: the evening-before and two-hours-before reminders that are due."""
    sent = await _notifier(ctx).send_due_reminders(ctx.bot, now or utcnow())
    if sent:
        log.info("sent %d checkup reminders", sent)
    return sent


async def send_booking_notices(ctx: JobContext, now: datetime | None = None) -> int:
    """Every minute: waitlist offers not taken in time pass to the next driver; offers and
    closed-day notices that have not gone out yet are sent."""
    return await _notifier(ctx).send_notices(ctx.bot, now or utcnow())
