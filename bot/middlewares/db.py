"""One transaction per update, plus the durable duplicate check.

The update id is recorded in the same transaction as the handler's effects: if the handler
fails, neither lands and a redelivery is handled afresh; if it succeeded, a redelivery (even
after a restart) is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ProcessedUpdate
from bot.db.repositories.processed_updates import ProcessedUpdateRepository
from bot.db.types import utcnow

log = logging.getLogger(__name__)


class DbSessionMiddleware(BaseMiddleware):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        bot_id = data["bot"].id
        async with self.session_factory() as session:
            # A read, so no write lock is held while the handler talks to Telegram.
            seen = await session.scalar(
                select(ProcessedUpdate.update_id).where(
                    ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.update_id == event.update_id
                )
            )
            if seen is not None:
                log.info("duplicate update %s dropped (database)", event.update_id)
                return None
            data["session"] = session
            try:
                result = await handler(event, data)
                claimed = await ProcessedUpdateRepository(session).claim(
                    bot_id, event.update_id, utcnow()
                )
                if not claimed:  # another worker finished the same update meanwhile
                    await session.rollback()
                    return None
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            return result
