"""体检预约: service → provider → day → time → confirm, all in one message edited in place.

The choices made so far live in the FSM state; each button says only what was tapped, and
"back" drops the newest choice. Every choice is checked against the database again when it
is used, so an old or forged button can at worst show an alert.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    ContentType,
    Message,
    TelegramObject,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.after_commit import after_commit
from bot.db.types import Clock
from bot.services.checkups.bookings import BookingError, BookingErrorCode, BookingService
from bot.services.checkups.browse import CheckupBrowser
from bot.services.users.profiles import UserProfile
from handlers.checkups.callbacks import BookCb, MineCb
from handlers.checkups.kit import CheckupServices
from handlers.checkups.texts import booked_text, error_text, nav_kb, too_late_text, when_text
from handlers.checkups.views import (
    Stale,
    already_booked_view,
    chosen_slot,
    drop_last,
    render,
    services_view,
    weekday_days,
)
from handlers.common.editing import edit_flow, edit_in_place, settle_ui, show_outcome
from handlers.common.filters import N_, Button, ContentIs, IsCommand, private_only
from handlers.common.menu import main_menu_kb
from handlers.common.texts import location_request_kb

BACK_TO_LIST = N_("⬅️ Back to the list")
NOOP_TOASTS = {
    "none": N_("No checkup times that day."),
    "yours": N_("That is the time you have now. Pick another one to move to."),
}


class BookSteps(StatesGroup):
    flow = State()
    location = State()  # waiting for a shared location to sort providers by distance


async def _inject(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    data["browser"] = CheckupBrowser(data["session"], data["settings"].tz)
    return await handler(event, data)


# --- entry points ----------------------------------------------------------------------
async def start_booking(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
) -> None:
    """The menu button and /book (the menu router has no injected browser)."""
    await state.clear()
    text, kb = await services_view(CheckupBrowser(session, settings.tz), clock())
    sent = await message.answer(text, reply_markup=kb)
    await state.set_state(BookSteps.flow)
    await state.set_data({"mid": sent.message_id, "key": uuid.uuid4().hex})


async def start_move(
    query: CallbackQuery,
    state: FSMContext,
    browser: CheckupBrowser,
    code: str,
    service_id: str,
    provider_id: str,
    now: datetime,
    user: UserProfile,
    tz: ZoneInfo,
) -> None:
    """/mybookings → 🔁: the flow for the same service, on the booking's own message."""
    assert isinstance(query.message, Message)
    data = {"mid": query.message.message_id, "key": uuid.uuid4().hex, "move": code,
            "svc": service_id, "prov": provider_id}  # fmt: skip
    (text, kb), data = await render(browser, now, data, user, tz)
    await state.set_state(BookSteps.flow)
    await state.set_data(data)
    await query.answer()
    await edit_flow(query.message, state, text, kb)


FORM_CLOSED = N_("This booking form is closed. Tap 🩺 Checkup booking to start again.")


async def _current_flow(state: FSMContext, query: CallbackQuery) -> dict[str, Any] | None:
    """The flow's data, if the button belongs to the flow message still open."""
    data = await state.get_data()
    message = query.message
    current = await state.get_state() in {BookSteps.flow.state, BookSteps.location.state}
    if not current or not isinstance(message, Message) or data.get("mid") != message.message_id:
        return None
    return data


async def _flow_data(query: CallbackQuery, state: FSMContext) -> dict[str, Any] | None:
    """_current_flow; a button of a form that is over gets a quiet toast saying how to start
    again (a toast, not an alert: nothing went wrong)."""
    data = await _current_flow(state, query)
    if data is None:
        await query.answer(_(FORM_CLOSED))
    return data


async def step(
    query: CallbackQuery,
    callback_data: BookCb,
    state: FSMContext,
    browser: CheckupBrowser,
    settings: Settings,
    clock: Clock,
    user: UserProfile,
) -> None:
    data = await _flow_data(query, state)
    if data is None:
        return
    assert isinstance(query.message, Message)
    await state.set_state(BookSteps.flow)  # a tap on the form ends waiting for a location
    action, value = callback_data.a, callback_data.v
    if action == "noop":  # a label: a day without times, a full time
        await query.answer(_(NOOP_TOASTS[value]) if value in NOOP_TOASTS else None)
        return
    if action == "wd":  # a weekday in the calendar's head: its days with free times
        toast = None
        if value.isdigit() and int(value) < 7 and "prov" in data and "svc" in data:
            toast = await weekday_days(browser, clock(), data, int(value))
        await query.answer(toast)
        return
    if action == "x":
        await state.clear()
        await query.answer()
        await edit_in_place(
            query.message, _("Closed. Tap 🩺 Checkup booking to start again."), None
        )
        return
    if action == "near":
        await state.set_state(BookSteps.location)
        await query.answer()
        await query.message.answer(
            _("Share your location and I will put the nearest places first."),
            reply_markup=location_request_kb(BACK_TO_LIST, _("Or tap “Back to the list”")),
        )
        return
    wanted = dict(data)
    if action == "back":
        if "move" in data and "prov" not in drop_last(data):
            await _leave_move(query, state)
            return
        wanted = drop_last(data)
    elif action == "svc":
        wanted = {k: data[k] for k in ("mid", "key", "lat", "lon") if k in data} | {"svc": value}
    elif action == "prov":
        wanted = {k: v for k, v in data.items() if k not in {"day", "slot", "month"}}
        wanted["prov"] = value
    elif action == "cal":
        wanted = {k: v for k, v in data.items() if k not in {"day", "slot"}} | {"month": value}
    elif action == "day":
        wanted = {k: v for k, v in data.items() if k != "slot"} | {"day": value}
    elif action == "slot":
        wanted = data | {"slot": value}
    now = clock()
    if action == "svc" and "move" not in wanted:
        mine = [b for b in await browser.upcoming(user.id, now) if b.service.id == value]
        if mine:
            await query.answer()
            await edit_flow(
                query.message,
                state,
                *already_booked_view(
                    mine[0].code,
                    when_text(mine[0].slot.starts_at, settings.tz),
                    mine[0].provider.name,
                ),
            )
            return
    (text, kb), shown = await render(browser, now, wanted, user, settings.tz)
    if action in {"svc", "prov", "cal", "day", "slot"} and shown != wanted:
        await query.answer(_("That choice is no longer available."), show_alert=True)
    else:
        await query.answer()
    await state.set_data(shown)
    await edit_flow(query.message, state, text, kb)


async def _leave_move(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    assert isinstance(query.message, Message)
    kb = InlineKeyboardBuilder()
    kb.button(text=_("📋 My bookings"), callback_data=MineCb(a="list"))
    await edit_in_place(query.message, _("Your booking stays as it was."), kb.as_markup())


async def confirm(
    query: CallbackQuery,
    callback_data: BookCb,
    state: FSMContext,
    browser: CheckupBrowser,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    user: UserProfile,
    bot: Bot,
    checkups: CheckupServices,
) -> None:
    data = await _current_flow(state, query)
    if data is None:
        await _confirmed_before(query, callback_data, browser, settings, clock(), user)
        return
    assert isinstance(query.message, Message)
    message, now = query.message, clock()
    shown = ("m" if "move" in data else "") + str(data.get("slot", ""))
    if "slot" not in data or (callback_data.v and callback_data.v != shown):
        # An older picture of this form (a stale client, a quick double tap): confirm only
        # what the form holds now, once the driver has seen it.
        await query.answer(_("The form has changed: please check it and confirm again."))
        (text, kb), fresh = await render(browser, now, data, user, settings.tz)
        await state.set_data(fresh)
        await edit_flow(message, state, text, kb)
        return
    service = BookingService(session, settings.tz)
    offer, moving = None, "move" in data
    try:
        slot_id = int(data["slot"])
        if moving:  # first: a lost race rolls the session back (see BookingService)
            booking, offer = await service.reschedule(user.id, data["move"], slot_id, now)
        else:
            booking = await service.book(user.id, slot_id, now, request_key=data["key"])
    except BookingError as exc:
        if (
            exc.code is BookingErrorCode.SAME_SLOT and moving
        ):  # this very move, landed before a retry
            await state.clear()
            await _confirmed_before(query, callback_data, browser, settings, now, user)
            return
        await _refused(query, state, browser, data, exc, user, settings, now)
        return
    view = await browser.booking(booking.code)
    assert view is not None
    reminders = await browser.pending_reminders(booking.code)
    text = booked_text(view, settings.tz, now, reminders, moved=moving)
    kb = nav_kb(view.provider)
    toast = _("Moved!") if moving else _("Booked!")  # rendered now: no language after commit

    async def show() -> None:
        await state.clear()  # only once the booking has landed
        await settle_ui(query.answer(toast))
        await show_outcome(message, text, kb)
        if offer is not None:  # the seat given up by the move is held for someone
            await checkups.notifier.offers(bot, [offer], now)

    after_commit(session, show)


async def _confirmed_before(
    query: CallbackQuery,
    callback_data: BookCb,
    browser: CheckupBrowser,
    settings: Settings,
    now: datetime,
    user: UserProfile,
) -> None:
    """✅ on a form that is over. If its booking (or move) landed, say so and show it there:
    the confirmation may never have reached the driver (Telegram down after the commit)."""
    moved, slot = callback_data.v.startswith("m"), callback_data.v.removeprefix("m")
    done = await browser.active_in_slot(user.id, int(slot)) if slot.isdigit() else None
    if done is None or not isinstance(query.message, Message):
        await query.answer(_(FORM_CLOSED))
        return
    await query.answer(
        _("This booking is done: code {code}. See /mybookings.").format(code=done.code)
    )
    reminders = await browser.pending_reminders(done.code)
    text = booked_text(done, settings.tz, now, reminders, moved=moved)
    await edit_in_place(query.message, text, nav_kb(done.provider))


async def _refused(
    query: CallbackQuery,
    state: FSMContext,
    browser: CheckupBrowser,
    data: dict[str, Any],
    exc: BookingError,
    user: UserProfile,
    settings: Settings,
    now: datetime,
) -> None:
    assert isinstance(query.message, Message)
    if (
        exc.code in {BookingErrorCode.ALREADY_BOOKED, BookingErrorCode.TOO_LATE}
        and exc.booking is not None
    ):
        existing = await browser.booking(exc.booking.code)
        # The form starts over; its Back button leads to the list of checkups.
        await state.set_data({k: data[k] for k in ("mid", "key")})
        if existing is None or exc.code is BookingErrorCode.TOO_LATE:
            if existing is not None:
                await query.answer(too_late_text(existing, settings), show_alert=True)
            else:
                await query.answer()
            (text, kb), _shown = await render(browser, now, {}, user, settings.tz)
            await edit_flow(query.message, state, text, kb)
        else:
            await query.answer()
            when = when_text(existing.slot.starts_at, settings.tz)
            await edit_flow(
                query.message,
                state,
                *already_booked_view(existing.code, when, existing.provider.name),
            )
        return
    await query.answer(error_text(exc.code), show_alert=True)
    (text, kb), shown = await render(browser, now, drop_last(data), user, settings.tz)
    await state.set_data(shown)
    await edit_flow(query.message, state, text, kb)


async def join_waitlist(
    query: CallbackQuery,
    callback_data: BookCb,
    state: FSMContext,
    browser: CheckupBrowser,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    user: UserProfile,
) -> None:
    data = await _flow_data(query, state)
    if data is None:
        return
    now = clock()
    try:
        slot = await chosen_slot(browser, now, data | {"slot": callback_data.v})
    except (Stale, ValueError, KeyError):
        await query.answer(_("That choice is no longer available."), show_alert=True)
        return
    if "move" in data:
        await query.answer()
        return
    if slot.free:  # a seat came free meanwhile: book it the normal way
        await query.answer(_("A seat is free at this time now: tap it to book."), show_alert=True)
        assert isinstance(query.message, Message)
        (text, kb), shown = await render(browser, now, data, user, settings.tz)
        await state.set_data(shown)
        await edit_flow(query.message, state, text, kb)
        return
    added = await BookingService(session, settings.tz).join_waitlist(user.id, slot.id, now)
    text = (
        _(
            "🔔 You are on the waitlist for {time}. If a seat frees up, I will message you "
            "and hold it for you for 30 minutes."
        )
        if added
        else _("You are already on the waitlist for {time}.")
    ).format(time=when_text(slot.starts_at, settings.tz))

    async def show() -> None:
        await settle_ui(query.answer(text, show_alert=True))

    after_commit(session, show)


# --- sorting by a shared location ----------------------------------------------------------
async def location_shared(
    message: Message,
    state: FSMContext,
    browser: CheckupBrowser,
    settings: Settings,
    clock: Clock,
    user: UserProfile,
    bot: Bot,
) -> None:
    assert message.location is not None
    lat, lon = message.location.latitude, message.location.longitude
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        await message.answer(
            _("Those coordinates are not a real place. Please share your location again.")
        )
        return
    data = await state.get_data()
    data = {k: v for k, v in data.items() if k not in {"day", "slot", "month", "prov"}}
    data |= {"lat": lat, "lon": lon}
    await message.answer(_("Thanks. Nearest places first:"), reply_markup=main_menu_kb())
    (text, kb), data = await render(browser, clock(), data, user, settings.tz)
    sent = await message.answer(text, reply_markup=kb)
    old = data.get("mid")
    await state.set_state(BookSteps.flow)
    await state.set_data(data | {"mid": sent.message_id})
    if isinstance(old, int):  # the old copy of the form would only confuse
        with contextlib.suppress(TelegramBadRequest):
            await bot.delete_message(message.chat.id, old)


async def location_back(message: Message, state: FSMContext) -> None:
    await state.set_state(BookSteps.flow)
    await message.answer(_("OK. The list is above."), reply_markup=main_menu_kb())


async def location_expected(message: Message) -> None:
    await message.answer(
        _("Please tap “📍 Share my location”, or “Back to the list”."),
        reply_markup=location_request_kb(BACK_TO_LIST, _("Or tap “Back to the list”")),
    )


async def use_buttons(message: Message) -> None:
    await message.answer(
        _("Please use the buttons of the booking form above, or send /cancel to leave it.")
    )


def create_router() -> Router:
    router = Router(name="checkups")
    private_only(router)
    for observer in (router.message, router.callback_query):
        observer.middleware(_inject)
    router.message.register(start_booking, Command("book"))
    router.message.register(
        location_shared, StateFilter(BookSteps.location), ContentIs(ContentType.LOCATION)
    )
    router.message.register(location_back, StateFilter(BookSteps.location), Button(BACK_TO_LIST))
    router.message.register(location_expected, StateFilter(BookSteps.location), ~IsCommand())
    router.message.register(use_buttons, StateFilter(BookSteps.flow), ~IsCommand())
    router.callback_query.register(confirm, BookCb.filter(F.a == "ok"))
    router.callback_query.register(join_waitlist, BookCb.filter(F.a == "wait"))
    router.callback_query.register(step, BookCb.filter())
    return router
