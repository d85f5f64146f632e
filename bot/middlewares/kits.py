"""Each feature's services for the update, built in one place from its kit and injected as a
typed object under the feature's name (e.g. `checkups: CheckupServices`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from bot.feature import Kit


class KitsMiddleware(BaseMiddleware):
    def __init__(self, kits: dict[str, Kit]) -> None:
        self.kits = kits

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        session = data["session"]
        for name, kit in self.kits.items():
            data[name] = kit.for_update(session)
        return await handler(event, data)
