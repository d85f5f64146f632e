"""Snap reports: redraw the cards that are behind their reports, ask "still a problem?" four
weeks after handled, and delete photo files no report names any more. The work is the
feature's kit's (`ctx.kits["snaps"]`): the scheduler never imports handlers."""

from __future__ import annotations

from typing import Any, Protocol, cast

from bot.feature import JobContext


class _Kit(Protocol):
    async def redraw_cards(self, bot: Any) -> int: ...

    async def ask_followups(self) -> int: ...

    async def sweep_files(self) -> int: ...


def _kit(ctx: JobContext) -> _Kit:
    return cast(_Kit, ctx.kits["snaps"])


async def redraw_cards(ctx: JobContext) -> int:
    """Every 30 s: a card whose edit failed, or whose first post has just gone out."""
    return await _kit(ctx).redraw_cards(ctx.bot)


async def followups(ctx: JobContext) -> int:
    """Hourly: the reporters whose handled reports are four weeks old are asked."""
    return await _kit(ctx).ask_followups()


async def sweep_files(ctx: JobContext) -> int:
    """Hourly: staged photos of forms never sent, and photos of erased data, are deleted."""
    return await _kit(ctx).sweep_files()
