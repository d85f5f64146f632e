"""Buttons on messages the bot sends on its own, rendered in the current locale (the caller
sets the recipient's): the one-tap unsubscribe every bulk message carries."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.services.outbox.messages import Button
from bot.services.outbox.service import OptOut


class UnsubCb(CallbackData, prefix="unsub"):
    what: OptOut


def unsubscribe_button(opt_out: OptOut) -> Button:
    label = (
        _("🔕 No more notices like this")
        if opt_out is OptOut.NOTICES
        else _("🔕 No more monthly themes")
    )
    return Button(label, callback_data=UnsubCb(what=opt_out).pack())


def from_markup(markup: InlineKeyboardMarkup | None) -> tuple[tuple[Button, ...], ...]:
    """An inline keyboard built the usual way, as rows the outbox keeps."""
    if markup is None:
        return ()
    return tuple(
        tuple(Button(b.text, url=b.url, callback_data=b.callback_data) for b in row)
        for row in markup.inline_keyboard
    )
