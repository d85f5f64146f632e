"""/help and /cancel: available everywhere, in any state, before consent too."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.users.profiles import UserProfile
from handlers.common.filters import IsPrivate
from handlers.common.menu import main_menu_kb


def help_text(user: UserProfile | None) -> str:
    text = _(
        "<b>WarmDrive</b> helps drivers on the road.\n\n"
        "<b>Menu</b>\n"
        "📍 Nearby stations: the nearest driver home or station that is open now\n"
        "🩺 Checkup booking: book a free health checkup in a time slot\n"
        "📝 File a complaint: we follow it up until it is solved\n"
        "📸 Snap report: report a road hazard with a photo and location\n"
        "⭐ My points: points earned by volunteering, and the points shop\n"
        "📅 This month: the theme and activities of the month\n\n"
        "<b>Commands</b>\n"
        "/start: start, or show the menu\n"
        "/nearest: the nearest driver stations\n"
        "/book: book a free checkup\n"
        "/mybookings: your checkups: cancel or move them\n"
        "/profile: your details\n"
        "/language: 中文 / English\n"
        "/cancel: leave the current step\n"
        "/mydata: download the data we hold about you\n"
        "/deleteme: erase your data\n"
        "/help: this message"
    )
    if user is not None and user.is_admin:
        text += "\n\n" + _(
            "<b>Admin</b>\n"
            "/stats: user numbers\n"
            "/setrole ID ROLE: make a user a driver, volunteer or admin\n"
            "/station_close NAME, /station_open NAME: mark a station temporarily closed or "
            "open (a part of its name, or its id)\n"
            "/bookings_today [DATE]: the checkup bookings of a day, with check-in buttons\n"
            "/checkin CODE [noshow]: mark a checkup attended or a no-show\n"
            "/close_day PROVIDER DATE [reason]: close a provider's day and tell its drivers"
        )
    return text


async def help_command(message: Message, user: UserProfile | None) -> None:
    await message.answer(help_text(user))


# Commands that show or change a driver's own data: never answered inside a group.
PERSONAL_COMMANDS = (
    "start", "cancel", "profile", "language", "mydata", "deleteme", "nearest", "book",
    "mybookings",
)  # fmt: skip


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
    router.message.register(personal_in_group, ~IsPrivate(), Command(*PERSONAL_COMMANDS))
    router.message.register(help_command, Command("help"))
    router.message.register(cancel_command, Command("cancel"))
    return router
