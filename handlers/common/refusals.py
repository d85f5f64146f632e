"""What someone who may not use an admin command or button is told: never silence."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.users.profiles import UserProfile


async def refuse_press(query: CallbackQuery) -> None:
    await query.answer(_("Only admins can do this."), show_alert=True)


async def refuse(message: Message, user: UserProfile | None = None) -> None:
    if user is None and message.sender_chat is not None:  # an anonymous group admin
        await message.answer(
            _(
                "I cannot tell who sent this: admin commands need your own account. Turn off "
                "“Remain anonymous” in your admin rights, then try again."
            )
        )
        return
    await message.answer(_("Sorry, this command is for admins only."))
