"""Checkup texts in the user's language: dates, slots, booking cards, reminders, offers."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.dates import format_skeleton

from bot.config import Settings
from bot.db.checkups.statuses import BookingStatus, ReminderKind
from bot.services.checkups.bookings import CANCEL_CUTOFF, BookingErrorCode
from bot.services.checkups.browse import BookingView, ProviderView, ServiceView, SlotView
from handlers.common.filters import N_
from handlers.common.texts import add_map_buttons, q
from handlers.stations.texts import distance_text

BABEL_LOCALES = {"zh": "zh_Hans_CN", "en": "en"}

STATUS_LABELS = {
    BookingStatus.ACTIVE: N_("booked"),
    BookingStatus.ATTENDED: N_("✅ attended"),
    BookingStatus.NO_SHOW: N_("🚫 no-show"),
    BookingStatus.CANCELLED: N_("cancelled"),
    BookingStatus.CLOSED: N_("closed by the provider"),
    BookingStatus.LAPSED: N_("not checked in"),
}

BOOKING_ERRORS = {
    BookingErrorCode.SLOT_UNKNOWN: N_("This time is no longer available. Please pick another."),
    BookingErrorCode.FULL: N_(
        "Sorry, the last seat at that time was just taken. Please pick another time."
    ),
    BookingErrorCode.SAME_SLOT: N_(
        "That is the time you already have. Pick a different one to move."
    ),
    BookingErrorCode.BOOKING_UNKNOWN: N_("This booking was not found."),
    BookingErrorCode.NOT_ACTIVE: N_("This booking is no longer active."),
    BookingErrorCode.OFFER_UNKNOWN: N_("This offer was not found."),
    BookingErrorCode.OFFER_GONE: N_("This offer is no longer open."),
    BookingErrorCode.OFFER_EXPIRED: N_(
        "Sorry, this offer has expired and the seat went to the next driver."
    ),
}


def error_text(
    code: BookingErrorCode, default: BookingErrorCode = BookingErrorCode.SLOT_UNKNOWN
) -> str:
    msgid = BOOKING_ERRORS.get(code) or BOOKING_ERRORS[default]
    return _(msgid)


def status_text(status: BookingStatus) -> str:
    msgid = STATUS_LABELS.get(status)
    return _(msgid) if msgid else status


def locale() -> str:
    return get_i18n().current_locale


def babel_locale() -> str:
    return BABEL_LOCALES.get(locale(), "zh_Hans_CN")


def day_text(day: date) -> str:
    """11月24日周二 / Tue, Nov 24."""
    return format_skeleton("MMMEd", day, locale=babel_locale())


def month_text(day: date) -> str:
    return format_skeleton("yMMMM", day, locale=babel_locale())


def when_text(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{day_text(local.date())} {local:%H:%M}"


def slot_time(slot: SlotView, service: ServiceView, tz: ZoneInfo) -> str:
    """When to be there and how long the checkup takes. The slot's own end says nothing
    about that: a 60-minute checkup can start every 30 minutes."""
    return _("{time}, about {minutes} min").format(
        time=f"{slot.starts_at.astimezone(tz):%H:%M}", minutes=service.duration_min
    )


def provider_line(provider: ProviderView) -> str:
    if provider.distance_km is None:
        return provider.name
    return f"{provider.name} · {distance_text(provider.distance_km)}"


def service_label(service: ServiceView) -> str:
    return _("{name} ({minutes} min)").format(
        name=service.name(locale()), minutes=service.duration_min
    )


def booking_card(service: ServiceView, provider: ProviderView, slot: SlotView, tz: ZoneInfo) -> str:
    """The lines every step after choosing a time repeats: what, where, when, how to prepare."""
    lines = [f"🩺 {q(service_label(service))}", f"🏥 {q(provider.name)}"]
    if provider.address:
        lines.append(f"📍 {q(provider.address)}")
    if provider.phone:
        lines.append(f"☎️ {q(provider.phone)}")
    day = day_text(slot.starts_at.astimezone(tz).date())
    lines.append(f"📅 {day} {slot_time(slot, service, tz)}")
    prep = service.prep(locale())
    if prep:
        lines.append(_("📝 Preparation: {prep}").format(prep=q(prep)))
    return "\n".join(lines)


def cancel_deadline(slot: SlotView) -> datetime:
    """The last moment a booking of the slot can be cancelled or moved here."""
    return slot.starts_at - CANCEL_CUTOFF


REMINDER_PROMISES = {
    frozenset({ReminderKind.EVENING, ReminderKind.SOON}): N_(
        "We will remind you the evening before and 2 hours before."
    ),
    frozenset({ReminderKind.SOON}): N_("We will remind you 2 hours before."),
    frozenset({ReminderKind.EVENING}): N_("We will remind you the evening before."),
}


def booked_text(
    view: BookingView,
    tz: ZoneInfo,
    now: datetime,
    reminders: frozenset[ReminderKind],
    moved: bool = False,
) -> str:
    """A booking just made (or moved). It promises only the reminders that are due to go
    out (`reminders`: the kinds still pending) and a cancel only while one is possible."""
    head = (
        _("🔁 <b>Moved!</b> Your code stays <code>{code}</code>: show it at the reception.")
        if moved
        else _("✅ <b>Booked!</b> Your code is <code>{code}</code>: show it at the reception.")
    )
    after = []
    promise = REMINDER_PROMISES.get(reminders)
    if promise:
        after.append(_(promise))
    if now <= cancel_deadline(view.slot):
        after.append(
            _("To cancel or move it (until {time}): /mybookings").format(
                time=when_text(cancel_deadline(view.slot), tz)
            )
        )
    else:
        after.append(_("It starts in less than 2 hours, so it can no longer be changed here."))
    return "\n\n".join(
        [
            head.format(code=view.code),
            booking_card(view.service, view.provider, view.slot, tz),
            "\n".join(after),  # one line each: no space between sentences in Chinese
        ]
    )


def nav_kb(provider: ProviderView) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    add_map_buttons(kb, provider.lat, provider.lon, provider.name, provider.address)
    kb.adjust(3)
    return kb.as_markup()


def reminder_text(
    view: BookingView, kind: ReminderKind, now: datetime, tz: ZoneInfo, help_phone: str = ""
) -> str:
    """The day is said relative to when the reminder goes out: quiet hours can move the
    evening reminder to the morning of the checkup itself. It offers only what the driver
    can still do: cancel here (and until when) while that is allowed, else a number to call."""
    local = view.slot.starts_at.astimezone(tz)
    days_left = (local.date() - now.astimezone(tz).date()).days
    if kind is ReminderKind.SOON or days_left <= 0:
        head = _("⏰ <b>Your checkup starts at {time}</b> (code <code>{code}</code>)")
    elif days_left == 1:
        head = _("⏰ <b>Reminder: your checkup is tomorrow</b> (code <code>{code}</code>)")
    else:
        head = _("⏰ <b>Reminder: your checkup is on {day}</b> (code <code>{code}</code>)")
    parts = [
        head.format(code=view.code, time=f"{local:%H:%M}", day=day_text(local.date())),
        booking_card(view.service, view.provider, view.slot, tz),
    ]
    deadline = cancel_deadline(view.slot)
    phone = view.provider.phone or help_phone
    if kind is not ReminderKind.SOON and now < deadline:
        parts.append(
            _("Cannot make it? Cancel in /mybookings by {time} so the seat goes to another "
              "driver.").format(time=when_text(deadline, tz))
        )  # fmt: skip
    elif phone:
        parts.append(
            _("Cannot make it? Please call {phone} to tell them, so the seat can go to "
              "someone else.").format(phone=q(phone))
        )  # fmt: skip
    return "\n\n".join(parts)


def offer_text(
    service: ServiceView, provider: ProviderView, slot: SlotView, expires: datetime, tz: ZoneInfo
) -> str:
    return "\n\n".join(
        [
            _("🔔 <b>A seat is free for you!</b>"),
            booking_card(service, provider, slot, tz),
            _("It is held for you until {time}. Book it?").format(
                time=expires.astimezone(tz).strftime("%H:%M")
            ),
        ]
    )


def closed_text(view: BookingView, tz: ZoneInfo, reason: str) -> str:
    text = _(
        "⚠️ <b>{provider} is closed on {day}.</b> Your booking {code} ({service}, {time}) is "
        "cancelled. We are sorry. Please pick another day with 🩺 Checkup booking."
    ).format(
        provider=q(view.provider.name),
        day=day_text(view.slot.starts_at.astimezone(tz).date()),
        code=view.code,
        service=q(view.service.name(locale())),
        time=view.slot.starts_at.astimezone(tz).strftime("%H:%M"),
    )
    if reason:
        text += "\n" + _("Reason: {reason}").format(reason=q(reason))
    return text


def too_late_text(view: BookingView, settings: Settings) -> str:
    """A cancel or move refused because the start is less than 2 hours away."""
    phone = view.provider.phone or settings.booking_help_phone
    if phone:
        return _(
            "Your checkup starts in less than 2 hours, so it can no longer be changed here. "
            "Please call {phone} to tell them."
        ).format(phone=phone)
    return _(
        "Your checkup starts in less than 2 hours, so it can no longer be changed here. "
        "Please tell {provider} directly."
    ).format(provider=view.provider.name)
