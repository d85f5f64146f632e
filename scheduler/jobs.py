"""Scheduled jobs: each asks a repository or service for due work and does it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.repositories.processed_updates import ProcessedUpdateRepository
from bot.db.types import utcnow
from bot.services.checkup_catalog import extend_slots

log = logging.getLogger(__name__)

# Telegram keeps an unconfirmed update for 24 hours; a week is a safe margin for redeliveries.
PROCESSED_UPDATES_KEEP = timedelta(days=7)


async def prune_processed_updates(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        removed = await ProcessedUpdateRepository(session).prune_before(
            utcnow() - PROCESSED_UPDATES_KEEP
        )
        await session.commit()
    if removed:
        log.info("pruned %d processed-update records", removed)
    return removed


async def extend_checkup_slots(
    session_factory: async_sessionmaker[AsyncSession], timezone: str
) -> int:
    """Daily: the next day of every slot template becomes bookable."""
    tz = ZoneInfo(timezone)
    return await extend_slots(session_factory, datetime.now(tz).date(), tz)
