"""One transaction per update, and the durable record that the update was handled.

An update that wrote is recorded inside its own transaction: effects and record land together
or not at all, so a redelivery after a failure is handled afresh and one after success is not.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.after_commit import take_after_commit
from bot.db.write_tracking import session_wrote
from bot.middlewares.ledger import UpdateLedger
from bot.update_calls import mark_duplicate

log = logging.getLogger(__name__)


class DbSessionMiddleware(BaseMiddleware):
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], ledger: UpdateLedger
    ) -> None:
        self.session_factory = session_factory
        self.ledger = ledger

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        key = (data["bot"].id, event.update_id)
        async with self.session_factory() as session:
            if await self.ledger.seen(key, session):
                log.info("duplicate update %s dropped (ledger)", event.update_id)
                mark_duplicate()
                return None
            data["session"] = session
            try:
                result = await handler(event, data)
                if not (session.in_transaction() or session.new or session.dirty):
                    self.ledger.record_later(key)  # touched no table: nothing to commit
                elif await session_wrote(session):
                    if not await self.ledger.claim_in(session, key):
                        # Another worker finished the same update first: keep its effects only.
                        log.info("duplicate update %s rolled back", event.update_id)
                        await session.rollback()
                        mark_duplicate()
                        return None
                    await session.commit()
                    self.ledger.committed(key)
                else:
                    await session.commit()  # ends the read transaction, if any
                    self.ledger.record_later(key)
            except BaseException:
                take_after_commit(session)
                await session.rollback()
                raise
        # The effect has landed: whatever fails from here on must not bring an apology for
        # "something went wrong", which would be false; each step is tried and logged.
        for callback in take_after_commit(session):
            try:
                await callback()
            except TelegramAPIError as exc:  # refused even after retries: stays unshown
                log.warning("update %s done, but showing it failed: %r", event.update_id, exc)
            except Exception:
                log.exception("update %s done, but a step after its commit failed", event.update_id)
        return result
