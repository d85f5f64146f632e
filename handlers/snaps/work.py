"""Handling snap reports from their cards in the admins' group: verify (the reporter earns
points), reject with a reason, forward to an office, mark handled (the after photo is asked
for in the presser's private chat, so the group sees only the card). And the reporter's answer
to "still a problem?".

Admins and the complaint offices' handlers may press; the card carries the report's version,
so a card that is behind, a forged button or the same tap delivered twice changes nothing.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import CallbackQuery, ContentType, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.after_commit import after_commit
from bot.db.complaints.repository import OfficeRepository
from bot.db.snaps.statuses import RejectReason
from bot.db.types import Clock
from bot.services.snaps.reports import Change, Stale, StoredPhoto
from bot.services.users.profiles import UserProfile
from handlers.common.editing import edit_in_place
from handlers.common.filters import N_, ContentIs, IsCommand
from handlers.snaps.callbacks import SnapAskCb, SnapCardCb, SnapDoneCb
from handlers.snaps.kit import SnapServices
from handlers.snaps.notices import offices_kb, reasons_kb
from handlers.snaps.photos_in import Received, read_photo

STALE = N_("This card has changed since it was drawn: look at it again.")


class HandleSteps(StatesGroup):
    after = State()  # waiting for the after photo in the handler's private chat


async def may_work(user: UserProfile | None, snaps: SnapServices) -> bool:
    if user is None:
        return False
    if user.is_admin:
        return True
    return await OfficeRepository(snaps.session).handler_office(user.id) is not None


def _dm_state(storage: BaseStorage, bot: Bot, telegram_id: int) -> FSMContext:
    return FSMContext(storage, StorageKey(bot_id=bot.id, chat_id=telegram_id, user_id=telegram_id))


async def card_tap(query: CallbackQuery, callback_data: SnapCardCb, user: UserProfile | None,
                   snaps: SnapServices, clock: Clock, bot: Bot,
                   fsm_storage: BaseStorage) -> None:  # fmt: skip
    if not await may_work(user, snaps):
        await query.answer(_("Only admins and handling offices can do this."), show_alert=True)
        return
    assert user is not None
    cb, now, reports = callback_data, clock(), snaps.reports
    report = await reports.get(cb.r)
    if report is None or (report.version != cb.v and cb.a != "voice"):
        await query.answer(_(STALE), show_alert=True)
        return
    key = f"snap-cq:{query.id}"
    message = query.message if isinstance(query.message, Message) else None
    try:
        change: Change | None = None
        if cb.a == "verify":
            change = await reports.verify(report.id, report.version, user.id, key, now)
            earned = change.earned
            toast = _("Verified. The reporter earns {points} points.").format(
                points=earned.points if earned is not None else 0)  # fmt: skip
        elif cb.a == "reject":
            if message is not None:
                await message.edit_reply_markup(reply_markup=reasons_kb(report))
            await query.answer(_("Why is it not taken up?"))
            return
        elif cb.a == "why":
            reason = RejectReason(cb.o) if cb.o in {r.value for r in RejectReason} else None
            if reason is None:
                raise Stale(report.id)
            change = await reports.reject(report.id, report.version, reason, user.id, key, now)
            rejected = report.id

            async def unindex() -> None:  # no longer offered as a nearby duplicate
                snaps.recent.remove(rejected)

            after_commit(snaps.session, unindex)
            toast = _("Rejected. The reporter is told why.")
        elif cb.a == "fwd":
            offices = [(o.id, o.name) for o in await OfficeRepository(snaps.session).offices()]
            if not offices:
                await query.answer(_("No handling office is set up yet."), show_alert=True)
                return
            if message is not None:
                await message.edit_reply_markup(reply_markup=offices_kb(report, offices))
            await query.answer(_("Which office fixes it?"))
            return
        elif cb.a == "office":
            if await OfficeRepository(snaps.session).office(cb.o) is None:
                raise Stale(report.id)
            change = await reports.forward(report.id, report.version, cb.o, user.id, key, now)
            toast = _("Forwarded. The reporter is told.")
        elif cb.a == "voice":
            await _send_voice(query, bot, report.voice_file_id, report.number)
            return
        elif cb.a == "done":
            await _ask_after_photo(query, bot, fsm_storage, report.id, report.version,
                                   report.number)  # fmt: skip
            return
        else:  # back: the card's own buttons again
            _text, kb = await snaps.notifier.render_card(snaps.session, report)
            if message is not None:
                await message.edit_reply_markup(reply_markup=kb)
            await query.answer()
            return
    except Stale:
        await query.answer(_(STALE), show_alert=True)
        return
    await snaps.notifier.after(snaps.session, change, now, bot)
    await query.answer(toast)


async def _send_voice(query: CallbackQuery, bot: Bot, file_id: str | None, number: str) -> None:
    """The reporter's voice note, in the presser's private chat (the group sees only the card)."""
    if file_id is None:
        await query.answer(_("That choice is no longer available."), show_alert=True)
        return
    try:
        await bot.send_voice(query.from_user.id, file_id, caption=number)
    except (TelegramForbiddenError, TelegramBadRequest):
        await query.answer(_("Open a private chat with me first (tap my name, then Start), "
                             "then tap again."), show_alert=True)  # fmt: skip
        return
    private = isinstance(query.message, Message) and query.message.chat.id == query.from_user.id
    await query.answer(None if private else _("Sent to your private chat."))


async def _ask_after_photo(query: CallbackQuery, bot: Bot, storage: BaseStorage,
                           report_id: int, version: int, number: str) -> None:  # fmt: skip
    telegram_id = query.from_user.id
    kb = InlineKeyboardBuilder()
    kb.button(text=_("✅ Handled, no photo"), callback_data=SnapDoneCb(a="nophoto", r=report_id,
                                                                    v=version))  # fmt: skip
    kb.button(text=_("✖ Not yet"), callback_data=SnapDoneCb(a="x", r=report_id, v=version))
    kb.adjust(2)
    text = _("🛠 Report {number} is fixed? Send a photo of it now (the “after” photo the "
             "reporter sees), or tap “Handled, no photo”.").format(number=number)  # fmt: skip
    try:
        await bot.send_message(telegram_id, text, reply_markup=kb.as_markup())
    except (TelegramForbiddenError, TelegramBadRequest):  # never started a chat with the bot
        await query.answer(_("Open a private chat with me first (tap my name, then Start), "
                             "then tap again."), show_alert=True)  # fmt: skip
        return
    state = _dm_state(storage, bot, telegram_id)
    await state.set_state(HandleSteps.after)
    await state.set_data({"r": report_id, "v": version})
    private = isinstance(query.message, Message) and query.message.chat.id == telegram_id
    await query.answer(None if private else _("I sent you a private message: send it there."))


async def done_tap(query: CallbackQuery, callback_data: SnapDoneCb, state: FSMContext,
                   user: UserProfile | None, snaps: SnapServices, clock: Clock,
                   bot: Bot) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    if not await may_work(user, snaps):
        await query.answer(_("Only admins and handling offices can do this."), show_alert=True)
        return
    assert user is not None
    await state.clear()
    if callback_data.a == "x":
        await query.answer()
        await edit_in_place(query.message, _("Not marked handled. The card is as it was."))
        return
    try:
        change = await snaps.reports.handled(
            callback_data.r, callback_data.v, user.id, f"snap-cq:{query.id}", clock()
        )
    except Stale:
        await query.answer(_(STALE), show_alert=True)
        await edit_in_place(query.message, _(STALE))
        return
    await snaps.notifier.after(snaps.session, change, clock(), bot)
    await query.answer()
    await edit_in_place(query.message, _("✅ Report {number} marked handled. The reporter and "
                                         "the drivers who saw it are told.").format(
        number=change.report.number))  # fmt: skip


async def after_photo(message: Message, state: FSMContext, user: UserProfile | None,
                      snaps: SnapServices, clock: Clock, bot: Bot) -> None:  # fmt: skip
    data = await state.get_data()
    if not await may_work(user, snaps) or not isinstance(data.get("r"), int):
        await state.clear()
        await message.answer(_("Only admins and handling offices can do this."))
        return
    assert user is not None
    got = await read_photo(message, bot, snaps.limits)
    if not isinstance(got, Received):
        await message.answer(got)
        return
    now = clock()
    report_id, version = int(data["r"]), int(data.get("v", 0))
    path = snaps.store.save(got.photo, report_id, 10 + 1, now)  # after photos: n from 11
    stored = StoredPhoto(path, got.file_id, got.photo.phash, got.photo.width, got.photo.height)
    try:
        change = await snaps.reports.handled(
            report_id, version, user.id, f"snap-after:{message.chat.id}:{message.message_id}",
            now, note=(message.caption or "").strip()[:500] or None, after=[stored],
        )  # fmt: skip
    except Stale:
        await state.clear()
        await message.answer(_(STALE))
        return
    await state.clear()
    await snaps.notifier.after(snaps.session, change, now, bot)
    await message.answer(_("✅ Report {number} marked handled, with the photo. The reporter "
                           "and the drivers who saw it are told.").format(
        number=change.report.number))  # fmt: skip


async def not_photo(message: Message) -> None:
    await message.answer(_("Please send the “after” photo, or tap “Handled, no photo”."))


async def answer_tap(query: CallbackQuery, callback_data: SnapAskCb, user: UserProfile | None,
                     snaps: SnapServices, clock: Clock, bot: Bot) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    if user is None:
        await query.answer(_("That choice is no longer available."), show_alert=True)
        return
    now = clock()
    try:
        change = await snaps.reports.answer(
            callback_data.r, user.id, callback_data.a == "still", f"snap-cq:{query.id}", now
        )
    except Stale:
        await query.answer(_("You answered this already. Thank you!"), show_alert=True)
        return
    await snaps.notifier.after(snaps.session, change, now, bot)
    if callback_data.a == "still":
        text = _("⚠️ Thank you: report {number} is open again and the admins look at it anew.")
    else:
        text = _("🎉 Thank you: report {number} is closed as fixed.")
    await query.answer()
    await edit_in_place(query.message, text.format(number=change.report.number))


def create_router() -> Router:
    router = Router(name="snaps-work")
    router.callback_query.register(card_tap, SnapCardCb.filter())
    router.callback_query.register(done_tap, SnapDoneCb.filter())
    router.callback_query.register(answer_tap, SnapAskCb.filter())
    router.message.register(after_photo, StateFilter(HandleSteps.after),
                            ContentIs(ContentType.PHOTO, ContentType.DOCUMENT))  # fmt: skip
    router.message.register(not_photo, StateFilter(HandleSteps.after), ~IsCommand())
    return router


__all__ = ["F", "create_router"]
