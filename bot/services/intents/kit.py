"""The free-text feature's process-wide part (the reader) and its services for one update."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import BaseKit, Core
from bot.services.intents.misses import Misses
from bot.services.intents.reader import IntentReader


@dataclass(frozen=True, slots=True)
class IntentServices:
    """What the free-text handlers get for one update (injected as `intents`)."""

    reader: IntentReader
    misses: Misses
    session: AsyncSession


class IntentsKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.core = core
        self.reader = IntentReader(core.session_factory)

    def for_update(self, session: AsyncSession) -> IntentServices:
        return IntentServices(self.reader, Misses(session), session)

    async def start(self) -> None:
        await self.reader.refresh()  # the first free text need not wait for the build
