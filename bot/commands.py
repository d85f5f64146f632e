"""The command lists shown in Telegram's menu, per language (setMyCommands)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat
from aiogram.utils.i18n import I18n

from bot.i18n import N_

log = logging.getLogger(__name__)

USER_COMMANDS = (
    ("start", N_("Start, or show the menu")),
    ("nearest", N_("Nearest driver stations")),
    ("book", N_("Book a free checkup")),
    ("mybookings", N_("Your checkup bookings")),
    ("profile", N_("Your details")),
    ("language", N_("中文 / English")),
    ("cancel", N_("Leave the current step")),
    ("mydata", N_("Download your data")),
    ("deleteme", N_("Erase your data")),
    ("help", N_("What the bot can do")),
)
ADMIN_COMMANDS = (
    ("stats", N_("User numbers")),
    ("setrole", N_("Change a user's role")),
    ("station_close", N_("Mark a station temporarily closed")),
    ("station_open", N_("Reopen a station")),
    ("bookings_today", N_("Checkup bookings of a day")),
    ("checkin", N_("Mark a checkup attended or a no-show")),
    ("close_day", N_("Close a checkup provider for a day")),
)


def command_list(i18n: I18n, locale: str, admin: bool = False) -> list[BotCommand]:
    items = USER_COMMANDS + (ADMIN_COMMANDS if admin else ())
    return [
        BotCommand(command=name, description=i18n.gettext(desc, locale=locale))
        for name, desc in items
    ]


async def _set_lists(
    bot: Bot, i18n: I18n, admin: bool, scope: BotCommandScopeChat | None = None
) -> None:
    # No language_code: the list for clients whose language has no own list. A chat scope
    # beats the default scope whatever its language, so it needs every language too.
    await bot.set_my_commands(command_list(i18n, i18n.default_locale, admin), scope=scope)
    for locale in i18n.available_locales:
        await bot.set_my_commands(
            command_list(i18n, locale, admin), scope=scope, language_code=locale
        )


async def set_admin_commands(bot: Bot, i18n: I18n, chat_id: int, admin: bool) -> None:
    """Give an admin's private chat the admin commands, or take them away."""
    scope = BotCommandScopeChat(chat_id=chat_id)
    try:
        if admin:
            await _set_lists(bot, i18n, True, scope)
        else:
            await bot.delete_my_commands(scope=scope)
            for locale in i18n.available_locales:
                await bot.delete_my_commands(scope=scope, language_code=locale)
    except TelegramAPIError as exc:  # e.g. the user has not opened a chat with the bot yet
        log.info("admin commands not updated for %s: %s", chat_id, exc)


async def set_commands(bot: Bot, i18n: I18n, admin_ids: frozenset[int]) -> None:
    await _set_lists(bot, i18n, admin=False)
    for admin_id in admin_ids:
        await set_admin_commands(bot, i18n, admin_id, admin=True)
