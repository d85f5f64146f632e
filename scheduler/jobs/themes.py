"""The theme of the month: the month's notice and the day-before activity reminders, queued to
the outbox. Each run is one transaction that claims and queues together and commits, so a
restart or a second scheduler never queues a notice twice (bot/services/themes/notices.py).
The messages are rendered by the feature's kit (`ctx.kits["themes"].renderer`): the scheduler
never imports handlers."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol, cast

from bot.feature import JobContext
from bot.services.themes.notices import Renderer, ThemeNotices

log = logging.getLogger(__name__)


class _Kit(Protocol):
    renderer: Renderer


def _notices_factory(ctx: JobContext) -> tuple[Renderer, datetime]:
    return cast(_Kit, ctx.kits["themes"]).renderer, ctx.core.clock()


async def announce_theme(ctx: JobContext, now: datetime | None = None) -> int:
    """Every 10 minutes: this month's notice, once it is due and not yet announced."""
    renderer, clock_now = _notices_factory(ctx)
    settings = ctx.core.settings
    async with ctx.core.session_factory() as session:
        notices = ThemeNotices(session, settings.tz, settings.theme_notice_at, renderer)
        queued = await notices.announce(now or clock_now)
        await session.commit()
    if queued:
        log.info("queued the theme of the month for %d drivers", queued)
    return queued


async def remind_activities(ctx: JobContext, now: datetime | None = None) -> int:
    """Every 10 minutes: the reminders of tomorrow's activities not yet queued."""
    renderer, clock_now = _notices_factory(ctx)
    settings = ctx.core.settings
    async with ctx.core.session_factory() as session:
        notices = ThemeNotices(session, settings.tz, settings.theme_notice_at, renderer)
        queued = await notices.remind(now or clock_now)
        await session.commit()
    if queued:
        log.info("queued %d activity reminders", queued)
    return queued
