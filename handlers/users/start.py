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
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.after_commit import after_commit
from bot.services.users.profiles import UserProfile, UserService, full_name
from handlers.common.editing import edit_in_place
from handlers.common.filters import IsPrivate, NotConsented, private_only
from handlers.common.menu import main_menu_kb
from handlers.common.texts import q
from handlers.themes.checkin import CheckinLink, checkin_link
from handlers.users.onboarding import ask_occupation


class ConsentCb(CallbackData, prefix="consent"):
    action: Literal["agree", "decline", "lang", "more"]
    d: bool = False  # the full notice is shown (kept when the language is switched)


def welcome_text(name: str) -> str:
    return _(
        "👋 Welcome to WarmDrive, {name}!\n"
        "A few taps between jobs: the nearest open driver home or station, a free health "
        "checkup, a complaint followed up for you, road hazards reported, volunteer points."
    ).format(name=q(name or _("driver")))


def consent_text(name: str, details: bool = False) -> str:
    """Short by default: what matters fits one screen, the full list is one tap away."""
    if details:
        notice = _(
            "<b>What we store and why</b>\n"
            "• your Telegram id, name and language, to talk to you;\n"
            "• your occupation and city, to show nearby stations and local activities;\n"
            "• your phone number, only if you share it, so a station or case handler can call "
            "you back;\n"
            "• what you send in the features you use (bookings, complaints, reports).\n"
            "Your data stays within the programme and never appears in a group. /mydata shows "
            "everything we hold, /deleteme erases it."
        )
    else:
        notice = _(
            "We store your name, occupation and city, and what you choose to send us (a phone "
            "number, bookings, reports). /mydata shows it all, /deleteme erases it."
        )
    return f"{welcome_text(name)}\n\n{notice}\n\n" + _("Do you agree?")


def consent_kb(details: bool = False) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("✅ I agree"), callback_data=ConsentCb(action="agree"))
    kb.button(text=_("❌ No, thanks"), callback_data=ConsentCb(action="decline"))
    if not details:
        kb.button(text=_("ℹ️ What we store"), callback_data=ConsentCb(action="more"))
    kb.button(text=_("🌐 English"), callback_data=ConsentCb(action="lang", d=details))
    kb.adjust(2, 2)
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
    session: AsyncSession,
) -> None:
    message = query.message
    if not isinstance(message, Message):  # too old to edit; start over
        await query.answer(_("This button is no longer valid."))
        return
    name = query.from_user.first_name
    if callback_data.action in {"lang", "more"}:
        details = callback_data.action == "more" or callback_data.d
        locale = user.language
        if callback_data.action == "lang":
            locale = "en" if user.language == "zh" else "zh"
            user = await users.set_language(user.id, locale)
        with i18n.use_locale(locale):
            await query.answer()
            await edit_in_place(message, consent_text(name, details), consent_kb(details))
        return
    if user.consented:  # a second tap on an old message
        await query.answer(_("You have already agreed."))
        await edit_in_place(message, agreed_text(name), None)
        return
    if callback_data.action == "decline":
        await query.answer()
        await edit_in_place(
            message,
            _(
                "No problem. We keep only your Telegram id and language, so that the bot can "
                "answer you; nothing else is stored. Send /start whenever you change your mind."
            ),
        )
        return
    await users.accept_consent(user.id, full_name(name, query.from_user.last_name))
    thanks, agreed = _("Thank you!"), agreed_text(name)  # rendered now: no language after commit

    async def show() -> None:  # only once the consent is stored
        await query.answer(thanks)
        # The question is answered on the message itself: no "do you agree?" left hanging.
        shown = await edit_in_place(message, agreed, None)
        with i18n.context(), i18n.use_locale(user.language):  # after commit: no context set
            await ask_occupation(shown, state)

    after_commit(session, show)


def agreed_text(name: str) -> str:
    return f"{welcome_text(name)}\n\n" + _(
        "✅ You agreed to the privacy notice. /mydata shows what we store, /deleteme erases it."
    )


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
    # An activity's check-in QR code opens /start with its code (someone onboarded only;
    # anyone else gets the usual /start first).
    router.message.register(checkin_link, CommandStart(deep_link=True), IsPrivate(), CheckinLink())
    router.message.register(start, CommandStart(), IsPrivate())
    router.callback_query.register(consent_choice, ConsentCb.filter())
    return router


def create_gate_router() -> Router:
    gate = Router(name="consent_gate")
    gate.message.register(gate_message, NotConsented())
    gate.callback_query.register(gate_callback, NotConsented())
    return gate
