"""Free text's upkeep: the matcher follows FAQ imports made by another process, and the
texts not understood are kept for KEEP_DAYS only."""

from __future__ import annotations

from typing import cast

from bot.feature import JobContext
from bot.services.intents.kit import IntentsKit
from bot.services.intents.misses import Misses


async def refresh_matcher(ctx: JobContext) -> None:
    await cast(IntentsKit, ctx.kits["intents"]).reader.refresh()


async def prune_misses(ctx: JobContext) -> int:
    async with ctx.core.session_factory() as session:
        pruned = await Misses(session).prune(ctx.core.clock())
        await session.commit()
    return pruned
