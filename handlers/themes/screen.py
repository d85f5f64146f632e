"""📅 This month: the month's theme and activities on one message, ◀ ▶ to other months."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.db.types import Clock
from bot.services.users.profiles import UserProfile
from handlers.common.editing import edit_in_place
from handlers.common.filters import private_only
from handlers.themes.callbacks import MonthCb
from handlers.themes.kit import ThemeServices
from handlers.themes.texts import screen_kb, screen_text
from knowledge.themes.programme import is_month, month_key


async def show_this_month(
    message: Message, state: FSMContext, user: UserProfile, themes: ThemeServices, clock: Clock
) -> None:
    """The menu button and /month."""
    await state.clear()  # a menu tap leaves any flow
    today = clock().astimezone(themes.tz).date()
    month = month_key(today)
    screen = await themes.browser.month(month, month, user.city, today)
    await message.answer(screen_text(screen, user.city), reply_markup=screen_kb(screen))


async def turn(
    query: CallbackQuery,
    callback_data: MonthCb,
    user: UserProfile,
    themes: ThemeServices,
    clock: Clock,
) -> None:
    """◀ ▶, back to this month, and a notice's 📅 button: the month shown in place."""
    message = query.message
    if not isinstance(message, Message) or not is_month(callback_data.m):
        await query.answer(_("This button is no longer valid."))
        return
    today = clock().astimezone(themes.tz).date()
    screen = await themes.browser.month(callback_data.m, month_key(today), user.city, today)
    await query.answer()
    await edit_in_place(message, screen_text(screen, user.city), screen_kb(screen))


def create_router() -> Router:
    router = Router(name="themes")
    private_only(router)
    router.message.register(show_this_month, Command("month"))
    router.callback_query.register(turn, MonthCb.filter())
    return router
