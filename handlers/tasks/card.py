"""The task's card in the admins' group: confirm or dispute a report of done, cancel the
task, and the roster (names and phones) sent to the pressing admin's private chat, never to
the group. The service says who may decide (the publisher or an admin) and refuses a
second decision, so a double tap or two admins at once pay the points once."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import CallbackQuery, ContentType, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.tasks.statuses import DisputeReason
from bot.db.types import Clock
from bot.services.tasks.model import TaskError, TaskErrorCode
from bot.services.users.profiles import UserProfile
from handlers.common.filters import ContentIs, IsCommand, IsPrivate
from handlers.common.texts import q
from handlers.tasks.callbacks import TaskCardCb
from handlers.tasks.kit import TaskServices
from handlers.tasks.texts import place_status_label, reason_label, task_error, window

PRESET_REASONS = (DisputeReason.NOT_SEEN, DisputeReason.UNFINISHED, DisputeReason.NO_PROOF)
ROSTER_PHOTOS = 10  # photos of reports sent with the roster at most


def _reasons_kb(task_id: int, taker_id: int, n: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for reason in PRESET_REASONS:
        kb.button(
            text=reason_label(reason),
            callback_data=TaskCardCb(a="why", t=task_id, k=taker_id, o=reason.value),
        )
    kb.button(
        text=_("✍️ Another reason (type it)"),
        callback_data=TaskCardCb(a="why", t=task_id, k=taker_id, o=DisputeReason.OTHER.value),
    )
    kb.button(text=_("⬅️ Back"), callback_data=TaskCardCb(a="back", t=task_id))
    kb.adjust(1)
    return kb.as_markup()


def _cancel_kb(task_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("✖ Yes, cancel the task"), callback_data=TaskCardCb(a="cancel_ok", t=task_id))
    kb.button(text=_("⬅️ Back"), callback_data=TaskCardCb(a="back", t=task_id))
    kb.adjust(2)
    return kb.as_markup()


async def card_tap(
    query: CallbackQuery,
    callback_data: TaskCardCb,
    user: UserProfile | None,
    tasks: TaskServices,
    clock: Clock,
    bot: Bot,
    fsm_storage: BaseStorage,
) -> None:
    if user is None or not user.is_admin:
        await query.answer(_("Only admins can do this."), show_alert=True)
        return
    cb, now, service = callback_data, clock(), tasks.service
    message = query.message if isinstance(query.message, Message) else None
    task = await service.get(cb.t)
    if task is None:
        await query.answer(task_error(TaskErrorCode.NOT_FOUND), show_alert=True)
        return
    try:
        if cb.a == "roster":
            await _send_roster(query, bot, tasks, cb.t)
            return
        if cb.a in ("cancel", "back", "no"):
            if cb.a == "cancel":
                kb = _cancel_kb(cb.t)
            elif cb.a == "no":
                taker = next((t for t in await service.takers(cb.t) if t.id == cb.k), None)
                if taker is None:
                    raise TaskError(TaskErrorCode.NOT_REPORTED)
                kb = _reasons_kb(cb.t, cb.k, taker.n)
            else:
                kb = (await tasks.notifier.render_card(tasks.session, task, now))[1]
            if message is not None:
                await message.edit_reply_markup(reply_markup=kb)
            await query.answer(_("Why is it disputed?") if cb.a == "no" else None)
            return
        if cb.a == "ok":
            change = await service.confirm(cb.t, cb.k, user.id, user.role, now)
            toast = _("Confirmed. {points} points paid.").format(points=change.paid)
        elif cb.a == "why" and cb.o == DisputeReason.OTHER.value:
            await _ask_reason(query, bot, fsm_storage, tasks, cb.t, cb.k)
            return
        elif cb.a == "why":
            reasons = {r.value: r for r in PRESET_REASONS}
            if cb.o not in reasons:
                raise TaskError(TaskErrorCode.NOT_REPORTED)
            change = await service.dispute(cb.t, cb.k, reasons[cb.o], None, user.id, user.role, now)
            toast = _("Disputed. The volunteer is told why.")
        else:  # cancel_ok
            change = await service.cancel(cb.t, user.id, user.role, now)
            toast = _("Cancelled. Those who took a place are told.")
    except TaskError as exc:
        await query.answer(task_error(exc.code), show_alert=True)
        return
    await tasks.notifier.after(tasks.session, change, now, bot)
    await query.answer(toast)


async def _send_roster(query: CallbackQuery, bot: Bot, tasks: TaskServices, task_id: int) -> None:
    """Names and phones, in the pressing admin's private chat (the group sees only numbers)."""
    task, lines = await tasks.service.roster(task_id)
    text = [
        _("👥 <b>Roster of task {id}: {title}</b> ({window})").format(
            id=task.id, title=q(task.title), window=window(task, tasks.tz)
        )
    ]
    for line in lines:
        who = (
            _("{name}, {phone}").format(name=q(line.name or "—"), phone=q(line.phone or "—"))
            if line.name is not None
            else _("(erased their data)")
        )
        text.append(
            _("{n}. {who}: {status}").format(
                n=line.n, who=who, status=place_status_label(line.status)
            )
        )
    if not lines:
        text.append(_("Nobody has taken a place yet."))
    telegram_id = query.from_user.id
    try:
        await bot.send_message(telegram_id, "\n".join(text))
        photos = [line for line in lines if line.photo_file_id][:ROSTER_PHOTOS]
        for line in photos:
            assert line.photo_file_id is not None
            await bot.send_photo(
                telegram_id,
                line.photo_file_id,
                caption=_("Place {n}: the photo of the work").format(n=line.n),
            )
    except (TelegramForbiddenError, TelegramBadRequest):
        await query.answer(
            _("Open a private chat with me first (tap my name, then Start), then tap again."),
            show_alert=True,
        )
        return
    private = isinstance(query.message, Message) and query.message.chat.id == telegram_id
    await query.answer(None if private else _("Sent to your private chat."))


class TaskDisputeSteps(StatesGroup):
    reason = State()  # waiting, in the admin's private chat, for the reason typed


async def _ask_reason(
    query: CallbackQuery,
    bot: Bot,
    storage: BaseStorage,
    tasks: TaskServices,
    task_id: int,
    taker_id: int,
) -> None:
    """The typed reason is asked for in the admin's private chat: the group sees no words
    about a volunteer's work beyond the place's state."""
    taker = next((t for t in await tasks.service.takers(task_id) if t.id == taker_id), None)
    if taker is None:
        await query.answer(task_error(TaskErrorCode.NOT_REPORTED), show_alert=True)
        return
    telegram_id = query.from_user.id
    text = _(
        "✍️ Type the reason you dispute place {n} of task {id} (the volunteer reads it), "
        "or send /cancel."
    ).format(n=taker.n, id=task_id)
    try:
        await bot.send_message(telegram_id, text)
    except (TelegramForbiddenError, TelegramBadRequest):
        await query.answer(
            _("Open a private chat with me first (tap my name, then Start), then tap again."),
            show_alert=True,
        )
        return
    key = StorageKey(bot_id=bot.id, chat_id=telegram_id, user_id=telegram_id)
    state = FSMContext(storage, key)
    await state.set_state(TaskDisputeSteps.reason)
    await state.set_data({"t": task_id, "k": taker_id})
    private = isinstance(query.message, Message) and query.message.chat.id == telegram_id
    await query.answer(None if private else _("I sent you a private message: send it there."))


async def typed_reason(
    message: Message,
    state: FSMContext,
    user: UserProfile | None,
    tasks: TaskServices,
    clock: Clock,
    bot: Bot,
) -> None:
    data = await state.get_data()
    await state.clear()
    task_id, taker_id = data.get("t"), data.get("k")
    if (
        user is None
        or not user.is_admin
        or not isinstance(task_id, int)
        or not isinstance(taker_id, int)
    ):
        await message.answer(_("Only admins can do this."))
        return
    note, now = (message.text or "").strip()[:300], clock()
    try:
        change = await tasks.service.dispute(
            task_id, taker_id, DisputeReason.OTHER, note, user.id, user.role, now
        )
    except TaskError as exc:
        await message.answer(task_error(exc.code))
        return
    await tasks.notifier.after(tasks.session, change, now, bot)
    await message.answer(_("Disputed. The volunteer is told why."))


def create_router() -> Router:
    router = Router(name="tasks-card")
    router.callback_query.register(card_tap, TaskCardCb.filter())
    router.message.register(
        typed_reason,
        StateFilter(TaskDisputeSteps.reason),
        IsPrivate(),
        ContentIs(ContentType.TEXT),
        ~IsCommand(),
    )
    return router
