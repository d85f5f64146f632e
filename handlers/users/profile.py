"""/profile: view the card and edit it field by field."""

from __future__ import annotations

from datetime import time
from typing import Literal

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.outbox.service import OptOut
from bot.services.users.profiles import UserProfile, UserService
from handlers.common.editing import edit_in_place
from handlers.common.filters import private_only
from handlers.outbox.kit import OutboxServices
from handlers.users.language import ask_language
from handlers.users.onboarding import ask_city, ask_occupation, ask_phone
from handlers.users.profile_view import ProfileCb, profile_kb, profile_text

# Quiet-hour presets (local time); drivers pick, never type. Equal ends: none at all.
QUIET_PRESETS: dict[str, tuple[time, time]] = {
    "2207": (time(22, 0), time(7, 0)),
    "2306": (time(23, 0), time(6, 0)),
    "0006": (time(0, 0), time(6, 0)),
    "off": (time(0, 0), time(0, 0)),
}


class QuietCb(CallbackData, prefix="quiet"):
    preset: str


class PartyCb(CallbackData, prefix="party"):
    value: Literal["yes", "no", "unset"]


def quiet_kb() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for key, span in QUIET_PRESETS.items():
        label = f"{span[0]:%H:%M}–{span[1]:%H:%M}" if span[0] != span[1] else _("No quiet hours")
        kb.button(text=label, callback_data=QuietCb(preset=key))
    kb.adjust(3, 1)
    return kb.as_markup()


def party_kb() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("yes"), callback_data=PartyCb(value="yes"))
    kb.button(text=_("no"), callback_data=PartyCb(value="no"))
    kb.button(text=_("Prefer not to say"), callback_data=PartyCb(value="unset"))
    kb.adjust(2, 1)
    return kb.as_markup()


async def profile_command(message: Message, state: FSMContext, user: UserProfile) -> None:
    await state.clear()
    await message.answer(profile_text(user), reply_markup=profile_kb(user))


async def _refresh(query: CallbackQuery, user: UserProfile) -> None:
    if isinstance(query.message, Message):
        await edit_in_place(query.message, profile_text(user), profile_kb(user))


async def profile_action(
    query: CallbackQuery,
    callback_data: ProfileCb,
    state: FSMContext,
    user: UserProfile,
    users: UserService,
    outbox: OutboxServices,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer(_("This button is no longer valid."))
        return
    action = callback_data.action
    await query.answer()
    if action == "occupation":
        await ask_occupation(message, state, editing=True)
    elif action == "city":
        await ask_city(message, state, editing=True)
    elif action == "phone":
        await ask_phone(message, state, editing=True)
    elif action == "language":
        await ask_language(message)
    elif action == "notify":
        user = await users.set_notifications(user.id, not user.notifications)
        if not user.notifications:  # what of it still waits is not sent either
            await outbox.outbox.drop_waiting(user.id, OptOut.NOTICES)
        await _refresh(query, user)
    elif action == "themes":
        user = await users.set_theme_notices(user.id, not user.theme_notices)
        if not user.theme_notices:
            await outbox.outbox.drop_waiting(user.id, OptOut.THEMES)
        await _refresh(query, user)
    elif action == "quiet":
        await edit_in_place(
            message,
            _(
                "Notices to everyone wait until your quiet hours end (local time); reminders "
                "of your own bookings still come. Choose:"
            ),
            quiet_kb(),
        )
    elif action == "party":
        await edit_in_place(
            message,
            _(
                "Are you a Party member? Optional: it only lets us invite you to "
                "Party-member volunteer activities."
            ),
            party_kb(),
        )


async def quiet_chosen(
    query: CallbackQuery, callback_data: QuietCb, user: UserProfile, users: UserService
) -> None:
    if callback_data.preset not in QUIET_PRESETS:
        await query.answer(_("This button is no longer valid."))
        return
    span = QUIET_PRESETS[callback_data.preset]
    user = await users.set_quiet_hours(user.id, *span)
    await query.answer(_("Saved."))
    await _refresh(query, user)


async def party_chosen(
    query: CallbackQuery, callback_data: PartyCb, user: UserProfile, users: UserService
) -> None:
    value = {"yes": True, "no": False, "unset": None}[callback_data.value]
    user = await users.set_party_member(user.id, value)
    await query.answer(_("Saved."))
    await _refresh(query, user)


def create_router() -> Router:
    router = Router(name="profile")
    private_only(router)
    router.message.register(profile_command, Command("profile"))
    router.callback_query.register(profile_action, ProfileCb.filter())
    router.callback_query.register(quiet_chosen, QuietCb.filter())
    router.callback_query.register(party_chosen, PartyCb.filter())
    return router
