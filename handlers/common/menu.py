"""The main menu: a reply keyboard with one big button per feature."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from handlers.common.filters import N_, Button, Consented, IsPrivate

# Order is the keyboard layout, two per row. Features replace their entry as they land.
NEARBY = N_("📍 Nearby stations")
CHECKUPS = N_("🩺 Checkup booking")
MENU_BUTTONS = (
    NEARBY,
    CHECKUPS,
    N_("📝 File a complaint"),
    N_("📸 Snap report"),
    N_("⭐ My points"),
    N_("📅 This month"),
)


def main_menu_kb() -> ReplyKeyboardMarkup:
    # Sent with most replies: built once per language rather than validated every time.
    return _main_menu_kb(get_i18n().current_locale)


@functools.cache
def _main_menu_kb(locale: str) -> ReplyKeyboardMarkup:
    buttons = [KeyboardButton(text=_(msgid)) for msgid in MENU_BUTTONS]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return ReplyKeyboardMarkup(
        keyboard=rows,
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=_("Choose from the menu"),
    )


async def menu_button(message: Message, button: str, state: FSMContext) -> None:
    await state.clear()  # a menu tap leaves any flow
    await message.answer(
        _("{feature} is coming soon. We are building it right now — thank you for waiting!").format(
            feature=_(button)
        ),
        reply_markup=main_menu_kb(),
    )


def create_router(features: dict[str, Callable[..., Awaitable[Any]]]) -> Router:
    """`features` maps a menu msgid to the handler of a feature that has landed."""
    router = Router(name="menu")
    router.message.filter(IsPrivate(), Consented())  # others meet the consent gate below
    for msgid, handler in features.items():
        router.message.register(handler, Button(msgid))
    router.message.register(menu_button, Button(*(m for m in MENU_BUTTONS if m not in features)))
    return router
