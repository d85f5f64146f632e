"""The stations feature's process-wide part (the index) and its services for one update."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import BaseKit, Core
from bot.services.stations.service import StationCatalog, StationService


@dataclass(frozen=True, slots=True)
class StationServices:
    """What station handlers get for one update (injected as `stations`)."""

    service: StationService
    catalog: StationCatalog


class StationsKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.catalog = StationCatalog(core.session_factory)

    def for_update(self, session: AsyncSession) -> StationServices:
        return StationServices(StationService(session, self.catalog), self.catalog)

    async def start(self) -> None:
        await self.catalog.refresh()
