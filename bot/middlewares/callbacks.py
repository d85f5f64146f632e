"""Every callback query gets exactly one answer, whatever the handler did.

Outside the session middleware: after-commit callbacks (which often answer with "Booked!")
have run by the time this looks. A failed update is answered by the error handler instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update

from bot.update_calls import begin_update

log = logging.getLogger(__name__)


class AnswerEveryCallback(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        calls = begin_update()
        result = await handler(event, data)
        query = event.callback_query
        if query is not None and not calls.duplicate and query.id not in calls.answered:
            try:  # an unanswered query keeps the button spinning on the user's phone
                await data["bot"].answer_callback_query(query.id)
            except TelegramAPIError as exc:
                log.info("callback query %s not answered: %s", query.id, exc)
        return result
