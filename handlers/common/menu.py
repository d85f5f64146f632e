"""The main menu: a reply keyboard with one big button per feature."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.feature import MenuButton, menu_buttons
from handlers.common.filters import Button, Consented, IsPrivate


def main_menu_kb() -> ReplyKeyboardMarkup:
    # Sent with most replies: built once per language rather than validated every time.
    return _main_menu_kb(get_i18n().current_locale)


@functools.cache
def _main_menu_kb(locale: str) -> ReplyKeyboardMarkup:
    # Imported here: the feature list imports every feature's handlers, this module among them.
    from bot.features import FEATURES

    labels = [button.label for button in menu_buttons(FEATURES)]
    buttons = [KeyboardButton(text=_(label)) for label in labels]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]  # two per row, in order
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


def create_router(buttons: Sequence[MenuButton]) -> Router:
    """One handler per button of a feature that has landed; the others say "coming soon"."""
    router = Router(name="menu")
    router.message.filter(IsPrivate(), Consented())  # others meet the consent gate below
    for button in buttons:
        if button.handler is not None:
            router.message.register(button.handler, Button(button.label))
    soon = [button.label for button in buttons if button.handler is None]
    if soon:
        router.message.register(menu_button, Button(*soon))
    return router
