"""What the bot did on Telegram while handling the current update: the callback queries it
answered and the messages it edited or deleted. Kept per update in a context variable, which
the handler, the after-commit callbacks and the error handler all share (one task).

It lets the dispatcher answer every callback query exactly once (an unanswered one keeps the
button spinning; a second answer is refused by Telegram), and close a flow's message that the
handler left behind without touching it.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    TelegramMethod,
)

log = logging.getLogger(__name__)

QUERY_TOO_OLD = "query is too old"
_TOUCHING = (EditMessageText, EditMessageReplyMarkup, EditMessageCaption, DeleteMessage)


@dataclass
class UpdateCalls:
    answered: set[str] = field(default_factory=set)
    touched: set[tuple[int, int]] = field(default_factory=set)  # (chat id, message id)
    duplicate: bool = False  # dropped as already handled: its query was answered back then


_current: ContextVar[UpdateCalls | None] = ContextVar("warmdrive_update_calls", default=None)


def begin_update() -> UpdateCalls:
    """A fresh record for the update about to be handled (in this task and its callees)."""
    calls = UpdateCalls()
    _current.set(calls)
    return calls


def current() -> UpdateCalls | None:
    return _current.get()


def mark_duplicate() -> None:
    calls = _current.get()
    if calls is not None:
        calls.duplicate = True


def was_answered(query_id: str) -> bool:
    calls = _current.get()
    return calls is not None and query_id in calls.answered


class UpdateCallsRecorder(BaseRequestMiddleware):
    """Records answers, edits and deletions; an answer Telegram no longer takes (the query
    is too old after a backlog, or already answered) is dropped quietly, since the user cannot
    see it anyway and the rest of the handler (an edit, a new message) must still run."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Any:
        calls = _current.get()
        result: Any  # the method's result (aiogram annotates the chain as a Response)
        if isinstance(method, AnswerCallbackQuery):
            try:
                result = await make_request(bot, method)
            except TelegramBadRequest as exc:
                if QUERY_TOO_OLD not in exc.message:
                    raise
                log.info("callback query %s not answered: %s", method.callback_query_id, exc)
                result = True
            if calls is not None:
                calls.answered.add(method.callback_query_id)
            return result
        result = await make_request(bot, method)
        if calls is not None and isinstance(method, _TOUCHING):
            chat_id, message_id = method.chat_id, method.message_id
            if isinstance(chat_id, int) and isinstance(message_id, int):
                calls.touched.add((chat_id, message_id))
        return result
