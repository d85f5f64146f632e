"""Points: last month's summary for the admins' group. The work is the feature's kit's
(`ctx.kits["points"]`): the scheduler never imports handlers."""

from __future__ import annotations

from typing import Protocol, cast

from bot.feature import JobContext


class _Kit(Protocol):
    async def queue_month_summary(self) -> int: ...


async def month_summary(ctx: JobContext) -> int:
    """Daily: once a month has ended, its summary is queued, once."""
    return await cast(_Kit, ctx.kits["points"]).queue_month_summary()
