"""/start: welcome, the privacy notice and consent; the gate for users who have not agreed."""

from __future__ import annotations

from typing import Literal

from aiogram import Router
from aiogram.filters import CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.users import UserProfile, UserService, full_name
from handlers.filters import IsPrivate, NotConsented, private_only
from handlers.menu import main_menu_kb
from handlers.onboarding import ask_occupation
from handlers.texts import q


class ConsentCb(CallbackData, prefix="consent"):
    action: Literal["agree", "decline", "lang"]


def consent_text(name: str) -> str:
    welcome = _(
        "👋 Welcome to WarmDrive, {name}!\n\n"
        "Between jobs, a few taps find you the nearest driver home or station that is open, "
        "book a free health checkup, file a complaint, report a road hazard, "
        "and earn points by volunteering."
    ).format(name=q(name or _("driver")))
    notice = _(
        "<b>Before we start: what we store and why</b>\n"
        "• your Telegram id, name and language, to talk to you;\n"
        "• your occupation and city, to show nearby stations and local activities;\n"
        "• your phone number, only if you share it, so a station or case handler can call "
        "you back;\n"
        "• what you send in the features you use (bookings, complaints, reports).\n\n"
        "Your data stays within the programme. /mydata shows everything we hold, "
        "/deleteme erases it.\n\n"
        "Do you agree?"
    )
    return f"{welcome}\n\n{notice}"


def consent_kb() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("✅ I agree"), callback_data=ConsentCb(action="agree"))
    kb.button(text=_("❌ No, thanks"), callback_data=ConsentCb(action="decline"))
    kb.button(text=_("🌐 English"), callback_data=ConsentCb(action="lang"))
    kb.adjust(2, 1)
    return kb.as_markup()


async def start(message: Message, state: FSMContext, user: UserProfile) -> None:
    await state.clear()
    if not user.consented:
        name = message.from_user.first_name if message.from_user else ""
        await message.answer(consent_text(name), reply_markup=consent_kb())
    elif not user.onboarded:
        await ask_occupation(message, state)
    else:
        await message.answer(
            _("Welcome back, {name}! What do you need today?").format(
                name=q(user.display_name or _("driver"))
            ),
            reply_markup=main_menu_kb(),
        )


async def consent_choice(
    query: CallbackQuery,
    callback_data: ConsentCb,
    state: FSMContext,
    user: UserProfile,
    users: UserService,
    i18n: I18n,
) -> None:
    message = query.message
    if not isinstance(message, Message):  # too old to edit; start over
        await query.answer(_("This button is no longer valid."))
        return
    if callback_data.action == "lang":
        other = "en" if user.language == "zh" else "zh"
        user = await users.set_language(user.id, other)
        with i18n.use_locale(other):
            await message.edit_text(
                consent_text(query.from_user.first_name), reply_markup=consent_kb()
            )
            await query.answer()
        return
    if callback_data.action == "decline":
        await message.edit_text(
            _(
                "No problem. We keep only your Telegram id and language, so that the bot can "
                "answer you; nothing else is stored. Send /start whenever you change your mind."
            )
        )
        await query.answer()
        return
    if user.consented:  # a second tap on an old message
        await query.answer(_("You have already agreed."))
        return
    await users.accept_consent(
        user.id, full_name(query.from_user.first_name, query.from_user.last_name)
    )
    await message.edit_reply_markup(reply_markup=None)
    await query.answer(_("Thank you!"))
    await ask_occupation(message, state)


async def gate_message(message: Message, user: UserProfile | None) -> None:
    if message.chat.type != "private" or user is None:
        return  # groups: stay quiet for people who have not agreed
    name = message.from_user.first_name if message.from_user else ""
    await message.answer(consent_text(name), reply_markup=consent_kb())


async def gate_callback(query: CallbackQuery) -> None:
    await query.answer(_("Please accept the privacy notice first: send /start."), show_alert=True)


def create_router() -> Router:
    router = Router(name="start")
    private_only(router)
    router.message.register(start, CommandStart(), IsPrivate())
    router.callback_query.register(consent_choice, ConsentCb.filter())
    return router


def create_gate_router() -> Router:
    gate = Router(name="consent_gate")
    gate.message.register(gate_message, NotConsented())
    gate.callback_query.register(gate_callback, NotConsented())
    return gate
