"""Last resort: anything no feature took gets a clear answer, never silence or a traceback."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.users.profiles import UserProfile
from handlers.common.editing import remove_buttons
from handlers.common.filters import IsPrivate
from handlers.common.menu import main_menu_kb


async def unknown_message(message: Message, user: UserProfile | None) -> None:
    kb = main_menu_kb() if user is not None and user.consented else None
    if message.text is not None and message.text.startswith("/"):
        text = _("Unknown command. Send /help to see what I can do.")
    elif message.text is not None:
        text = _("I did not understand that. Please use the menu buttons below, or send /help.")
    else:
        text = _("I cannot use this kind of message here. Please use the menu buttons below.")
    await message.answer(text, reply_markup=kb)


async def stale_callback(query: CallbackQuery, bot: Bot) -> None:
    await query.answer(_("This button is no longer valid."))
    message = query.message
    # In a private chat the buttons are the user's alone: take the dead ones away. (In a
    # group the same card may still work for someone else.)
    if isinstance(message, Message) and message.chat.type == "private" and message.reply_markup:
        await remove_buttons(bot, message.chat.id, message.message_id)


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.register(unknown_message, IsPrivate())
    router.callback_query.register(stale_callback)
    return router
