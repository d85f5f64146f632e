"""Drop an update already seen by this process (fast path, before any other work).

The durable check that survives a restart lives in DbSessionMiddleware, inside the update's own
transaction, so an update is recorded as handled only if its effects were committed.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

log = logging.getLogger(__name__)


class DedupeMiddleware(BaseMiddleware):
    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[tuple[int, int], None] = OrderedDict()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        key = (data["bot"].id, event.update_id)
        if key in self._seen:
            log.info("duplicate update %s dropped (memory)", event.update_id)
            return None
        self._seen[key] = None
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return await handler(event, data)
