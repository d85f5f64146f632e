"""Async filters. aiogram runs synchronous filters (incl. `F.text == ...`) in a thread, ~110 µs
each, so every filter here is an aiogram `Filter` with an async `__call__`."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, ContentType, Message, TelegramObject
from aiogram.utils.i18n import I18n

from bot.i18n import N_
from bot.services.users.profiles import UserProfile

__all__ = [
    "N_",
    "Button",
    "Consented",
    "ContentIs",
    "IsAdmin",
    "IsCommand",
    "IsPrivate",
    "NotConsented",
]


class Button(Filter):
    """A reply-keyboard button by its msgid, in any language: one set lookup per check."""

    def __init__(self, *msgids: str) -> None:
        self.msgids = msgids
        self._texts: dict[str, str] | None = None

    def _build(self, i18n: I18n) -> dict[str, str]:
        texts: dict[str, str] = {}
        for msgid in self.msgids:
            texts[msgid] = msgid
            for locale in i18n.available_locales:
                texts[i18n.gettext(msgid, locale=locale)] = msgid
        return texts

    async def __call__(self, message: Message, i18n: I18n) -> bool | dict[str, Any]:
        if message.text is None:
            return False
        if self._texts is None:
            self._texts = self._build(i18n)
        msgid = self._texts.get(message.text)
        return False if msgid is None else {"button": msgid}


class ContentIs(Filter):
    def __init__(self, *types: ContentType) -> None:
        self.types = frozenset(types)

    async def __call__(self, message: Message) -> bool:
        return message.content_type in self.types


class IsCommand(Filter):
    """A "/command" text: routed to commands, never read as an answer to a question."""

    async def __call__(self, message: Message) -> bool:
        text = message.text
        return text is not None and text.startswith("/")


class IsAdmin(Filter):
    async def __call__(self, event: TelegramObject, user: UserProfile | None = None) -> bool:
        return user is not None and user.is_admin


class NotConsented(Filter):
    """No agreed user behind the update (also anonymous group admins, channel posts)."""

    async def __call__(self, event: TelegramObject, user: UserProfile | None = None) -> bool:
        return user is None or not user.consented


class Consented(Filter):
    async def __call__(self, event: TelegramObject, user: UserProfile | None = None) -> bool:
        return user is not None and user.consented


class IsPrivate(Filter):
    async def __call__(self, event: Message | CallbackQuery) -> bool:
        message = event.message if isinstance(event, CallbackQuery) else event
        return message is not None and message.chat.type == "private"


def private_only(router: Router) -> None:
    """Personal features stay in the private chat: nothing of a driver's shows in a group."""
    router.message.filter(IsPrivate())
    router.callback_query.filter(IsPrivate())
