"""/mybookings: upcoming checkups with cancel and move buttons; answers to waitlist offers.

Buttons carry a booking code or an offer id, and every action checks that it belongs to the
driver who tapped: someone else's code is answered exactly like an unknown one.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.after_commit import after_commit
from bot.db.checkups.statuses import BookingStatus, WaitlistStatus
from bot.db.types import Clock
from bot.services.checkups.bookings import (
    CANCEL_CUTOFF,
    BookingError,
    BookingErrorCode,
)
from bot.services.checkups.browse import BookingView, CheckupBrowser
from bot.services.users.profiles import UserProfile
from handlers.checkups.callbacks import MineCb, OfferCb
from handlers.checkups.flow import open_move
from handlers.checkups.kit import CheckupServices
from handlers.checkups.texts import (
    BOOKING_ERRORS,
    booked_text,
    error_text,
    nav_kb,
    service_label,
    too_late_text,
    when_text,
)
from handlers.common.editing import edit_in_place, settle_ui, show_outcome
from handlers.common.filters import N_, private_only
from handlers.common.texts import q


def list_view(
    bookings: list[BookingView], settings: Settings
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The list, or a line saying there is none (no keyboard at all: an empty one would
    never compare equal to the message Telegram sends back, and be edited again)."""
    kb = InlineKeyboardBuilder()
    if not bookings:
        return _("You have no upcoming checkups. Book one with 🩺 Checkup booking or /book."), None
    lines = [_("📋 <b>Your upcoming checkups</b>")]
    for i, b in enumerate(bookings, 1):
        item = _("{n}. {service}\n   📅 {when}\n   🏥 {provider}\n   Code: <code>{code}</code>")
        lines.append(
            item.format(
                n=i,
                service=q(service_label(b.service)),
                when=when_text(b.slot.starts_at, settings.tz),
                provider=q(b.provider.name),
                code=b.code,
            )
        )
        move, cancel = _("🔁 Move {code}"), _("❌ Cancel {code}")
        kb.button(text=move.format(code=b.code), callback_data=MineCb(a="move", c=b.code))
        kb.button(text=cancel.format(code=b.code), callback_data=MineCb(a="cancel", c=b.code))
    kb.adjust(2)
    return "\n\n".join(lines), kb.as_markup()


async def my_bookings(
    message: Message,
    settings: Settings,
    clock: Clock,
    user: UserProfile,
    checkups: CheckupServices,
) -> None:
    upcoming = await checkups.browser.upcoming(user.id, clock())
    text, kb = list_view(upcoming, settings)
    await message.answer(text, reply_markup=kb)


async def _own(browser: CheckupBrowser, code: str, user: UserProfile) -> BookingView | None:
    """The driver's booking with this code; someone else's looks exactly like none."""
    view = await browser.booking(code)
    return view if view is not None and view.user_id == user.id else None


def _is_upcoming(view: BookingView, now: datetime) -> bool:
    return view.status is BookingStatus.ACTIVE and view.slot.ends_at > now


# What a tap on an outdated button of a booking that is over says (a toast), by status.
OVER_TOASTS = {
    BookingStatus.CANCELLED: N_("This booking is already cancelled."),
    BookingStatus.CLOSED: N_("The provider closed that day; this booking is cancelled."),
    BookingStatus.ATTENDED: N_("This checkup is done."),
}


async def mine(
    query: CallbackQuery,
    callback_data: MineCb,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    user: UserProfile,
    bot: Bot,
    checkups: CheckupServices,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer(_("This button is no longer valid."))
        return
    browser, now = checkups.browser, clock()
    if callback_data.a == "list":
        await state.clear()  # the list replaces a booking form shown in this message
        await query.answer()
        await edit_in_place(message, *list_view(await browser.upcoming(user.id, now), settings))
        return
    own = await _own(browser, callback_data.c, user)
    if own is None or not _is_upcoming(own, now):
        # An outdated button (the list changed since) or a forged one: say so quietly and
        # show the list as it is now (an unchanged list is not edited again).
        if own is None:
            toast = error_text(BookingErrorCode.BOOKING_UNKNOWN)
        else:
            toast = _(OVER_TOASTS.get(own.status, BOOKING_ERRORS[BookingErrorCode.NOT_ACTIVE]))
        await query.answer(toast)
        await edit_in_place(message, *list_view(await browser.upcoming(user.id, now), settings))
        return
    view = own
    if callback_data.a in {"move", "cancel"} and view.slot.starts_at - now < CANCEL_CUTOFF:
        await query.answer(too_late_text(view, settings), show_alert=True)
        return
    if callback_data.a == "move":
        await open_move(
            query, state, checkups.form, view.code, view.service.id, view.provider.id, now,
            user, settings.tz,
        )  # fmt: skip
        return
    if callback_data.a == "cancel":
        kb = InlineKeyboardBuilder()
        kb.button(text=_("❌ Yes, cancel it"), callback_data=MineCb(a="yes", c=view.code))
        kb.button(text=_("⬅️ Keep it"), callback_data=MineCb(a="list"))
        kb.adjust(1, 1)
        await query.answer()
        text = _("Cancel this checkup?\n\n{service}\n📅 {when}\n🏥 {provider}\nCode: {code}")
        text = text.format(
            service=q(service_label(view.service)),
            when=when_text(view.slot.starts_at, settings.tz),
            provider=q(view.provider.name),
            code=view.code,
        )
        await edit_in_place(message, text, kb.as_markup())
        return
    try:
        offer = await checkups.bookings.cancel(user.id, view.code, now)
    except BookingError as exc:
        if exc.code is BookingErrorCode.TOO_LATE:
            text = too_late_text(view, settings)
        else:
            text = error_text(exc.code, BookingErrorCode.NOT_ACTIVE)
        await query.answer(text, show_alert=True)
        return
    kb = InlineKeyboardBuilder()
    kb.button(text=_("📋 My bookings"), callback_data=MineCb(a="list"))
    text = _("❌ Booking {code} is cancelled. Thank you for freeing the seat for another driver.")
    text = text.format(code=view.code)

    async def show() -> None:
        await settle_ui(query.answer())  # the driver who tapped first, then the next in line
        await show_outcome(message, text, kb.as_markup())
        if offer is not None:  # the seat is held for that driver meanwhile
            await checkups.notifier.offers([offer], now)

    after_commit(session, show)


async def offer_answer(
    query: CallbackQuery,
    callback_data: OfferCb,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    user: UserProfile,
    bot: Bot,
    checkups: CheckupServices,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer(_("This button is no longer valid."))
        return
    service, now = checkups.bookings, clock()
    browser = checkups.browser
    try:
        if callback_data.a == "y":
            booking = await service.accept_offer(user.id, callback_data.w, now)
            text, kb = await _booked(browser, booking.code, settings, now)
            toast, nxt = _("Booked!"), None
        else:
            nxt = await service.decline_offer(user.id, callback_data.w, now)
            text, kb, toast = _("OK. The seat goes to the next driver waiting."), None, None
    except BookingError as exc:
        if exc.code is not BookingErrorCode.ALREADY_BOOKED:
            await _offer_over(query, message, browser, callback_data, exc, settings, now, user)
            return
        # Booked meanwhile: holding the seat would only keep it from the next driver.
        nxt = await service.decline_offer(user.id, callback_data.w, now)
        text, kb = _("You already have this checkup booked (see /mybookings), so the seat "
                     "goes to the next driver waiting."), None  # fmt: skip
        toast = None

    async def show() -> None:
        await settle_ui(query.answer(toast))
        await show_outcome(message, text, kb)
        if nxt is not None:
            await checkups.notifier.offers([nxt], now)

    after_commit(session, show)


async def _booked(
    browser: CheckupBrowser, code: str, settings: Settings, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    view = await browser.booking(code)
    assert view is not None
    reminders = await browser.pending_reminders(code)
    return booked_text(view, settings.tz, now, reminders), nav_kb(view.provider)


async def _offer_over(
    query: CallbackQuery,
    message: Message,
    browser: CheckupBrowser,
    callback_data: OfferCb,
    exc: BookingError,
    settings: Settings,
    now: datetime,
    user: UserProfile,
) -> None:
    """A tap on an offer that is over: a toast, and the offer shows its final state (taken,
    declined, expired...) with what the driver can do next."""
    if (
        exc.code is BookingErrorCode.OFFER_UNKNOWN
    ):  # not theirs: never edit a message that is not their offer
        await query.answer(error_text(exc.code))
        return
    offer = await browser.offer(callback_data.w)
    assert offer is not None
    done = await browser.active_in_slot(user.id, offer.slot.id)
    if offer.status is WaitlistStatus.BOOKED and done is not None:  # taken: the booking it became
        await query.answer(
            _("You took this seat: code {code}. See /mybookings.").format(code=done.code)
        )
        await edit_in_place(message, *await _booked(browser, done.code, settings, now))
        return
    if offer.status is WaitlistStatus.DECLINED:
        text = _("You let this seat go to the next driver. To book another time: /book")
    else:
        text = (
            error_text(exc.code, BookingErrorCode.OFFER_GONE)
            + "\n"
            + _("To book another time: /book")
        )
    await query.answer(error_text(exc.code, BookingErrorCode.OFFER_GONE))
    await edit_in_place(message, text, None)


def create_router() -> Router:
    router = Router(name="my_bookings")
    private_only(router)
    router.message.register(my_bookings, Command("mybookings"))
    router.callback_query.register(mine, MineCb.filter())
    router.callback_query.register(offer_answer, OfferCb.filter())
    return router
