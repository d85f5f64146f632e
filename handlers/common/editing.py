"""Editing a message in place, the way every multi-step screen here updates itself.

Telegram refuses an edit that changes nothing ("message is not modified"), and one of a
message that is gone or too old ("message to edit not found", "message can't be edited"). The
first is skipped (or absorbed when it cannot be seen in advance); for the second the screen
is sent as a new message, so a tap on an old button still shows the user something.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup, Message

log = logging.getLogger(__name__)

# The FSM data key under which a flow keeps the id of its one message (see CloseLeftFlows).
FLOW_MESSAGE = "mid"
NOT_MODIFIED = "message is not modified"
GONE = (
    "message to edit not found",
    "message can't be edited",
    "there is no text in the message to edit",  # a photo or a location: it has no text
    "MESSAGE_ID_INVALID",
)


def _same_markup(shown: InlineKeyboardMarkup | None, kb: InlineKeyboardMarkup | None) -> bool:
    # By value: a markup parsed from an update carries its Bot, so == never holds.
    if shown is None or kb is None:
        return shown is kb
    return shown.model_dump(exclude_none=True) == kb.model_dump(exclude_none=True)


def _unchanged(message: Message, text: str, kb: InlineKeyboardMarkup | None) -> bool:
    """The message, as Telegram sent it with the tap, already shows exactly this."""
    if message.text is None or not _same_markup(message.reply_markup, kb):
        return False
    try:
        return message.html_text == text
    except (TypeError, ValueError):  # entities that do not render back: just try the edit
        return False


async def edit_in_place(
    message: Message, text: str, kb: InlineKeyboardMarkup | None = None
) -> Message:
    """Show `text` and `kb` in place of `message`; returns the message that now shows them
    (a new one when the old could not be edited)."""
    if _unchanged(message, text, kb):
        return message
    try:
        edited = await message.edit_text(text, reply_markup=kb)
    except TelegramBadRequest as exc:
        if NOT_MODIFIED in exc.message:
            return message
        if not any(reason in exc.message for reason in GONE):
            raise
        log.info("message %s not editable (%s): sent anew", message.message_id, exc.message)
        return await message.answer(text, reply_markup=kb)
    return edited if isinstance(edited, Message) else message


async def edit_flow(
    message: Message, state: FSMContext, text: str, kb: InlineKeyboardMarkup | None = None
) -> Message:
    """edit_in_place for a flow's message: the flow follows the screen if it had to move."""
    shown = await edit_in_place(message, text, kb)
    if shown.message_id != message.message_id:
        await state.update_data({FLOW_MESSAGE: shown.message_id})
    return shown


async def redraw_card(
    bot: Bot, chat_id: int, message_id: int, text: str, kb: InlineKeyboardMarkup | None,
    caption: bool = False, what: str = "card",
) -> bool:  # fmt: skip
    """Show a card's new text (its caption, for a photo card) in place. True when the card
    shows it, or never can (not modified, deleted); False: try again later (a job does)."""
    try:
        if caption:
            await bot.edit_message_caption(
                chat_id=chat_id, message_id=message_id, caption=text, reply_markup=kb
            )
        else:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                        reply_markup=kb)  # fmt: skip
    except TelegramBadRequest as exc:
        if NOT_MODIFIED not in exc.message and not any(g in exc.message for g in GONE):
            log.warning("%s not redrawn: %s", what, exc.message)
            return False
    except TelegramAPIError as exc:
        log.info("%s not redrawn now: %r", what, exc)
        return False
    return True


async def remove_buttons(bot: Bot, chat_id: int, message_id: int) -> bool:
    """Take the buttons off a message whose flow is over; it may have none or be gone.
    Tidying only: whatever Telegram says (a refusal, or down past the retries) fails
    nothing, whoever asked. False: the buttons may still be there."""
    try:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
    except TelegramBadRequest as exc:
        if NOT_MODIFIED in exc.message or any(reason in exc.message for reason in GONE):
            return True
        log.warning("buttons of message %s not removed: %s", message_id, exc.message)
        return False
    except TelegramAPIError as exc:
        log.info("buttons of message %s left in place: %s", message_id, exc)
        return False
    return True


async def settle_ui(*steps: Awaitable[object]) -> None:
    """Show a driver the outcome of a change already committed, step by step. A UI call
    Telegram refuses (a callback query too old after a backlog, a message deleted meanwhile)
    or cannot take now (down past the retry budget) must not turn a done booking into an
    error message, nor keep the later steps from being tried."""
    for step in steps:
        try:
            await step
        except TelegramBadRequest as exc:
            log.info("outcome not shown: %s", exc)
        except TelegramAPIError as exc:
            log.warning("outcome not shown, Telegram unavailable: %r", exc)


async def show_outcome(message: Message, text: str, kb: InlineKeyboardMarkup | None = None) -> None:
    """Put a committed outcome (booked, moved, cancelled, an offer taken...) where the driver
    looks: in place of the form; when Telegram refuses that edit or stays down past the
    retry budget, as a new message, and the form's buttons are taken off so no live ✅ is
    left behind. If even that fails, the buttons themselves know: a later tap on one shows
    the outcome instead of an alarm (see the handlers)."""
    try:
        await edit_in_place(message, text, kb)
        return
    except TelegramAPIError as exc:
        log.warning("outcome not shown in place, sent anew: %r", exc)
    assert message.bot is not None  # a message that came with an update
    await settle_ui(
        message.answer(text, reply_markup=kb),
        remove_buttons(message.bot, message.chat.id, message.message_id),
    )
