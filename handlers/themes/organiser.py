"""The organiser's side of check-in, for admins (in the admins' group or a private chat):
/checkin_code lists today's activities with their counts; a tap shows the activity's current
code on that message and sends its QR code (a t.me link that opens the bot and checks in).
🔄 New code shows the next code in place and replaces the QR photo. /activity_report gives
the month's counts. Counts only, no names: the group sees how many came, never who."""

from __future__ import annotations

import io
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import segno
from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _

from bot.db.after_commit import after_commit
from bot.db.types import Clock
from bot.services.themes.attendance import ActivityCount, CodeScreen
from handlers.common.editing import edit_in_place
from handlers.common.filters import IsAdmin
from handlers.common.refusals import refuse, refuse_press
from handlers.common.texts import q
from handlers.themes.callbacks import CodeCb
from handlers.themes.checkin import link_payload
from handlers.themes.kit import ThemeServices
from handlers.themes.texts import title
from knowledge.themes import codes

log = logging.getLogger(__name__)

QR_SCALE = 10  # pixels a module: about 400 px, sharp on a phone held up at arm's length


def qr_png(link: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=QR_SCALE, border=2)
    return buffer.getvalue()


def _when(day_time: str) -> str:
    return day_time or _("all day")


def _counts(signed_up: int, capacity: int | None, checked_in: int, points: int) -> str:
    parts = []
    if capacity is not None:
        parts.append(_("signed up {n}/{capacity}").format(n=signed_up, capacity=capacity))
    parts.append(_("checked in {n}").format(n=checked_in))
    if points:
        parts.append(_("⭐ {n} points each").format(n=points))
    return " · ".join(parts)


def today_text(today: list[ActivityCount]) -> str:
    if not today:
        return _("🔑 No activities today: nothing to check in to.")
    lines = [_("🔑 <b>Check-in today</b>: tap an activity to show its code.")]
    for item in today:
        a = item.activity
        lines.append(
            f"<b>{_when(a.time)}</b> {q(title(a))}\n"
            + _counts(item.signed_up, a.capacity, item.checked_in, a.points)
        )
    return "\n".join(lines)


def report_text(month: list[ActivityCount]) -> str:
    if not month:
        return _("📊 No activities this month.")
    lines = [_("📊 <b>Activities this month</b>: sign-ups and check-ins")]
    for item in month:
        a = item.activity
        day = a.day.strftime("%m-%d")
        lines.append(
            f"<b>{day} {_when(a.time)}</b> {q(title(a))}\n"
            + _counts(item.signed_up, a.capacity, item.checked_in, a.points)
        )
    return "\n".join(lines)


def today_kb(today: list[ActivityCount]) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(
                text=f"🔑 {_when(item.activity.time)} {title(item.activity)}",
                callback_data=CodeCb(id=item.activity.id).pack(),
            )
        ]
        for item in today
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def code_text(screen: CodeScreen, tz: ZoneInfo, now: datetime) -> str:
    a, span = screen.activity, screen.window
    code = f"{screen.code[:3]} {screen.code[3:]}"
    if now < span.opens:
        state = _("Check-in opens at {time}.").format(
            time=span.opens.astimezone(tz).strftime("%H:%M")
        )
    elif span.open_at(now):
        state = _("Check-in is open until {time}.").format(
            time=span.end.astimezone(tz).strftime("%H:%M")
        )
    else:
        state = _("Check-in is over.")
    return "\n".join(
        (
            _("🔑 <b>Check-in code</b>: {title}").format(title=q(title(a))),
            f"<b>{code}</b>",
            _("Drivers scan the QR code, or send /attend {code}. A new code every {s} seconds;"
              " the one before still works.").format(code=screen.code, s=codes.STEP_SECONDS),
            state,
            _counts(screen.signed_up, a.capacity, screen.checked_in, a.points),
        )
    )  # fmt: skip


def code_kb(activity_id: int, photo_id: int, label: str) -> InlineKeyboardMarkup:
    """🔄 New code (`label`, rendered beforehand: it is built after the commit)."""
    new = CodeCb(id=activity_id, p=photo_id).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=label, callback_data=new)]]
    )


async def checkin_code_command(message: Message, themes: ThemeServices, clock: Clock) -> None:
    today = await themes.attendance.today(clock())
    await message.answer(today_text(today), reply_markup=today_kb(today))


async def activity_report_command(message: Message, themes: ThemeServices, clock: Clock) -> None:
    await message.answer(report_text(await themes.attendance.this_month(clock())))


async def show_code(
    query: CallbackQuery, callback_data: CodeCb, themes: ThemeServices, clock: Clock, bot: Bot
) -> None:
    """An activity tapped on the list, or 🔄 New code: the code in place, the QR replaced."""
    message = query.message
    if not isinstance(message, Message):
        await query.answer(_("This button is no longer valid."))
        return
    now = clock()
    screen = await themes.attendance.code(callback_data.id, now)
    if screen is None:
        await query.answer(_("This activity is no longer in the programme."), show_alert=True)
        return
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={link_payload(screen.activity.id, screen.code)}"
    photo = BufferedInputFile(qr_png(link), filename=f"checkin-{screen.activity.id}.png")
    text, caption = (
        code_text(screen, themes.tz, now),
        _("🔑 Scan to check in: {title}").format(title=q(title(screen.activity))),
    )
    # The QR photo always comes after the code's message: anything else is no photo of ours.
    old_photo = callback_data.p if callback_data.p > message.message_id else 0
    answer = _("New code") if callback_data.p else ""
    label, activity_id = _("🔄 New code"), screen.activity.id

    async def show() -> None:  # after the commit: the code's key is stored
        await query.answer(answer)
        sent = await message.answer_photo(photo, caption=caption)
        if old_photo:
            try:
                await bot.delete_message(message.chat.id, old_photo)
            except TelegramAPIError as exc:  # gone already, or too old to delete
                log.info("old QR photo %s not deleted: %s", old_photo, exc)
        await edit_in_place(message, text, code_kb(activity_id, sent.message_id, label))

    after_commit(themes.session, show)


def create_router() -> Router:
    router = Router(name="themes_organiser")
    router.message.filter(Command("checkin_code", "activity_report"))
    router.message.register(checkin_code_command, Command("checkin_code"), IsAdmin())
    router.message.register(activity_report_command, Command("activity_report"), IsAdmin())
    router.message.register(refuse)
    router.callback_query.filter(CodeCb.filter())
    router.callback_query.register(show_code, IsAdmin())
    router.callback_query.register(refuse_press)
    return router
