"""Complaints: redraw the cards that are behind their cases, and the deadline alerts. The
messages are rendered by the feature's kit (`ctx.kits["complaints"].notifier`): the scheduler
never imports handlers."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol, cast

from bot.feature import JobContext

log = logging.getLogger(__name__)


class _Notifier(Protocol):
    async def redraw_due(self, bot: Any, limit: int = 50) -> int: ...

    async def queue_alerts(self, now: datetime) -> int: ...

    async def queue_morning(self, now: datetime) -> int: ...

    async def queue_weekly(self, now: datetime) -> int: ...

    async def queue_month_report(self, now: datetime) -> int: ...


class _Kit(Protocol):
    notifier: _Notifier


def _notifier(ctx: JobContext) -> _Notifier:
    return cast(_Kit, ctx.kits["complaints"]).notifier


async def redraw_cards(ctx: JobContext) -> int:
    """Every 30 s: a card whose edit failed, or whose first post has just gone out."""
    return await _notifier(ctx).redraw_due(ctx.bot)


async def deadline_alerts(ctx: JobContext, now: datetime | None = None) -> int:
    """Every 5 minutes: reminders, overdue notices, escalations; unrated cases closed."""
    queued = await _notifier(ctx).queue_alerts(now or ctx.core.clock())
    if queued:
        ctx.core.doorbell.ring()
        log.info("queued %d complaint deadline messages", queued)
    return queued


async def _queued(ctx: JobContext, queued: int, what: str) -> int:
    if queued:
        ctx.core.doorbell.ring()
        log.info("queued %d complaint %s", queued, what)
    return queued


async def morning_lists(ctx: JobContext, now: datetime | None = None) -> int:
    """09:00 every working day (make-up Saturdays too): each handler's open cases."""
    queued = await _notifier(ctx).queue_morning(now or ctx.core.clock())
    return await _queued(ctx, queued, "morning lists")


async def weekly_summary(ctx: JobContext, now: datetime | None = None) -> int:
    """Mondays 09:30: last week's summary for the admins' group."""
    queued = await _notifier(ctx).queue_weekly(now or ctx.core.clock())
    return await _queued(ctx, queued, "weekly summaries")


async def month_report(ctx: JobContext, now: datetime | None = None) -> int:
    """10:00 daily; on the month's first working day, last month's report."""
    queued = await _notifier(ctx).queue_month_report(now or ctx.core.clock())
    return await _queued(ctx, queued, "monthly report messages")
