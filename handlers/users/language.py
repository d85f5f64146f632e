"""/language: switch between 中文 and English (works before consent too)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import SUPPORTED_LANGUAGES
from bot.i18n import LANGUAGE_NAMES
from bot.locale_cache import LocaleCache
from bot.services.users.profiles import UserProfile, UserService
from handlers.common.editing import edit_in_place
from handlers.common.filters import private_only
from handlers.common.menu import main_menu_kb


class LangCb(CallbackData, prefix="lang"):
    code: str


def language_kb() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code in SUPPORTED_LANGUAGES:
        kb.button(text=LANGUAGE_NAMES[code], callback_data=LangCb(code=code))
    return kb.as_markup()


async def ask_language(message: Message) -> None:
    await message.answer(_("Choose your language:"), reply_markup=language_kb())


async def language_command(message: Message) -> None:
    await ask_language(message)


async def language_chosen(
    query: CallbackQuery,
    callback_data: LangCb,
    user: UserProfile,
    users: UserService,
    i18n: I18n,
    locales: LocaleCache,
) -> None:
    if callback_data.code not in SUPPORTED_LANGUAGES:
        await query.answer(_("This button is no longer valid."))
        return
    user = await users.set_language(user.id, callback_data.code)
    locales.set(query.from_user.id, user.language)
    with i18n.use_locale(user.language):
        await query.answer()
        if isinstance(query.message, Message):
            await edit_in_place(query.message, _("Language: English"))
            if user.consented:
                # Reply keyboards cannot be edited: send the menu again in the new language.
                await query.message.answer(_("Here is your menu."), reply_markup=main_menu_kb())
            else:
                await query.message.answer(_("Send /start to continue."))


def create_router() -> Router:
    router = Router(name="language")
    private_only(router)
    router.message.register(language_command, Command("language"))
    router.callback_query.register(language_chosen, LangCb.filter())
    return router
