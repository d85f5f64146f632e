"""The theme of the month: the month's notice, the day-before activity reminders and the
signed-up drivers' own reminders, queued to the outbox. Each run is one transaction that
claims and queues together and commits, so a restart or a second scheduler never queues a
notice twice (bot/services/themes/notices.py).
The messages are rendered by the feature's kit (`ctx.kits["themes"].renderer`): the scheduler
never imports handlers."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol, cast

from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import JobContext
from bot.services.themes.notices import Renderer, ThemeNotices

log = logging.getLogger(__name__)


class _Kit(Protocol):
    renderer: Renderer


def _notices(ctx: JobContext, session: AsyncSession) -> ThemeNotices:
    settings, kit = ctx.core.settings, cast(_Kit, ctx.kits["themes"])
    return ThemeNotices(session, settings.tz, settings.theme_notice_at, kit.renderer)


async def announce_theme(ctx: JobContext, now: datetime | None = None) -> int:
    """Every 10 minutes: this month's notice, once it is due and not yet announced."""
    now = now or ctx.core.clock()
    async with ctx.core.session_factory() as session:
        queued = await _notices(ctx, session).announce(now)
        await session.commit()
    if queued:
        ctx.core.doorbell.ring()  # this process's sender looks at once, not at its next poll
        log.info("queued the theme of the month for %d drivers", queued)
    return queued


async def remind_activities(ctx: JobContext, now: datetime | None = None) -> int:
    """Every 10 minutes: the reminders of tomorrow's activities not yet queued."""
    now = now or ctx.core.clock()
    async with ctx.core.session_factory() as session:
        queued = await _notices(ctx, session).remind(now)
        await session.commit()
    if queued:
        ctx.core.doorbell.ring()
        log.info("queued %d activity reminders", queued)
    return queued


async def remind_signups(ctx: JobContext, now: datetime | None = None) -> int:
    """Every 5 minutes: the personal reminders of those signed up, once each is due."""
    now = now or ctx.core.clock()
    async with ctx.core.session_factory() as session:
        queued = await _notices(ctx, session).remind_signed_up(now)
        await session.commit()
    if queued:
        ctx.core.doorbell.ring()
        log.info("queued %d sign-up reminders", queued)
    return queued
