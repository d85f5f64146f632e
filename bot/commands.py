"""The command lists shown in Telegram's menu, per language and per place (setMyCommands).

Private chats show the drivers' commands; an admin's private chat adds the admin ones. Groups
show only /help: every personal command is refused there. The admins' group shows the admin
commands, the work done there.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeChat
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


HELP = ("help", N_("What the bot can do"))
GROUP_COMMANDS = (HELP,)
Items = tuple[tuple[str, str], ...]
Scope = BotCommandScopeChat | BotCommandScopeAllGroupChats | None


def command_list(i18n: I18n, locale: str, admin: bool = False) -> list[BotCommand]:
    return _commands(i18n, locale, USER_COMMANDS + (ADMIN_COMMANDS if admin else ()))


def _commands(i18n: I18n, locale: str, items: Items) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=i18n.gettext(desc, locale=locale))
        for name, desc in items
    ]


async def _set_items(bot: Bot, i18n: I18n, items: Items, scope: Scope = None) -> None:
    # No language_code: the list for clients whose language has no own list. A chat scope
    # beats the default scope whatever its language, so it needs every language too.
    await bot.set_my_commands(_commands(i18n, i18n.default_locale, items), scope=scope)
    for locale in i18n.available_locales:
        await bot.set_my_commands(_commands(i18n, locale, items), scope=scope, language_code=locale)


async def _set_lists(bot: Bot, i18n: I18n, admin: bool, scope: Scope = None) -> None:
    await _set_items(bot, i18n, USER_COMMANDS + (ADMIN_COMMANDS if admin else ()), scope)


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


async def set_commands(
    bot: Bot, i18n: I18n, admin_ids: frozenset[int], admin_chat_id: int | None = None
) -> None:
    await _set_lists(bot, i18n, admin=False)
    await _set_items(bot, i18n, GROUP_COMMANDS, BotCommandScopeAllGroupChats())
    if admin_chat_id is not None:
        scope = BotCommandScopeChat(chat_id=admin_chat_id)
        try:
            await _set_items(bot, i18n, (*ADMIN_COMMANDS, HELP), scope)
        except TelegramAPIError as exc:  # e.g. the bot is not (yet) a member of that group
            log.warning("admin group commands not set for %s: %s", admin_chat_id, exc)
    for admin_id in admin_ids:
        await set_admin_commands(bot, i18n, admin_id, admin=True)
