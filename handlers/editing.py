"""Editing a message in place, the way every multi-step screen here updates itself."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message


async def edit_in_place(message: Message, text: str, kb: InlineKeyboardMarkup | None) -> None:
    """Replace the message's text and buttons; tapping the same thing twice is no error."""
    try:
        await message.edit_text(text, reply_markup=kb)
    except TelegramBadRequest as exc:
        if "message is not modified" not in exc.message:
            raise
