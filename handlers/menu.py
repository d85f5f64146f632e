"""The main menu: a reply keyboard with one big button per feature."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers.filters import N_, Button

# Order is the keyboard layout, two per row. Features replace their entry as they land.
MENU_BUTTONS = (
    N_("📍 Nearby stations"),
    N_("🩺 Checkup booking"),
    N_("📝 File a complaint"),
    N_("📸 Snap report"),
    N_("⭐ My points"),
    N_("📅 This month"),
)


def main_menu_kb() -> ReplyKeyboardMarkup:
    buttons = [KeyboardButton(text=_(msgid)) for msgid in MENU_BUTTONS]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return ReplyKeyboardMarkup(
        keyboard=rows,
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=_("Choose from the menu"),
    )


async def menu_button(message: Message, button: str) -> None:
    await message.answer(
        _("{feature} is coming soon. We are building it right now — thank you for waiting!").format(
            feature=_(button)
        ),
        reply_markup=main_menu_kb(),
    )


def create_router() -> Router:
    router = Router(name="menu")
    router.message.register(menu_button, Button(*MENU_BUTTONS))
    return router
