"""Drop an update this process has already handled, before any other work (memory only).

The full check, including records from before a restart or from other workers, runs in
DbSessionMiddleware through the same UpdateLedger.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.middlewares.ledger import UpdateLedger

log = logging.getLogger(__name__)


class DedupeMiddleware(BaseMiddleware):
    def __init__(self, ledger: UpdateLedger) -> None:
        self.ledger = ledger

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        if self.ledger.seen_in_memory((data["bot"].id, event.update_id)):
            log.info("duplicate update %s dropped (memory)", event.update_id)
            return None
        return await handler(event, data)
