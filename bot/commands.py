"""The command lists shown in Telegram's menu, per language and per place (setMyCommands),
from the commands the features declare.

Private chats show the drivers' commands; an admin's private chat adds the admin ones. Groups
show only the commands that are not about one's own data (/help): the others are refused
there. The admins' group shows the admin commands, the work done there.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeChat
from aiogram.utils.i18n import I18n

from bot.feature import Command, Feature, commands

log = logging.getLogger(__name__)

Scope = BotCommandScopeChat | BotCommandScopeAllGroupChats | None


class CommandMenus:
    def __init__(self, i18n: I18n, features: Sequence[Feature]) -> None:
        self.i18n = i18n
        self.user = commands(features, admin=False)
        self.admin = commands(features, admin=True)
        self.group = [c for c in self.user if not c.personal]

    def command_list(self, locale: str, admin: bool = False) -> list[BotCommand]:
        return self._bot_commands(locale, self.user + (self.admin if admin else []))

    def _bot_commands(self, locale: str, items: Sequence[Command]) -> list[BotCommand]:
        return [
            BotCommand(command=c.name, description=self.i18n.gettext(c.description, locale=locale))
            for c in items
        ]

    async def _set(self, bot: Bot, items: Sequence[Command], scope: Scope = None) -> None:
        # No language_code: the list for clients whose language has no own list. A chat scope
        # beats the default scope whatever its language, so it needs every language too.
        i18n = self.i18n
        await bot.set_my_commands(self._bot_commands(i18n.default_locale, items), scope=scope)
        for locale in i18n.available_locales:
            await bot.set_my_commands(
                self._bot_commands(locale, items), scope=scope, language_code=locale
            )

    async def set_admin(self, bot: Bot, chat_id: int, admin: bool) -> None:
        """Give an admin's private chat the admin commands, or take them away."""
        scope = BotCommandScopeChat(chat_id=chat_id)
        try:
            if admin:
                await self._set(bot, self.user + self.admin, scope)
            else:
                await bot.delete_my_commands(scope=scope)
                for locale in self.i18n.available_locales:
                    await bot.delete_my_commands(scope=scope, language_code=locale)
        except TelegramAPIError as exc:  # e.g. the user has not opened a chat with the bot yet
            log.info("admin commands not updated for %s: %s", chat_id, exc)

    async def set_all(
        self, bot: Bot, admin_ids: frozenset[int], admin_chat_id: int | None = None
    ) -> None:
        await self._set(bot, self.user)
        await self._set(bot, self.group, BotCommandScopeAllGroupChats())
        if admin_chat_id is not None:
            scope = BotCommandScopeChat(chat_id=admin_chat_id)
            try:
                await self._set(bot, self.admin + self.group, scope)
            except TelegramAPIError as exc:  # e.g. the bot is not (yet) a member of that group
                log.warning("admin group commands not set for %s: %s", admin_chat_id, exc)
        for admin_id in admin_ids:
            await self.set_admin(bot, admin_id, admin=True)
