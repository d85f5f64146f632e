"""A broadcast under way: ⏸ pause, ▶ resume and ✖ cancel (asked first) on its status
message, and /broadcasts, the list of past and scheduled ones. Every button carries the
broadcast's id and is checked again on the tap: only admins, and only where the
broadcast's status allows it."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.after_commit import after_commit
from bot.db.broadcasts.models import BroadcastStatus
from bot.db.types import Clock
from bot.services.broadcasts.progress import Counts
from bot.services.broadcasts.service import BroadcastError, Listed
from bot.services.users.profiles import UserProfile
from handlers.broadcasts.callbacks import ControlCb
from handlers.broadcasts.kit import BroadcastServices
from handlers.broadcasts.status import digest, list_line
from handlers.broadcasts.texts import broadcast_error
from handlers.common.editing import edit_in_place, remove_buttons, settle_ui
from handlers.common.filters import N_, IsAdmin, IsPrivate
from handlers.common.refusals import refuse, refuse_press

LIST_SIZE = 10
TOASTS = {"pause": N_("⏸ Paused."), "resume": N_("▶ Going on."), "yes": N_("✖ Cancelled.")}


def list_view(items: list[Listed], services: BroadcastServices) -> tuple[str, InlineKeyboardMarkup]:
    if not items:
        text = _("📣 No notices yet. Send /broadcast to write one.")
    else:
        lines = [_("📣 <b>Notices</b> (the last {n}, newest first)").format(n=LIST_SIZE), ""]
        lines += [list_line(i.broadcast, Counts.of(i.counts), services.tz) for i in items]
        lines += ["", _("Tap a number to see that notice's status.")]
        text = "\n".join(lines)
    buttons = [
        InlineKeyboardButton(
            text=f"#{i.broadcast.id}", callback_data=ControlCb(a="open", b=i.broadcast.id).pack()
        )
        for i in items
    ]
    rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    refresh = ControlCb(a="list").pack()
    rows.append([InlineKeyboardButton(text=_("🔄 Refresh"), callback_data=refresh)])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def list_command(message: Message, broadcasts: BroadcastServices, user: UserProfile) -> None:
    text, kb = list_view(await broadcasts.service.recent(user.id, LIST_SIZE), broadcasts)
    await message.answer(text, reply_markup=kb)


async def in_group(message: Message) -> None:
    await message.answer(_("Please send /broadcasts in your private chat with me."))


async def refresh_list(
    query: CallbackQuery, broadcasts: BroadcastServices, user: UserProfile
) -> None:
    assert isinstance(query.message, Message)
    text, kb = list_view(await broadcasts.service.recent(user.id, LIST_SIZE), broadcasts)
    await query.answer()
    await edit_in_place(query.message, text, kb)


async def open_status(
    query: CallbackQuery,
    callback_data: ControlCb,
    broadcasts: BroadcastServices,
    session: AsyncSession,
    user: UserProfile,
    clock: Clock,
    bot: Bot,
) -> None:
    """The broadcast's status message, sent anew below the list: it becomes the one the
    job keeps up to date (the old one loses its buttons)."""
    assert isinstance(query.message, Message)
    kit = broadcasts.kit
    view = await kit.runner.view(session, callback_data.b, clock(), observe=False)
    if view is None or view.broadcast.status is BroadcastStatus.DRAFT:
        await query.answer(_("No such notice."), show_alert=True)
        return
    b = view.broadcast
    text, kb = kit.board(bot).render(view)
    try:
        sent = await query.message.answer(text, reply_markup=kb)
    except TelegramAPIError:
        await query.answer(_("Telegram did not take the message; please try again."))
        return
    await broadcasts.service.move_status_message(
        user.id, b.id, sent.chat.id, sent.message_id, digest(text, kb)
    )
    old_chat, old_mid = b.status_chat_id, b.status_message_id

    async def tidy() -> None:
        await settle_ui(query.answer())
        if old_chat is not None and old_mid is not None and kb is not None:
            await remove_buttons(bot, old_chat, old_mid)

    after_commit(session, tidy)


async def control(
    query: CallbackQuery,
    callback_data: ControlCb,
    broadcasts: BroadcastServices,
    session: AsyncSession,
    user: UserProfile,
    clock: Clock,
    bot: Bot,
) -> None:
    service, bid, now, action = broadcasts.service, callback_data.b, clock(), callback_data.a
    try:
        if action == "pause":
            await service.pause(user.id, bid)
        elif action == "resume":
            await service.resume(user.id, bid, now)
        elif action == "cancel":
            await service.ask_cancel(user.id, bid, now)
        elif action == "yes":
            await service.cancel(user.id, bid, now)
        else:
            await service.keep(user.id, bid)
    except BroadcastError as exc:
        toast: str | None = broadcast_error(exc.code)
    else:
        toast = _(TOASTS[action]) if action in TOASTS else None
    kit = broadcasts.kit

    async def show() -> None:
        await settle_ui(query.answer(toast))
        await kit.runner.show(kit.board(bot), bid, now)

    after_commit(session, show)


def create_router() -> Router:
    router = Router(name="broadcast_control")
    router.message.register(in_group, Command("broadcasts"), ~IsPrivate())
    router.message.register(list_command, Command("broadcasts"), IsAdmin())
    router.message.register(refuse, Command("broadcasts"))
    buttons = router.callback_query
    buttons.register(refresh_list, ControlCb.filter(F.a == "list"), IsAdmin())
    buttons.register(open_status, ControlCb.filter(F.a == "open"), IsAdmin())
    buttons.register(control, ControlCb.filter(), IsAdmin())
    buttons.register(refuse_press, ControlCb.filter())
    return router
