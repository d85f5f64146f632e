"""Keeping the station index in step with the table."""

from __future__ import annotations

from typing import cast

from bot.feature import JobContext
from bot.services.stations.kit import StationsKit


async def refresh_station_index(ctx: JobContext) -> bool:
    """Another process (the import CLI, another worker) may have changed the stations."""
    return await cast(StationsKit, ctx.kits["stations"]).catalog.refresh()
