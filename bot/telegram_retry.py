"""Retry a Bot API call that Telegram rate-limited for a short while (429 retry_after).

Without it a brief flood-wait fails the whole update: its changes roll back and the user sees
an error that is itself likely to be rate-limited. Long waits are not retried: the update fails
as before, rather than holding a worker for minutes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod

log = logging.getLogger(__name__)


class RetryAfterMiddleware(BaseRequestMiddleware):
    def __init__(self, max_wait: float = 5.0, attempts: int = 2) -> None:
        self.max_wait, self.attempts = max_wait, attempts

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Any:
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == self.attempts or exc.retry_after > self.max_wait:
                    raise
                log.info("%s rate-limited; retrying in %ss", type(method).__name__, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
        raise AssertionError("unreachable")
