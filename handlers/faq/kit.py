"""The FAQ feature's process-wide part (loading the shipped FAQ into an empty table at start)
and its services for one update."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import BaseKit, Core
from bot.services.faq.library import load_shipped_if_empty
from bot.services.faq.service import FaqService

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FaqServices:
    """What FAQ handlers get for one update (injected as `faq`)."""

    service: FaqService
    session: AsyncSession


class FaqKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.core = core

    def for_update(self, session: AsyncSession) -> FaqServices:
        return FaqServices(FaqService(session), session)

    async def start(self) -> None:
        """A fresh install, and the offline sandbox, get the FAQ shipped with the bot."""
        async with self.core.session_factory() as session:
            try:
                counts = await load_shipped_if_empty(session, self.core.clock())
                await session.commit()
            except IntegrityError:  # another worker starting at the same time loaded it
                await session.rollback()
                log.info("the shipped FAQ was loaded by another process")
                return
        if counts is not None:
            log.info("loaded the shipped FAQ: %d entries", counts.entries)
