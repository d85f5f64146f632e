"""/help and /cancel: available everywhere, in any state, before consent too."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot, Router
from aiogram.filters import Command, Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.feature import Feature, commands, menu_buttons
from bot.services.users.profiles import UserProfile
from handlers.common.filters import IsPrivate
from handlers.common.menu import main_menu_kb


def help_text(user: UserProfile | None, features: Sequence[Feature]) -> str:
    """The menu and the commands, each as its feature describes it; admins see theirs too."""
    lines = [_("<b>WarmDrive</b> helps drivers on the road."), "", _("<b>Menu</b>")]
    lines += [_(button.help) for button in menu_buttons(features)]
    lines += [
        _(
            "💬 Or just type what you need: “where can I shower”, “complain about unpaid "
            "freight”, “work injury claim”."
        )
    ]
    lines += ["", _("<b>Commands</b>")]
    lines += [_(c.help) for c in commands(features, admin=False) if c.help]
    if user is not None and user.is_admin:
        lines += ["", _("<b>Admin</b>")]
        lines += [_(c.help) for c in commands(features, admin=True) if c.help]
    return "\n".join(lines)


async def help_command(
    message: Message, user: UserProfile | None, features: Sequence[Feature]
) -> None:
    await message.answer(help_text(user, features))


class PersonalCommand(Filter):
    """A command about the user's own data (its feature says so): never answered in a group."""

    def __init__(self) -> None:
        self._names: frozenset[str] | None = None

    async def __call__(self, message: Message, features: Sequence[Feature]) -> bool:
        if self._names is None:
            self._names = frozenset(c.name for c in commands(features) if c.personal)
        text = message.text or ""
        if not text.startswith("/"):
            return False
        name = text[1:].split(maxsplit=1)[0].split("@", 1)[0] if len(text) > 1 else ""
        return name.lower() in self._names


async def personal_in_group(message: Message, bot: Bot) -> None:
    me = await bot.me()
    kb = InlineKeyboardBuilder()
    kb.button(text=_("💬 Open a private chat"), url=f"https://t.me/{me.username}")
    await message.reply(
        _("To keep your details private, please use this in a private chat with me."),
        reply_markup=kb.as_markup(),
    )


async def cancel_command(message: Message, state: FSMContext, user: UserProfile | None) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    if user is not None and user.consented:
        text = _("Cancelled. Back to the menu.") if had_state else _("Nothing to cancel.")
        await message.answer(text, reply_markup=main_menu_kb())
    else:
        text = _("Cancelled.") if had_state else _("Nothing to cancel.")
        await message.answer(text, reply_markup=ReplyKeyboardRemove())


def create_router() -> Router:
    router = Router(name="basic")
    router.message.register(personal_in_group, ~IsPrivate(), PersonalCommand())
    router.message.register(help_command, Command("help"))
    router.message.register(cancel_command, Command("cancel"))
    return router
