"""The booking form's steps, each rendered from the choices made so far (no Telegram calls).

A step raises `Stale` when a stored or tapped choice no longer fits the data (a provider
that stopped offering the service, a day that filled up and closed...); `render` then drops
the newest choice and shows the step before, so an old or forged button never breaks the form.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.dates import get_day_names

from bot.services.checkups.browse import CheckupBrowser, ProviderView, SlotView
from bot.services.users.profiles import UserProfile
from handlers.checkups.callbacks import BookCb, MineCb
from handlers.checkups.texts import (
    babel_locale,
    booking_card,
    day_text,
    month_text,
    provider_line,
    service_label,
)
from handlers.common.texts import city_label, q
from knowledge.cities import city_by_name

View = tuple[str, InlineKeyboardMarkup]
# The order choices are made in; "back" removes the last one present.
CHOICES = ("svc", "prov", "day", "slot")
MAX_PROVIDERS = 20
MAX_SLOTS = 90  # 45 rows of two, and Back: within Telegram's 100 buttons


class Stale(Exception):
    """A stored or tapped choice no longer fits the data: drop it and show the step before."""


def _back(kb: InlineKeyboardBuilder) -> None:
    kb.button(text=_("⬅️ Back"), callback_data=BookCb(a="back"))


# --- the steps ---------------------------------------------------------------------------
async def services_view(browser: CheckupBrowser, now: datetime) -> View:
    services = await browser.services(now)
    kb = InlineKeyboardBuilder()
    for service in services:
        kb.button(text=service_label(service), callback_data=BookCb(a="svc", v=service.id))
    kb.button(text=_("📋 My bookings"), callback_data=MineCb(a="list"))
    kb.button(text=_("✖ Close"), callback_data=BookCb(a="x"))
    kb.adjust(*([1] * len(services)), 2)
    if not services:
        return _("No checkup has free dates at the moment. Please look again in a few days."), (
            kb.as_markup()
        )
    return (
        _(
            "🩺 <b>Free health checkups</b>\n"
            "Evening and weekend times are kept for drivers. Which checkup would you like?"
        ),
        kb.as_markup(),
    )


async def providers_view(
    browser: CheckupBrowser, now: datetime, data: dict[str, Any], user: UserProfile
) -> View:
    service = await browser.service(data["svc"])
    origin = (data["lat"], data["lon"]) if "lat" in data else None
    # Telegram shows at most 100 buttons: the nearest (or the driver's city's) come first.
    providers = (await browser.providers(data["svc"], now, origin, user.city))[:MAX_PROVIDERS]
    if service is None or not providers:
        raise Stale
    kb = InlineKeyboardBuilder()
    for provider in providers:
        kb.button(text=provider_line(provider)[:60], callback_data=BookCb(a="prov", v=provider.id))
    kb.button(text=_("📍 Nearest to me"), callback_data=BookCb(a="near"))
    _back(kb)
    kb.adjust(*([1] * len(providers)), 2)
    order = _order_text(providers, origin is not None, user.city)
    text = _("🩺 <b>{service}</b>\nWhere would you like to go? {order}").format(
        service=q(service_label(service)), order=order
    )
    return text, kb.as_markup()


def _order_text(providers: list[ProviderView], by_location: bool, city: str | None) -> str:
    """How the list is sorted, said only when it is true: a driver in a city without any
    provider is not told that city's come first."""
    if by_location:
        return _("Nearest to you first.")
    if city and any(p.city == city for p in providers):
        return _("{city} first.").format(city=q(city_label(city)))
    if city and city_by_name(city) is not None:  # sorted by the distance from its centre
        return _("Nearest to {city} first.").format(city=q(city_label(city)))
    return _("Tap “📍 Nearest to me” to see the nearest first.")


def _weekday_header() -> list[str]:
    """Mo Tu We ... / 周一 周二 ...: the narrow forms (M T W T F S S) are ambiguous."""
    names = get_day_names("short", locale=babel_locale())
    return [names[i] for i in range(7)]


async def calendar_view(browser: CheckupBrowser, now: datetime, data: dict[str, Any]) -> View:
    service = await browser.service(data["svc"])
    provider = await browser.provider(data["prov"])
    days = {d.day: d for d in await browser.calendar(data["prov"], data["svc"], now)}
    if service is None or provider is None or not days:
        raise Stale
    months = sorted({(d.year, d.month) for d in days})
    shown = data.get("month")
    year, month = (int(shown[:4]), int(shown[5:7])) if shown else months[0]
    if (year, month) not in months:
        year, month = months[0]
    kb = InlineKeyboardBuilder()
    for weekday, name in enumerate(_weekday_header()):  # a tap lists that weekday's days
        kb.button(text=name, callback_data=BookCb(a="wd", v=str(weekday)))
    any_full = False
    weeks = _weeks_with_days(year, month, days)
    for week in weeks:
        for day in week:
            avail = days.get(day) if day.month == month else None
            if avail is None:  # no times that day (or another month's): not a day to pick
                kb.button(text="·", callback_data=BookCb(a="noop", v="none"))
            elif avail.full:
                any_full = True
                kb.button(text=f"{day.day}✖", callback_data=BookCb(a="day", v=day.isoformat()))
            else:
                kb.button(text=str(day.day), callback_data=BookCb(a="day", v=day.isoformat()))
    rows = [7] * (1 + len(weeks))
    index = months.index((year, month))
    nav = 0
    if index > 0:
        prev_year, prev_month = months[index - 1]
        kb.button(
            text="⬅️ " + month_text(date(prev_year, prev_month, 1)),
            callback_data=BookCb(a="cal", v=f"{prev_year:04d}-{prev_month:02d}"),
        )
        nav += 1
    if index < len(months) - 1:
        next_year, next_month = months[index + 1]
        kb.button(
            text=month_text(date(next_year, next_month, 1)) + " ➡️",
            callback_data=BookCb(a="cal", v=f"{next_year:04d}-{next_month:02d}"),
        )
        nav += 1
    _back(kb)
    kb.adjust(*rows, *([nav] if nav else []), 1)
    legend = [_("<b>{month}</b>: pick a day.").format(month=month_text(date(year, month, 1)))]
    if any_full:
        legend.append(_("Days marked ✖ are fully booked; you can still join the waitlist."))
    # Icons and values only: nothing here to translate.
    head = f"🩺 <b>{q(service_label(service))}</b>\n🏥 {q(provider.name)}\n{_moving_line(data)}"
    return f"{head}\n" + "\n".join(legend), kb.as_markup()


async def weekday_days(
    browser: CheckupBrowser, now: datetime, data: dict[str, Any], weekday: int
) -> str:
    """What a tap on a weekday in the calendar's head says: that weekday's days with free
    times in the month shown (the head is a row of labels; this makes it worth a tap)."""
    every = await browser.calendar(data["prov"], data["svc"], now)
    shown = data.get("month")
    if shown:
        month = (int(shown[:4]), int(shown[5:7]))
    elif every:
        month = min((d.day.year, d.day.month) for d in every)
    else:
        month = (0, 0)
    days = [
        d.day.day for d in every
        if (d.day.year, d.day.month) == month and d.day.weekday() == weekday and not d.full
    ]  # fmt: skip
    name = get_day_names("wide", locale=babel_locale())[weekday]
    if not days:
        return _("No {weekday} with free times this month.").format(weekday=name)
    return _("{weekday}s with free times: {days}.").format(
        weekday=name, days=_(", ").join(str(day) for day in days)
    )


def _moving_line(data: dict[str, Any]) -> str:
    """Every step of a move says it is one (a line ending in a newline), else nothing."""
    if "move" not in data:
        return ""
    return _("🔁 Moving booking {code}.").format(code=data["move"]) + "\n"


def _weeks_with_days(year: int, month: int, days: dict[date, Any]) -> list[list[date]]:
    """The month's weeks from the first to the last with a day to pick: weeks of nothing but
    "·" before and after (already past, or not open yet) only cost the phone screen rows."""
    weeks = calendar.Calendar().monthdatescalendar(year, month)
    useful = [
        i for i, week in enumerate(weeks) if any(d.month == month and d in days for d in week)
    ]
    return weeks[useful[0] : useful[-1] + 1] if useful else weeks


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Stale from None


async def day_view(
    browser: CheckupBrowser, now: datetime, data: dict[str, Any], tz: ZoneInfo
) -> View:
    day = _parse_day(data["day"])
    service = await browser.service(data["svc"])
    provider = await browser.provider(data["prov"])
    slots = (await browser.day_slots(data["prov"], data["svc"], day, now))[:MAX_SLOTS]
    if service is None or provider is None or not slots:
        raise Stale
    current = await _current_slot(browser, data)
    kb = InlineKeyboardBuilder()
    for slot in slots:
        start = slot.starts_at.astimezone(tz).strftime("%H:%M")
        if slot.id == current:  # moving: the time the booking already has
            label = _("{time} · yours").format(time=start)
            kb.button(text=label, callback_data=BookCb(a="noop", v="yours"))
        elif slot.free:
            label = _("{time} · {free} left").format(time=start, free=slot.free)
            kb.button(text=label, callback_data=BookCb(a="slot", v=str(slot.id)))
        elif "move" in data:  # a waitlist offer books anew; it cannot move a booking
            kb.button(text=_("{time} · full").format(time=start), callback_data=BookCb(a="noop"))
        else:
            label = _("{time} · full · 🔔 waitlist").format(time=start)
            kb.button(text=label, callback_data=BookCb(a="wait", v=str(slot.id)))
    _back(kb)
    kb.adjust(*([2] * ((len(slots) + 1) // 2)), 1)
    text = _(
        "🩺 <b>{service}</b>\n🏥 {provider}\n{moving}📅 <b>{day}</b>\n\nPick a time "
        "(about {minutes} min):"
    ).format(
        service=q(service_label(service)),
        provider=q(provider.name),
        moving=_moving_line(data),
        day=day_text(day),
        minutes=service.duration_min,
    )
    if not any(s.free for s in slots):
        text += "\n" + _(
            "Every time is taken. Join a waitlist and we will message you if a seat frees up."
        )
    return text, kb.as_markup()


async def _current_slot(browser: CheckupBrowser, data: dict[str, Any]) -> int | None:
    if "move" not in data:
        return None
    booking = await browser.booking(data["move"])
    return booking.slot.id if booking is not None else None


async def chosen_slot(browser: CheckupBrowser, now: datetime, data: dict[str, Any]) -> SlotView:
    slot = await browser.slot(int(data["slot"]))
    fits = (
        slot is not None
        and slot.provider_id == data["prov"]
        and slot.service_id == data["svc"]
        and not slot.closed
        and slot.starts_at > now
    )
    if not fits:
        raise Stale
    assert slot is not None
    return slot


async def summary_view(
    browser: CheckupBrowser, now: datetime, data: dict[str, Any], tz: ZoneInfo
) -> View:
    slot = await chosen_slot(browser, now, data)
    service = await browser.service(data["svc"])
    provider = await browser.provider(data["prov"])
    if service is None or provider is None or not slot.free:
        raise Stale
    kb = InlineKeyboardBuilder()
    confirm = _("✅ Confirm the move") if "move" in data else _("✅ Confirm booking")
    # The slot (and "m" for a move) rides on the button: a tap after the confirm has landed
    # finds the booking and says what it was.
    mark = "m" if "move" in data else ""
    kb.button(text=confirm, callback_data=BookCb(a="ok", v=f"{mark}{slot.id}"))
    _back(kb)
    kb.adjust(1, 1)
    head = _("Please check and confirm:")
    if "move" in data:
        head = _(
            "🔁 Move booking {code} to this time? The code stays the same, and you keep your "
            "current time until you confirm."
        ).format(code=data["move"])
    return f"{head}\n\n{booking_card(service, provider, slot, tz)}", kb.as_markup()


async def render(
    browser: CheckupBrowser, now: datetime, data: dict[str, Any], user: UserProfile, tz: ZoneInfo
) -> tuple[View, dict[str, Any]]:
    """The view for the newest valid choice; choices that went stale are dropped."""
    while True:
        try:
            if "slot" in data:
                return await summary_view(browser, now, data, tz), data
            if "day" in data:
                return await day_view(browser, now, data, tz), data
            if "prov" in data:
                return await calendar_view(browser, now, data), data
            if "svc" in data:
                return await providers_view(browser, now, data, user), data
            return await services_view(browser, now), data
        except (Stale, ValueError, KeyError):  # KeyError: a forged step skipped a choice
            data = drop_last(data)


def drop_last(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    for key in reversed(CHOICES):
        if key in data:
            del data[key]
            if key == "prov":
                data.pop("month", None)
            return data
    return data


def already_booked_view(code: str, when: str, provider: str) -> View:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("🔁 Move it"), callback_data=MineCb(a="move", c=code))
    kb.button(text=_("⬅️ Back"), callback_data=BookCb(a="back"))
    kb.adjust(1, 1)
    text = _(
        "You already have this checkup booked: code <code>{code}</code>, {when} at {provider}. "
        "You can move it to another time."
    ).format(code=code, when=when, provider=q(provider))
    return text, kb.as_markup()
