"""The global error handler: log with context, apologise in the user's language."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot, Router
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import ErrorEvent, User
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.locale_cache import LocaleCache
from bot.services.users.profile_cache import ProfileCache
from bot.short_transactions import mark_blocked
from bot.update_calls import was_answered

log = logging.getLogger("warmdrive.errors")


async def on_error(
    event: ErrorEvent,
    bot: Bot,
    i18n: I18n,
    locales: LocaleCache,
    session_factory: async_sessionmaker[AsyncSession],
    profiles: ProfileCache | None,
    event_from_user: User | None = None,
) -> bool:
    update, exc = event.update, event.exception
    user_id = event_from_user.id if event_from_user else None
    failed_chat = getattr(getattr(exc, "method", None), "chat_id", None)
    if isinstance(exc, TelegramForbiddenError) and user_id is not None and failed_chat == user_id:
        # A 403 for the user's own private chat: they blocked the bot. (A 403 from a group
        # says nothing about this user.)
        log.info("user %s has blocked the bot (update %s)", user_id, update.update_id)
        await mark_blocked(session_factory, profiles, user_id)
        return True
    if isinstance(exc, TelegramRetryAfter | TelegramServerError | TelegramNetworkError):
        # Telegram itself is busy or unreachable (after the retries): not a bug of ours,
        # and an apology would meet the same wall.
        log.warning(
            "update %s (%s) from user %s not handled, Telegram unavailable: %r",
            update.update_id, update.event_type, user_id, exc,
        )  # fmt: skip
        query = update.callback_query
        if query is not None and not was_answered(query.id):
            with contextlib.suppress(TelegramAPIError):  # at least stop the spinner, if it can
                await bot.answer_callback_query(query.id)
        return True
    log.error(
        "update %s (%s) from user %s failed: %r",
        update.update_id,
        update.event_type,
        user_id,
        exc,
        exc_info=exc,
    )
    if event_from_user is None:
        return True
    text = i18n.gettext(
        "Sorry, something went wrong on our side. Please try again in a moment.",
        locale=locales.get(event_from_user.id, event_from_user.language_code),
    )
    query = update.callback_query
    try:
        if query is not None and not was_answered(query.id):
            await bot.answer_callback_query(query.id, text=text, show_alert=True)
        elif query is not None:  # answered already: a second answer would not be shown
            if query.message is not None and query.message.chat.type == "private":
                await bot.send_message(query.message.chat.id, text)
        elif update.message is not None:
            await bot.send_message(update.message.chat.id, text)
    except TelegramAPIError as send_exc:
        log.warning("could not tell user %s about the error: %r", user_id, send_exc)
    return True


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
