"""The theme of the month: the month's notice, the day-before activity reminders and the
signed-up drivers' own reminders, queued to the outbox. Each run is one transaction that
claims and queues together and commits, so a restart or a second scheduler never queues a
notice twice (bot/services/themes/notices.py).
The messages are rendered by the feature's kit (`ctx.kits["themes"].renderer`): the scheduler
never imports handlers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
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


async def _queue(
    ctx: JobContext,
    now: datetime | None,
    queue: Callable[[ThemeNotices, datetime], Awaitable[int]],
    said: str,
) -> int:
    """One run of a job: claim and queue in one transaction, then wake the sender."""
    now = now or ctx.core.clock()
    async with ctx.core.session_factory() as session:
        queued = await queue(_notices(ctx, session), now)
        await session.commit()
    if queued:
        ctx.core.doorbell.ring()  # this process's sender looks at once, not at its next poll
        log.info(said, queued)
    return queued


async def announce_theme(ctx: JobContext, now: datetime | None = None) -> int:
    """Every 10 minutes: this month's notice, once it is due and not yet announced."""
    return await _queue(
        ctx, now, ThemeNotices.announce, "queued the theme of the month for %d drivers"
    )


async def remind_activities(ctx: JobContext, now: datetime | None = None) -> int:
    """Every 10 minutes: the reminders of tomorrow's activities not yet queued."""
    return await _queue(ctx, now, ThemeNotices.remind, "queued %d activity reminders")


async def remind_signups(ctx: JobContext, now: datetime | None = None) -> int:
    """Every 5 minutes: the personal reminders of those signed up, once each is due."""
    return await _queue(ctx, now, ThemeNotices.remind_signed_up, "queued %d sign-up reminders")
