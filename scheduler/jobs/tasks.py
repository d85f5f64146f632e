"""Volunteer tasks: reminders to the people holding a place (the day before and 2 h before),
and the cards whose redraw failed or whose first post has just gone out. The work is the
feature's kit's (`ctx.kits["tasks"]`): the scheduler never imports handlers."""

from __future__ import annotations

from typing import Any, Protocol, cast

from bot.feature import JobContext


class _Kit(Protocol):
    async def remind(self) -> int: ...

    async def redraw_cards(self, bot: Any) -> int: ...


def _kit(ctx: JobContext) -> _Kit:
    return cast(_Kit, ctx.kits["tasks"])


async def remind(ctx: JobContext) -> int:
    """Every minute: the reminders that fell due, each queued once."""
    return await _kit(ctx).remind()


async def redraw_cards(ctx: JobContext) -> int:
    """Every 30 s: a card that is behind its task."""
    return await _kit(ctx).redraw_cards(ctx.bot)
