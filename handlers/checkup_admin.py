"""Admin commands for checkups: the day's bookings, check-in, closing a provider's day."""

from __future__ import annotations

from datetime import date
from itertools import groupby

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.after_commit import after_commit
from bot.db.types import Clock
from bot.services.bookings import BookingError, BookingService
from bot.services.checkup_browse import CheckupBrowser
from handlers.admin import refuse
from handlers.checkup_notices import CheckupNotifier, settle_ui
from handlers.checkup_texts import day_text, service_label, status_text, when_text
from handlers.filters import IsAdmin
from handlers.texts import q

CHECKUP_ADMIN_COMMANDS = ("bookings_today", "checkin", "close_day")
NO_SHOW_WORDS = {"noshow", "no-show", "no_show", "未到", "爽约"}


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


async def bookings_today(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
) -> None:
    arg = (command.args or "").strip()
    day = _parse_day(arg) if arg else clock().astimezone(settings.tz).date()
    if day is None:
        await message.answer(_("Usage: /bookings_today [YYYY-MM-DD]"))
        return
    rows = await CheckupBrowser(session, settings.tz).bookings_on(day)
    if not rows:
        await message.answer(_("No bookings on {day}.").format(day=day_text(day)))
        return
    lines = [_("📋 <b>Bookings on {day}</b>").format(day=day_text(day))]
    for provider, group in groupby(rows, key=lambda r: r[0].provider.name):
        lines.append(f"\n<b>{q(provider)}</b>")
        for view, driver in group:
            local = view.slot.starts_at.astimezone(settings.tz)
            who = q(f"{driver.name} {driver.phone}".strip()) if driver else _("(erased)")
            lines.append(
                f"{local:%H:%M} <code>{view.code}</code> {who or '—'} · "
                f"{q(service_label(view.service))} · {status_text(view.status)}"
            )
    # A long day is split, never cut: Telegram takes at most 4096 characters a message.
    chunk: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) > 3800:
            await message.answer("\n".join(chunk))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    await message.answer("\n".join(chunk))


async def checkin(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
) -> None:
    parts = (command.args or "").split()
    if not parts or len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in NO_SHOW_WORDS):
        await message.answer(_("Usage: /checkin CODE, or /checkin CODE noshow"))
        return
    code, attended = parts[0].upper(), len(parts) == 1
    try:
        await BookingService(session, settings.tz).check_in(code, attended, clock())
    except BookingError as exc:
        if exc.code == "booking_unknown":
            text = _("No booking with code {code}.").format(code=q(code))
        elif exc.code == "not_yet":
            view = await CheckupBrowser(session, settings.tz).booking(code)
            assert view is not None
            text = _("Booking {code} is on {when}; check-in opens that day.").format(
                code=code, when=when_text(view.slot.starts_at, settings.tz)
            )
        else:
            assert exc.booking is not None
            text = _("Booking {code} is {status}; only booked checkups can be checked in.")
            text = text.format(code=code, status=status_text(exc.booking.status))
        await message.answer(text)
        return
    view = await CheckupBrowser(session, settings.tz).booking(code)
    assert view is not None
    driver = (await CheckupBrowser(session, settings.tz).recipients([view.user_id])).get(
        view.user_id
    )
    text = (
        _("✅ {code} attended: {driver}, {service}, {when}.")
        if attended
        else _("🚫 {code} marked as a no-show: {driver}, {service}, {when}.")
    ).format(
        code=code,
        driver=q(driver.name) if driver else _("(erased)"),
        service=q(service_label(view.service)),
        when=when_text(view.slot.starts_at, settings.tz),
    )
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
    checkup_notifier: CheckupNotifier,
) -> None:
    parts = (command.args or "").split(maxsplit=2)
    day = _parse_day(parts[1]) if len(parts) >= 2 else None
    if day is None:
        await message.answer(_("Usage: /close_day PROVIDER_ID YYYY-MM-DD [reason]"))
        return
    browser, now = CheckupBrowser(session, settings.tz), clock()
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
    closed = await BookingService(session, settings.tz).close_day(provider.id, day, now, reason)
    text = _(
        "🚫 {provider} is closed on {day}. Bookings cancelled: {count}; "
        "their drivers are being told."
    ).format(provider=q(provider.name), day=day_text(day), count=len(closed))

    async def tell() -> None:
        await settle_ui(message.answer(text))
        if closed:  # owed as rows: what fails here, the every-minute job sends later
            await checkup_notifier.day_closed(bot, closed, now)

    after_commit(session, tell)


def create_router() -> Router:
    router = Router(name="checkup_admin")
    router.message.filter(Command(*CHECKUP_ADMIN_COMMANDS))
    router.message.register(bookings_today, Command("bookings_today"), IsAdmin())
    router.message.register(checkin, Command("checkin"), IsAdmin())
    router.message.register(close_day, Command("close_day"), IsAdmin())
    router.message.register(refuse)
    return router
