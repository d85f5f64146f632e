"""The profile card and its edit buttons."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import LANGUAGE_NAMES
from bot.services.outbox.audience import quiet_hours
from bot.services.users.profiles import UserProfile
from handlers.common.menu import main_menu_kb
from handlers.common.texts import city_label, occupation_label, q, role_label

ProfileAction = Literal[
    "occupation", "city", "phone", "language", "notify", "themes", "quiet", "party"
]


class ProfileCb(CallbackData, prefix="prof"):
    action: ProfileAction


def _yes_no(value: bool | None) -> str:
    if value is None:
        return _("not set")
    return _("yes") if value else _("no")


def profile_text(user: UserProfile) -> str:
    start, end = quiet_hours(user.quiet_start, user.quiet_end)
    quiet = _("off") if start == end else f"{start:%H:%M}–{end:%H:%M}"
    if user.quiet_start is None:
        quiet = _("{hours} (the default)").format(hours=quiet)
    return _(
        "👤 <b>Your profile</b>\n\n"
        "Name: {name}\n"
        "Occupation: {occupation}\n"
        "City: {city}\n"
        "Phone: {phone}\n"
        "Party member: {party}\n"
        "Language: {language}\n"
        "Notices from admins: {notifications}\n"
        "Theme of the month: {themes}\n"
        "Quiet hours: {quiet}\n"
        "Role: {role}"
    ).format(
        name=q(user.display_name or _("not set")),
        occupation=occupation_label(user.occupation),
        city=q(city_label(user.city) if user.city else _("not set")),
        phone=q(user.phone or _("not set")),
        party=_yes_no(user.party_member),
        language=LANGUAGE_NAMES.get(user.language, user.language),
        notifications=_("on") if user.notifications else _("off"),
        themes=_("on") if user.theme_notices else _("off"),
        quiet=quiet,
        role=role_label(user.role),
    )


def profile_kb(user: UserProfile) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("✏️ Occupation"), callback_data=ProfileCb(action="occupation"))
    kb.button(text=_("✏️ City"), callback_data=ProfileCb(action="city"))
    kb.button(text=_("✏️ Phone"), callback_data=ProfileCb(action="phone"))
    kb.button(text=_("🌐 Language"), callback_data=ProfileCb(action="language"))
    kb.button(
        text=_("🔕 Notices off") if user.notifications else _("🔔 Notices on"),
        callback_data=ProfileCb(action="notify"),
    )
    kb.button(
        text=_("🔕 Monthly theme off") if user.theme_notices else _("🔔 Monthly theme on"),
        callback_data=ProfileCb(action="themes"),
    )
    kb.button(text=_("🌙 Quiet hours"), callback_data=ProfileCb(action="quiet"))
    kb.button(text=_("🚩 Party member"), callback_data=ProfileCb(action="party"))
    kb.adjust(2, 2, 2, 2)
    return kb.as_markup()


async def show_profile(message: Message, user: UserProfile) -> None:
    """Send the card as a new message (restoring the menu keyboard first)."""
    await message.answer(_("Here is your profile."), reply_markup=main_menu_kb())
    await message.answer(profile_text(user), reply_markup=profile_kb(user))
