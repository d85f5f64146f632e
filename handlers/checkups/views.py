"""The booking form's screens drawn as (text, keyboard): no queries, no Telegram calls.

Each function draws one screen object of `bot.services.checkups.form`; `render` picks the
right one. Which screen to show (and which choices went stale) is the service's business.

Keyboards are built as rows directly: aiogram's InlineKeyboardBuilder deep-copies the whole
keyboard on every button it adds, ~20 ms for the calendar's 44 buttons (~0.5 ms this way).
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from babel.dates import get_day_names

from bot.services.checkups.form import (
    AlreadyBookedScreen,
    CalendarScreen,
    DayScreen,
    MoveKeptScreen,
    ProviderOrder,
    ProvidersScreen,
    Screen,
    ServicesScreen,
    SummaryScreen,
    WeekdayDays,
)
from handlers.checkups.callbacks import BookCb, MineCb
from handlers.checkups.texts import (
    babel_locale,
    booking_card,
    day_text,
    month_text,
    provider_line,
    service_label,
    when_text,
)
from handlers.common.texts import city_label, q

View = tuple[str, InlineKeyboardMarkup]
Rows = list[list[InlineKeyboardButton]]

# Callback data the calendar repeats on every draw, packed once.
_NOOP_NONE = BookCb(a="noop", v="none").pack()
_WEEKDAYS = tuple(BookCb(a="wd", v=str(weekday)).pack() for weekday in range(7))


def confirm_token(moving: bool, slot_id: int) -> str:
    """What ✅ carries: the slot (and "m" for a move), so a tap after the confirm has landed
    finds the booking and says what it was."""
    return f"{'m' if moving else ''}{slot_id}"


def render(screen: Screen, tz: ZoneInfo) -> View:
    match screen:
        case ServicesScreen():
            return services_view(screen)
        case ProvidersScreen():
            return providers_view(screen)
        case CalendarScreen():
            return calendar_view(screen)
        case DayScreen():
            return day_view(screen, tz)
        case SummaryScreen():
            return summary_view(screen, tz)
        case AlreadyBookedScreen():
            return already_booked_view(screen, tz)
        case MoveKeptScreen():
            return move_kept_view()


def _button(text: str, data: BookCb | MineCb | str) -> InlineKeyboardButton:
    packed = data if isinstance(data, str) else data.pack()
    return InlineKeyboardButton(text=text, callback_data=packed)


def _back() -> InlineKeyboardButton:
    return _button(_("⬅️ Back"), BookCb(a="back"))


def _kb(rows: Rows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


def services_view(screen: ServicesScreen) -> View:
    services = screen.services
    rows = [[_button(service_label(s), BookCb(a="svc", v=s.id))] for s in services]
    rows.append(
        [_button(_("📋 My bookings"), MineCb(a="list")), _button(_("✖ Close"), BookCb(a="x"))]
    )
    if not services:
        return _("No checkup has free dates at the moment. Please look again in a few days."), (
            _kb(rows)
        )
    return (
        _(
            "🩺 <b>Free health checkups</b>\n"
            "Evening and weekend times are kept for drivers. Which checkup would you like?"
        ),
        _kb(rows),
    )


def providers_view(screen: ProvidersScreen) -> View:
    rows = [[_button(provider_line(p)[:60], BookCb(a="prov", v=p.id))] for p in screen.providers]
    rows.append([_button(_("📍 Nearest to me"), BookCb(a="near")), _back()])
    text = _("🩺 <b>{service}</b>\nWhere would you like to go? {order}").format(
        service=q(service_label(screen.service)), order=_order_text(screen.order, screen.city)
    )
    return text, _kb(rows)


def _order_text(order: ProviderOrder, city: str | None) -> str:
    if order is ProviderOrder.NEAREST_TO_YOU:
        return _("Nearest to you first.")
    if order is ProviderOrder.CITY_FIRST and city:
        return _("{city} first.").format(city=q(city_label(city)))
    if order is ProviderOrder.NEAREST_TO_CITY and city:
        return _("Nearest to {city} first.").format(city=q(city_label(city)))
    return _("Tap “📍 Nearest to me” to see the nearest first.")


@functools.cache
def _weekday_header(locale: str) -> tuple[InlineKeyboardButton, ...]:
    """Mo Tu We ... / 周一 周二 ...: the narrow forms (M T W T F S S) are ambiguous. A tap
    lists that weekday's days."""
    names = get_day_names("short", locale=locale)
    return tuple(_button(names[i], _WEEKDAYS[i]) for i in range(7))


def calendar_view(screen: CalendarScreen) -> View:
    year, month = screen.month
    days = screen.days
    rows: Rows = [list(_weekday_header(babel_locale()))]
    noop = _button("·", _NOOP_NONE)
    any_full = False
    for week in _weeks_with_days(year, month, days):
        row = []
        for day in week:
            avail = days.get(day) if day.month == month else None
            if avail is None:  # no times that day (or another month's): not a day to pick
                row.append(noop)
                continue
            any_full = any_full or avail.full
            label = f"{day.day}✖" if avail.full else str(day.day)
            row.append(_button(label, BookCb(a="day", v=day.isoformat())))
        rows.append(row)
    index = screen.months.index((year, month))
    nav = []
    if index > 0:
        prev_year, prev_month = screen.months[index - 1]
        nav.append(
            _button(
                "⬅️ " + month_text(date(prev_year, prev_month, 1)),
                BookCb(a="cal", v=f"{prev_year:04d}-{prev_month:02d}"),
            )
        )
    if index < len(screen.months) - 1:
        next_year, next_month = screen.months[index + 1]
        nav.append(
            _button(
                month_text(date(next_year, next_month, 1)) + " ➡️",
                BookCb(a="cal", v=f"{next_year:04d}-{next_month:02d}"),
            )
        )
    if nav:
        rows.append(nav)
    rows.append([_back()])
    legend = [_("<b>{month}</b>: pick a day.").format(month=month_text(date(year, month, 1)))]
    if any_full:
        legend.append(_("Days marked ✖ are fully booked; you can still join the waitlist."))
    # Icons and values only: nothing here to translate.
    head = (
        f"🩺 <b>{q(service_label(screen.service))}</b>\n🏥 {q(screen.provider.name)}\n"
        f"{_moving_line(screen.moving_code)}"
    )
    return f"{head}\n" + "\n".join(legend), _kb(rows)


def weekday_text(found: WeekdayDays) -> str:
    """What a tap on a weekday in the calendar's head says (the head is a row of labels; this
    makes it worth a tap)."""
    name = get_day_names("wide", locale=babel_locale())[found.weekday]
    if not found.days:
        return _("No {weekday} with free times this month.").format(weekday=name)
    return _("{weekday}s with free times: {days}.").format(
        weekday=name, days=_(", ").join(str(day) for day in found.days)
    )


def _moving_line(code: str | None) -> str:
    """Every step of a move says it is one (a line ending in a newline), else nothing."""
    if code is None:
        return ""
    return _("🔁 Moving booking {code}.").format(code=code) + "\n"


def _weeks_with_days(year: int, month: int, days: Mapping[date, Any]) -> list[list[date]]:
    """The month's weeks from the first to the last with a day to pick: weeks of nothing but
    "·" before and after (already past, or not open yet) only cost the phone screen rows."""
    weeks = calendar.Calendar().monthdatescalendar(year, month)
    useful = [
        i for i, week in enumerate(weeks) if any(d.month == month and d in days for d in week)
    ]
    return weeks[useful[0] : useful[-1] + 1] if useful else weeks


def day_view(screen: DayScreen, tz: ZoneInfo) -> View:
    slots, moving = screen.slots, screen.moving_code is not None
    buttons = []
    for slot in slots:
        start = slot.starts_at.astimezone(tz).strftime("%H:%M")
        if slot.id == screen.current_slot_id:  # moving: the time the booking already has
            label = _("{time} · yours").format(time=start)
            buttons.append(_button(label, BookCb(a="noop", v="yours")))
        elif slot.free:
            label = _("{time} · {free} left").format(time=start, free=slot.free)
            buttons.append(_button(label, BookCb(a="slot", v=str(slot.id))))
        elif moving:  # a waitlist offer books anew; it cannot move a booking
            buttons.append(_button(_("{time} · full").format(time=start), BookCb(a="noop")))
        else:
            label = _("{time} · full · 🔔 waitlist").format(time=start)
            buttons.append(_button(label, BookCb(a="wait", v=str(slot.id))))
    buttons.append(_back())  # two a row: Back beside the last time when their number is odd
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    text = _(
        "🩺 <b>{service}</b>\n🏥 {provider}\n{moving}📅 <b>{day}</b>\n\nPick a time "
        "(about {minutes} min):"
    ).format(
        service=q(service_label(screen.service)),
        provider=q(screen.provider.name),
        moving=_moving_line(screen.moving_code),
        day=day_text(screen.day),
        minutes=screen.service.duration_min,
    )
    if not any(s.free for s in slots):
        text += "\n" + _(
            "Every time is taken. Join a waitlist and we will message you if a seat frees up."
        )
    return text, _kb(rows)


def summary_view(screen: SummaryScreen, tz: ZoneInfo) -> View:
    code = screen.moving_code
    confirm = _("✅ Confirm the move") if code is not None else _("✅ Confirm booking")
    token = confirm_token(code is not None, screen.slot.id)
    kb = _kb([[_button(confirm, BookCb(a="ok", v=token))], [_back()]])
    head = _("Please check and confirm:")
    if code is not None:
        head = _(
            "🔁 Move booking {code} to this time? The code stays the same, and you keep your "
            "current time until you confirm."
        ).format(code=code)
    card = booking_card(screen.service, screen.provider, screen.slot, tz)
    return f"{head}\n\n{card}", kb


def already_booked_view(screen: AlreadyBookedScreen, tz: ZoneInfo) -> View:
    booking = screen.booking
    kb = _kb([[_button(_("🔁 Move it"), MineCb(a="move", c=booking.code))], [_back()]])
    text = _(
        "You already have this checkup booked: code <code>{code}</code>, {when} at {provider}. "
        "You can move it to another time."
    ).format(
        code=booking.code,
        when=when_text(booking.slot.starts_at, tz),
        provider=q(booking.provider.name),
    )
    return text, kb


def move_kept_view() -> View:
    kb = _kb([[_button(_("📋 My bookings"), MineCb(a="list"))]])
    return _("Your booking stays as it was."), kb
