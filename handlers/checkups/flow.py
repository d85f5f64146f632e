"""体检预约: service → provider → day → time → confirm, all in one message edited in place.

The choices made so far live in the FSM state (`BookingFormState`); each button says only
what was tapped, and one handler per kind of button asks the form service
(`checkups.form`) for the next screen and draws it. Every choice is checked against the
database again when it is used, so an old or forged button can at worst show an alert.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Self
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ContentType, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.after_commit import after_commit
from bot.db.types import Clock
from bot.services.checkups.bookings import BookingErrorCode
from bot.services.checkups.form import (
    BookingForm,
    Choices,
    NotWaitlisted,
    Refused,
    SeatFree,
    Step,
    parse_day,
    parse_month,
    parse_slot,
)
from bot.services.users.profiles import UserProfile
from handlers.checkups.callbacks import BookCb
from handlers.checkups.kit import CheckupServices
from handlers.checkups.texts import booked_text, error_text, nav_kb, too_late_text, when_text
from handlers.checkups.views import confirm_token, render, weekday_text
from handlers.common.editing import edit_flow, edit_in_place, settle_ui, show_outcome
from handlers.common.filters import N_, Button, ContentIs, IsCommand, private_only
from handlers.common.forms import FormState, OpenForm, form_closed
from handlers.common.menu import main_menu_kb
from handlers.common.texts import location_request_kb

BACK_TO_LIST = N_("⬅️ Back to the list")
FORM_CLOSED = N_("This booking form is closed. Tap 🩺 Checkup booking to start again.")
GONE = N_("That choice is no longer available.")
NOOP_TOASTS = {
    "none": N_("No checkup times that day."),
    "yours": N_("That is the time you have now. Pick another one to move to."),
}


class BookSteps(StatesGroup):
    flow = State()
    location = State()  # waiting for a shared location to sort providers by distance


@dataclass(frozen=True, slots=True)
class BookingFormState(FormState):
    """The booking form: its message, the key that makes a double confirm book once, and
    the choices. Kept under the keys the form has always used, so a form open across a
    restart (Redis) goes on."""

    open_in = (BookSteps.flow, BookSteps.location)
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    choices: Choices = field(default_factory=Choices)

    def to_data(self) -> dict[str, Any]:
        c = self.choices
        data: dict[str, Any] = {"mid": self.mid, "key": self.key}
        values = {
            "svc": c.service,
            "prov": c.provider,
            "month": f"{c.month[0]:04d}-{c.month[1]:02d}" if c.month else None,
            "day": c.day.isoformat() if c.day else None,
            "slot": c.slot,
            "move": c.moving,
        }
        data |= {k: v for k, v in values.items() if v is not None}
        if c.origin is not None:
            data["lat"], data["lon"] = c.origin
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self | None:
        mid, key = data.get("mid"), data.get("key")
        if not isinstance(mid, int) or not isinstance(key, str):
            return None
        lat, lon = _number(data.get("lat")), _number(data.get("lon"))
        choices = Choices(
            service=_text(data.get("svc")),
            provider=_text(data.get("prov")),
            month=parse_month(data["month"]) if isinstance(data.get("month"), str) else None,
            day=parse_day(data["day"]) if isinstance(data.get("day"), str) else None,
            slot=parse_slot(str(data["slot"])) if data.get("slot") is not None else None,
            moving=_text(data.get("move")),
            origin=(lat, lon) if lat is not None and lon is not None else None,
        )
        return cls(mid=mid, key=key, choices=choices)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


# --- entry points ----------------------------------------------------------------------
async def start_booking(
    message: Message, state: FSMContext, checkups: CheckupServices, clock: Clock
) -> None:
    """The menu button and /book."""
    await state.clear()
    step = await checkups.form.screen(Choices(), clock(), None)
    text, kb = render(step.screen, checkups.tz)
    sent = await message.answer(text, reply_markup=kb)
    await BookingFormState(mid=sent.message_id).save(state, BookSteps.flow)


async def open_move(
    query: CallbackQuery,
    state: FSMContext,
    service: BookingForm,
    code: str,
    service_id: str,
    provider_id: str,
    now: datetime,
    user: UserProfile,
    tz: ZoneInfo,
) -> None:
    """/mybookings → 🔁: the form for the same service, on the booking's own message."""
    assert isinstance(query.message, Message)
    choices = Choices(service=service_id, provider=provider_id, moving=code)
    step = await service.screen(choices, now, user.city)
    opened = BookingFormState(mid=query.message.message_id)
    await query.answer()
    await _show(query.message, state, opened, step, tz)


async def _show(
    message: Message,
    state: FSMContext,
    form: BookingFormState,
    step: Step,
    tz: ZoneInfo,
    at: State | None = BookSteps.flow,
) -> None:
    """Draw the step on the form's message and keep its choices (at FSM state `at`; None:
    where it is). A step without choices ends the form."""
    text, kb = render(step.screen, tz)
    if step.choices is None:
        await state.clear()
        await edit_in_place(message, text, kb)
        return
    await replace(form, choices=step.choices).save(state, at)
    await edit_flow(message, state, text, kb)


# --- the buttons of the open form --------------------------------------------------------
async def _answer_pick(query: CallbackQuery, step: Step) -> None:
    if step.stale:
        await query.answer(_(GONE), show_alert=True)
    else:
        await query.answer()


async def pick_service(
    query: CallbackQuery,
    callback_data: BookCb,
    state: FSMContext,
    form: BookingFormState,
    checkups: CheckupServices,
    clock: Clock,
    user: UserProfile,
) -> None:
    choices, value = form.choices, callback_data.v
    step = await checkups.form.pick_service(choices, value, user.id, clock(), user.city)
    await _answer_pick(query, step)
    await _show(_message(query), state, form, step, checkups.tz)


Pick = Callable[[BookingForm, Choices, str, datetime, str | None], Awaitable[Step]]


def _picker(pick: Pick) -> Callable[..., Awaitable[None]]:
    """The handler of a choice that needs only the tapped value: a provider, a calendar
    page, a day, a time (`pick` is the form service's method for it)."""

    async def handler(
        query: CallbackQuery,
        callback_data: BookCb,
        state: FSMContext,
        form: BookingFormState,
        checkups: CheckupServices,
        clock: Clock,
        user: UserProfile,
    ) -> None:
        step = await pick(checkups.form, form.choices, callback_data.v, clock(), user.city)
        await _answer_pick(query, step)
        await _show(_message(query), state, form, step, checkups.tz)

    handler.__name__ = handler.__qualname__ = pick.__name__
    return handler


pick_provider = _picker(BookingForm.pick_provider)
pick_month = _picker(BookingForm.pick_month)
pick_day = _picker(BookingForm.pick_day)
pick_slot = _picker(BookingForm.pick_slot)


async def back(
    query: CallbackQuery,
    state: FSMContext,
    form: BookingFormState,
    checkups: CheckupServices,
    clock: Clock,
    user: UserProfile,
) -> None:
    step = await checkups.form.back(form.choices, clock(), user.city)
    await query.answer()
    await _show(_message(query), state, form, step, checkups.tz)


async def label(query: CallbackQuery, callback_data: BookCb, state: FSMContext) -> None:
    """A label: a day without times, a full time, the time a move starts from."""
    await state.set_state(BookSteps.flow)  # a tap on the form ends waiting for a location
    value = callback_data.v
    await query.answer(_(NOOP_TOASTS[value]) if value in NOOP_TOASTS else None)


async def weekday(
    query: CallbackQuery,
    callback_data: BookCb,
    state: FSMContext,
    form: BookingFormState,
    checkups: CheckupServices,
    clock: Clock,
) -> None:
    """A weekday in the calendar's head: its days with free times."""
    await state.set_state(BookSteps.flow)
    value = callback_data.v
    found = None
    if value.isdecimal():
        found = await checkups.form.weekday(form.choices, int(value), clock())
    await query.answer(weekday_text(found) if found is not None else None)


async def close(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await edit_in_place(_message(query), _("Closed. Tap 🩺 Checkup booking to start again."))


async def near(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(BookSteps.location)
    await query.answer()
    await _message(query).answer(
        _("Share your location and I will put the nearest places first."),
        reply_markup=location_request_kb(BACK_TO_LIST, _("Or tap “Back to the list”")),
    )


def _message(query: CallbackQuery) -> Message:
    assert isinstance(query.message, Message)  # OpenForm checked it
    return query.message


# --- confirming ----------------------------------------------------------------------------
async def confirm(
    query: CallbackQuery,
    callback_data: BookCb,
    state: FSMContext,
    form: BookingFormState,
    checkups: CheckupServices,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    user: UserProfile,
    bot: Bot,
) -> None:
    message, now, choices, tz = _message(query), clock(), form.choices, checkups.tz
    slot = choices.slot
    shown = "" if slot is None else confirm_token(choices.moving is not None, slot)
    if slot is None or (callback_data.v and callback_data.v != shown):
        # An older picture of this form (a stale client, a quick double tap): confirm only
        # what the form holds now, once the driver has seen it.
        await query.answer(_("The form has changed: please check it and confirm again."))
        step = await checkups.form.screen(choices, now, user.city)
        await _show(message, state, form, step, tz, at=None)
        return
    outcome = await checkups.form.confirm(choices, user.id, now, form.key, user.city)
    if isinstance(outcome, Refused):
        if outcome.step is None:  # this very move, landed before a retry
            await state.clear()
            await confirmed_before(query, callback_data, checkups, clock, user)
            return
        if outcome.quiet:
            await query.answer()
        elif outcome.code is BookingErrorCode.TOO_LATE and outcome.booking is not None:
            await query.answer(too_late_text(outcome.booking, settings), show_alert=True)
        else:
            await query.answer(error_text(outcome.code), show_alert=True)
        await _show(message, state, form, outcome.step, tz, at=None)
        return
    booked = outcome
    text = booked_text(booked.booking, tz, now, booked.reminders, moved=booked.moved)
    kb = nav_kb(booked.booking.provider)
    toast = _("Moved!") if booked.moved else _("Booked!")  # rendered now: no language after commit

    async def show() -> None:
        await state.clear()  # only once the booking has landed
        await settle_ui(query.answer(toast))
        await show_outcome(message, text, kb)
        if booked.offer is not None:  # the seat given up by the move is held for someone
            await checkups.notifier.offers([booked.offer], now)

    after_commit(session, show)


async def confirmed_before(
    query: CallbackQuery,
    callback_data: BookCb,
    checkups: CheckupServices,
    clock: Clock,
    user: UserProfile,
) -> None:
    """✅ on a form that is over. If its booking (or move) landed, say so and show it there:
    the confirmation may never have reached the driver (Telegram down after the commit)."""
    moved, slot = callback_data.v.startswith("m"), callback_data.v.removeprefix("m")
    done = await checkups.form.landed(user.id, int(slot), moved) if slot.isdecimal() else None
    if done is None or not isinstance(query.message, Message):
        await query.answer(_(FORM_CLOSED))
        return
    await query.answer(
        _("This booking is done: code {code}. See /mybookings.").format(code=done.booking.code)
    )
    text = booked_text(done.booking, checkups.tz, clock(), done.reminders, moved=done.moved)
    await edit_in_place(query.message, text, nav_kb(done.booking.provider))


async def join_waitlist(
    query: CallbackQuery,
    callback_data: BookCb,
    state: FSMContext,
    form: BookingFormState,
    checkups: CheckupServices,
    session: AsyncSession,
    clock: Clock,
    user: UserProfile,
) -> None:
    now, tz = clock(), checkups.tz
    outcome = await checkups.form.join_waitlist(
        form.choices, callback_data.v, user.id, now, user.city
    )
    if outcome is NotWaitlisted.GONE:
        await query.answer(_(GONE), show_alert=True)
        return
    if outcome is NotWaitlisted.MOVING:
        await query.answer()
        return
    if isinstance(outcome, SeatFree):  # a seat came free meanwhile: book it the normal way
        await query.answer(_("A seat is free at this time now: tap it to book."), show_alert=True)
        await _show(_message(query), state, form, outcome.step, tz, at=None)
        return
    if isinstance(outcome, Step):  # booked meanwhile: that booking, to move if wanted
        await query.answer()
        await _show(_message(query), state, form, outcome, tz, at=None)
        return
    assert not isinstance(outcome, NotWaitlisted)
    text = (
        _(
            "🔔 You are on the waitlist for {time}. If a seat frees up, I will message you "
            "and hold it for you for 30 minutes."
        )
        if outcome.added
        else _("You are already on the waitlist for {time}.")
    ).format(time=when_text(outcome.slot.starts_at, tz))

    async def show() -> None:
        await settle_ui(query.answer(text, show_alert=True))

    after_commit(session, show)


# --- sorting by a shared location ----------------------------------------------------------
async def location_shared(
    message: Message,
    state: FSMContext,
    checkups: CheckupServices,
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
    form = await BookingFormState.load(state)
    old = form.mid if form is not None else None
    choices = form.choices if form is not None else Choices()
    wanted = replace(choices, provider=None, month=None, day=None, slot=None, origin=(lat, lon))
    await message.answer(_("Thanks. Nearest places first:"), reply_markup=main_menu_kb())
    step = await checkups.form.screen(wanted, clock(), user.city)
    text, kb = render(step.screen, checkups.tz)
    sent = await message.answer(text, reply_markup=kb)
    assert step.choices is not None  # a screen of the choices never ends the form
    moved = BookingFormState(mid=sent.message_id, choices=step.choices)
    if form is not None:
        moved = replace(moved, key=form.key)
    await moved.save(state, BookSteps.flow)
    if old is not None:  # the old copy of the form would only confuse
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
    router.message.register(start_booking, Command("book"))
    router.message.register(
        location_shared, StateFilter(BookSteps.location), ContentIs(ContentType.LOCATION)
    )
    router.message.register(location_back, StateFilter(BookSteps.location), Button(BACK_TO_LIST))
    router.message.register(location_expected, StateFilter(BookSteps.location), ~IsCommand())
    router.message.register(use_buttons, StateFilter(BookSteps.flow), ~IsCommand())
    buttons = router.callback_query
    open_form = OpenForm(BookingFormState)
    buttons.register(confirm, BookCb.filter(F.a == "ok"), open_form)
    buttons.register(confirmed_before, BookCb.filter(F.a == "ok"))  # on a form that is over
    for action, handler in (
        ("svc", pick_service), ("prov", pick_provider), ("cal", pick_month),
        ("day", pick_day), ("slot", pick_slot), ("back", back), ("wait", join_waitlist),
        ("noop", label), ("wd", weekday), ("x", close), ("near", near),
    ):  # fmt: skip
        buttons.register(handler, BookCb.filter(F.a == action), open_form)
    buttons.register(form_closed(FORM_CLOSED), BookCb.filter())
    return router
