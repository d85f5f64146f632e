"""Admin commands for checkups: the day's bookings with check-in buttons, check-in by code,
closing a provider's day.

Drivers' names and phones never show in a group: there the day list has codes, times,
services and statuses, and a button sends the full list to the admin's private chat.
"""

from __future__ import annotations

from datetime import date
from itertools import groupby

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.after_commit import after_commit
from bot.db.checkups.statuses import BookingStatus
from bot.db.types import Clock
from bot.services.checkups.bookings import BookingError, BookingErrorCode
from bot.services.checkups.browse import BookingView, CheckupBrowser, Recipient
from handlers.checkups.callbacks import DayListCb
from handlers.checkups.kit import CheckupServices
from handlers.checkups.texts import day_text, service_label, status_text, when_text
from handlers.common.editing import edit_in_place, settle_ui
from handlers.common.filters import IsAdmin
from handlers.common.refusals import refuse
from handlers.common.texts import q

CHECKUP_ADMIN_COMMANDS = ("bookings_today", "checkin", "close_day")
NO_SHOW_WORDS = {"noshow", "no-show", "no_show", "未到", "爽约"}
# Bookings a page: one row of two check-in buttons each keeps the page on a phone screen,
# far inside Telegram's 100 buttons and 4096 characters.
PAGE_SIZE = 8

DayRows = list[tuple[BookingView, Recipient | None]]


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _is_private(message: Message) -> bool:
    return message.chat.type == "private"


def day_list_view(
    rows: DayRows, day: date, page: int, private: bool, today: date, settings: Settings
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the day's bookings. `private`: with the drivers' names and phones (an
    admin's own chat), else without (a group). Check-in buttons for the active bookings,
    from the day itself on (check-in opens that day)."""
    if not rows:
        return _("No bookings on {day}.").format(day=day_text(day)), None
    pages = (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    shown = rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    head = _("📋 <b>Bookings on {day}</b>").format(day=day_text(day))
    if pages > 1:
        head += " · " + _("page {page} of {pages}").format(page=page + 1, pages=pages)
    lines = [head]
    kb = InlineKeyboardBuilder()
    widths: list[int] = []
    d = day.isoformat()
    for provider, group in groupby(shown, key=lambda r: r[0].provider.name):
        lines.append(f"\n<b>{q(provider)}</b>")
        for view, driver in group:
            local = view.slot.starts_at.astimezone(settings.tz)
            line = (
                f"{local:%H:%M} <code>{view.code}</code> · {q(service_label(view.service))} · "
                f"{status_text(view.status)}"
            )
            if private:
                who = q(f"{driver.name} {driver.phone}".strip()) if driver else _("(erased)")
                line += f" · {who or '—'}"
            lines.append(line)
            if view.status is BookingStatus.ACTIVE and day <= today:
                kb.button(
                    text=_("✅ {code} came").format(code=view.code),
                    callback_data=DayListCb(a="in", d=d, p=page, c=view.code),
                )
                kb.button(
                    text=_("🚫 did not come"),
                    callback_data=DayListCb(a="no", d=d, p=page, c=view.code),
                )
                widths.append(2)
    nav = 0
    if page > 0:
        kb.button(text=_("⬅️ Earlier"), callback_data=DayListCb(a="pg", d=d, p=page - 1))
        nav += 1
    if page < pages - 1:
        kb.button(text=_("Later ➡️"), callback_data=DayListCb(a="pg", d=d, p=page + 1))
        nav += 1
    if nav:
        widths.append(nav)
    if not private:
        kb.button(text=_("📱 Send me the full list"), callback_data=DayListCb(a="dm", d=d, p=page))
        widths.append(1)
    kb.adjust(*widths)
    return "\n".join(lines), kb.as_markup() if widths else None


async def bookings_today(
    message: Message,
    command: CommandObject,
    settings: Settings,
    clock: Clock,
    checkups: CheckupServices,
) -> None:
    arg = (command.args or "").strip()
    today = clock().astimezone(settings.tz).date()
    day = _parse_day(arg) if arg else today
    if day is None:
        await message.answer(_("Usage: /bookings_today [YYYY-MM-DD]"))
        return
    rows = await checkups.browser.bookings_on(day)
    text, kb = day_list_view(rows, day, 0, _is_private(message), today, settings)
    await message.answer(text, reply_markup=kb)


async def day_list_tap(
    query: CallbackQuery,
    callback_data: DayListCb,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    bot: Bot,
    checkups: CheckupServices,
) -> None:
    message = query.message
    day = _parse_day(callback_data.d)
    if not isinstance(message, Message) or day is None:
        await query.answer(_("This button is no longer valid."))
        return
    now = clock()
    today = now.astimezone(settings.tz).date()
    browser = checkups.browser
    if callback_data.a == "dm":
        await _send_privately(query, bot, browser, day, today, settings)
        return
    toast = None
    if callback_data.a in {"in", "no"}:
        attended = callback_data.a == "in"
        try:  # the same rule as /checkin CODE
            await checkups.bookings.check_in(callback_data.c, attended, now)
        except BookingError as exc:
            await query.answer(await _checkin_refused(browser, callback_data.c, exc, settings))
            return
        view = await browser.booking(callback_data.c)
        assert view is not None
        toast = _checkin_done(view, attended, None, settings)
    rows = await browser.bookings_on(day)
    text, kb = day_list_view(rows, day, callback_data.p, _is_private(message), today, settings)

    async def show() -> None:
        await settle_ui(query.answer(toast), edit_in_place(message, text, kb))

    after_commit(session, show)


async def _send_privately(
    query: CallbackQuery,
    bot: Bot,
    browser: CheckupBrowser,
    day: date,
    today: date,
    settings: Settings,
) -> None:
    """The full list, names and phones included, in the admin's private chat."""
    rows = await browser.bookings_on(day)
    text, kb = day_list_view(rows, day, 0, True, today, settings)
    try:
        await bot.send_message(query.from_user.id, text, reply_markup=kb)
    except (TelegramForbiddenError, TelegramBadRequest):
        # Never opened a private chat with the bot (or blocked it): a bot cannot start one.
        me = await bot.me()
        await query.answer(
            _(
                "I cannot write to you privately yet. Open a chat with @{bot} and send /start, "
                "then tap this button again."
            ).format(bot=me.username),
            show_alert=True,
        )
        return
    await query.answer(_("Sent to your private chat with me."))


async def day_list_refused(query: CallbackQuery) -> None:
    await query.answer(_("Only admins can use these buttons."))


async def _checkin_refused(
    browser: CheckupBrowser, code: str, exc: BookingError, settings: Settings
) -> str:
    if exc.code is BookingErrorCode.BOOKING_UNKNOWN:
        return _("No booking with code {code}.").format(code=q(code))
    if exc.code is BookingErrorCode.NOT_YET:
        view = await browser.booking(code)
        assert view is not None
        return _("Booking {code} is on {when}; check-in opens that day.").format(
            code=code, when=when_text(view.slot.starts_at, settings.tz)
        )
    assert exc.booking is not None
    text = _("Booking {code} is {status}; only booked checkups can be checked in.")
    return text.format(code=code, status=status_text(BookingStatus(exc.booking.status)))


def _checkin_done(view: BookingView, attended: bool, driver: str | None, settings: Settings) -> str:
    """What a check-in did; `driver` (a name) only where names may show."""
    when = when_text(view.slot.starts_at, settings.tz)
    service = q(service_label(view.service))
    if driver is None:
        text = (
            _("✅ {code} attended: {service}, {when}.")
            if attended
            else _("🚫 {code} marked as a no-show: {service}, {when}.")
        )
        return text.format(code=view.code, service=service, when=when)
    text = (
        _("✅ {code} attended: {driver}, {service}, {when}.")
        if attended
        else _("🚫 {code} marked as a no-show: {driver}, {service}, {when}.")
    )
    return text.format(code=view.code, driver=driver, service=service, when=when)


async def checkin(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    checkups: CheckupServices,
) -> None:
    parts = (command.args or "").split()
    if not parts or len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in NO_SHOW_WORDS):
        await message.answer(_("Usage: /checkin CODE, or /checkin CODE noshow"))
        return
    code, attended = parts[0].upper(), len(parts) == 1
    browser = checkups.browser
    try:
        await checkups.bookings.check_in(code, attended, clock())
    except BookingError as exc:
        await message.answer(await _checkin_refused(browser, code, exc, settings))
        return
    view = await browser.booking(code)
    assert view is not None
    driver = None
    if _is_private(message):  # a name never shows in a group
        person = (await browser.recipients([view.user_id])).get(view.user_id)
        driver = q(person.name) if person else _("(erased)")
    text = _checkin_done(view, attended, driver, settings)
    after_commit(session, lambda: _answer(message, text))


async def _answer(message: Message, text: str) -> None:
    await message.answer(text)


async def close_day(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    bot: Bot,
    checkups: CheckupServices,
) -> None:
    parts = (command.args or "").split(maxsplit=2)
    day = _parse_day(parts[1]) if len(parts) >= 2 else None
    if day is None:
        await message.answer(_("Usage: /close_day PROVIDER_ID YYYY-MM-DD [reason]"))
        return
    browser, now = checkups.browser, clock()
    provider = await browser.provider(parts[0])
    if provider is None:
        await message.answer(_("No checkup provider with id {id}.").format(id=q(parts[0])))
        return
    if day < now.astimezone(settings.tz).date():
        await message.answer(_("{day} is in the past.").format(day=day_text(day)))
        return
    reason = parts[2].strip()[:200] if len(parts) == 3 else ""
    earlier = await browser.closed_on(provider.id, day)
    if earlier is not None:  # e.g. the first reply never arrived: say what that one did
        text = _(
            "🚫 {provider} was already closed on {day}; nothing changed. Bookings it "
            "cancelled: {count} (their drivers are told)."
        ).format(provider=q(provider.name), day=day_text(day), count=earlier)
        await message.answer(text)
        return
    closed = await checkups.bookings.close_day(provider.id, day, now, reason)
    text = _(
        "🚫 {provider} is closed on {day}. Bookings cancelled: {count}; "
        "their drivers are being told."
    ).format(provider=q(provider.name), day=day_text(day), count=len(closed))

    async def tell() -> None:
        await settle_ui(message.answer(text))
        if closed:  # owed as rows: what fails here, the every-minute job sends later
            await checkups.notifier.day_closed(closed, now)

    after_commit(session, tell)


def create_router() -> Router:
    router = Router(name="checkup_admin")
    router.message.filter(Command(*CHECKUP_ADMIN_COMMANDS))
    router.message.register(bookings_today, Command("bookings_today"), IsAdmin())
    router.message.register(checkin, Command("checkin"), IsAdmin())
    router.message.register(close_day, Command("close_day"), IsAdmin())
    router.message.register(refuse)
    router.callback_query.register(day_list_tap, DayListCb.filter(), IsAdmin())
    router.callback_query.register(day_list_refused, DayListCb.filter())
    return router
