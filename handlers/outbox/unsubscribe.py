"""The one-tap unsubscribe on every bulk message: the kind is turned off, what of it is still
waiting is dropped, and the message says so in place of the button."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.services.outbox.service import OptOut
from bot.services.users.profiles import UserProfile, UserService
from handlers.common.filters import private_only
from handlers.outbox.buttons import UnsubCb
from handlers.outbox.kit import OutboxServices


async def unsubscribe(
    query: CallbackQuery,
    callback_data: UnsubCb,
    user: UserProfile,
    users: UserService,
    outbox: OutboxServices,
) -> None:
    if callback_data.what is OptOut.NOTICES:
        await users.set_notifications(user.id, False)
    else:
        await users.set_theme_notices(user.id, False)
    await outbox.outbox.drop_waiting(user.id, callback_data.what)  # what of it still waits
    if callback_data.what is OptOut.NOTICES:
        done = _("You will get no more notices like this. /profile turns them back on.")
    else:
        done = _("You will get no more monthly themes. /profile turns them back on.")
    await query.answer(done, show_alert=True)
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        # The message's own link buttons stay; only the unsubscribe row goes.
        rows = [
            row
            for row in message.reply_markup.inline_keyboard
            if not any((b.callback_data or "").startswith(UnsubCb.__prefix__) for b in row)
        ]
        await message.edit_reply_markup(
            reply_markup=InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
        )


def create_router() -> Router:
    router = Router(name="outbox")
    private_only(router)
    router.callback_query.register(unsubscribe, UnsubCb.filter())
    return router
