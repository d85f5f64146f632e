"""Forgetting handled updates once Telegram can no longer redeliver them."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.db.types import utcnow
from bot.db.updates.repository import ProcessedUpdateRepository
from bot.feature import JobContext

log = logging.getLogger(__name__)

# Telegram keeps an unconfirmed update for 24 hours; a week is a safe margin for redeliveries.
PROCESSED_UPDATES_KEEP = timedelta(days=7)


async def prune_processed_updates(ctx: JobContext) -> int:
    async with ctx.core.session_factory() as session:
        removed = await ProcessedUpdateRepository(session).prune_before(
            utcnow() - PROCESSED_UPDATES_KEEP
        )
        await session.commit()
    if removed:
        log.info("pruned %d processed-update records", removed)
    return removed
