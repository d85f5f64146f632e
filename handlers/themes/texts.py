"""Theme texts in the user's language: months, activity lines, the 📅 screen, the notices.
Activity titles come in both languages; places stay as the file gives them (Chinese)."""

from __future__ import annotations

from html import escape
from typing import Protocol

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_skeleton

from bot.services.themes.browse import (
    ActivityStatus,
    ActivityView,
    MonthScreen,
    Seats,
    ThemeView,
)
from bot.services.themes.notices import MonthNotice
from handlers.common.filters import N_
from handlers.common.texts import city_label, q
from handlers.themes.callbacks import MonthCb, SeatCb
from knowledge.months import first_day

BABEL_LOCALES = {"zh": "zh_Hans_CN", "en": "en"}

STATUS_LABELS = {
    ActivityStatus.TODAY: N_("today"),
    ActivityStatus.TOMORROW: N_("tomorrow"),
    ActivityStatus.OVER: N_("over"),
}


def _english() -> bool:
    return get_i18n().current_locale == "en"


def _babel() -> str:
    return BABEL_LOCALES.get(get_i18n().current_locale, "zh_Hans_CN")


def month_text(month: str, short: bool = False) -> str:
    """2027年3月 / March 2027 (short: Mar 2027)."""
    return format_skeleton("yMMM" if short else "yMMMM", first_day(month), locale=_babel())


class Titled(Protocol):
    @property
    def title_zh(self) -> str: ...
    @property
    def title_en(self) -> str: ...


def title(theme: Titled) -> str:
    return theme.title_en if _english() else theme.title_zh


def description(theme: ThemeView) -> str:
    return theme.description_en if _english() else theme.description_zh


def seats_text(activity: ActivityView) -> str:
    """Where the reader stands with the seats and what checking in earns, or ""."""
    parts = []
    if activity.seats is Seats.MINE or activity.signed_up_before:
        parts.append(_("✅ you are signed up"))
    elif activity.seats is Seats.OPEN:
        parts.append(_("🎟 seats left: {n}").format(n=activity.left))
    elif activity.seats is Seats.FULL:
        parts.append(_("🎟 full"))
    if activity.points:
        parts.append(_("⭐ {n} points for checking in").format(n=activity.points))
    return " · ".join(parts)


def activity_lines(
    activity: ActivityView, with_status: bool = True, with_seats: bool = False
) -> str:
    """Two lines: when and where (with a status word when it is near or over), then what;
    a third with the seats and points when asked for and there are any."""
    when = format_skeleton("MMMEd", activity.day, locale=_babel())
    if activity.time:
        when = f"{when} {activity.time}"
    head = [f"<b>{when}</b>", q(city_label(activity.city)) if activity.city else _("every city")]
    label = STATUS_LABELS.get(activity.status) if with_status else None
    if label:
        head.append(_(label))
    name = q(title(activity))
    if activity.link:
        name = f'<a href="{escape(activity.link, quote=True)}">{name}</a>'
    what = (
        _("{title}, {place}").format(title=name, place=q(activity.place))
        if activity.place
        else name
    )
    lines = " · ".join(head) + "\n" + what
    extra = seats_text(activity) if with_seats else ""
    return f"{lines}\n{extra}" if extra else lines


def _heading(theme: ThemeView) -> str:
    lines = [
        _("📅 <b>{month}: {title}</b>").format(month=month_text(theme.month), title=q(title(theme)))
    ]
    if theme.is_sample:
        lines.append(_("<i>Sample data, for trying the bot out.</i>"))
    if description(theme):
        lines.append(q(description(theme)))
    return "\n".join(lines)


def screen_text(screen: MonthScreen, city: str | None) -> str:
    if screen.theme is None:
        return _("📅 <b>{month}</b>\nNo theme for this month yet.").format(
            month=month_text(screen.month)
        )
    parts = [_heading(screen.theme)]
    if screen.activities:
        # A sample shows its points too (what trying the bot out should show), never seats.
        parts.append("\n".join(activity_lines(a, with_seats=True) for a in screen.activities))
        if not city and any(a.city for a in screen.activities):
            parts.append(_("Add your city with /profile to see its activities first."))
    else:
        parts.append(_("No activities planned this month."))
    return "\n\n".join(parts)


def screen_kb(screen: MonthScreen) -> InlineKeyboardMarkup | None:
    """◀ and ▶ to the nearest months with a theme, and a way back to this month."""
    turn = []
    if screen.before is not None:
        turn.append(_button("◀ " + month_text(screen.before, short=True), screen.before))
    if screen.after is not None:
        turn.append(_button(month_text(screen.after, short=True) + " ▶", screen.after))
    rows = [_seat_button(a, screen.month) for a in screen.activities if a.seats in SEAT_BUTTONS]
    if turn:
        rows.append(turn)
    if screen.month != screen.current:
        rows.append([_button(_("📅 Back to this month"), screen.current)])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


SEAT_BUTTONS = frozenset({Seats.OPEN, Seats.MINE})
SHORT_TITLE = 14  # characters of a title on a seat button (a phone's width)


def _short(activity: ActivityView) -> str:
    name = title(activity)
    return name if len(name) <= SHORT_TITLE else name[: SHORT_TITLE - 1] + "…"


def _seat_button(activity: ActivityView, month: str) -> list[InlineKeyboardButton]:
    """One row: sign up (with the seats left) or cancel."""
    day = format_skeleton("Md", activity.day, locale=_babel())
    if activity.seats is Seats.MINE:
        text, action = _("✖ Cancel my seat: {day} {title}"), "out"
    else:
        text, action = _("✍️ Sign up: {day} {title}"), "in"
    data = SeatCb(a=action, id=activity.id, m=month).pack()  # type: ignore[arg-type]
    return [
        InlineKeyboardButton(text=text.format(day=day, title=_short(activity)), callback_data=data)
    ]


def _button(text: str, month: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=MonthCb(m=month).pack())


def notice_text(notice: MonthNotice) -> str:
    parts = [_heading(notice.theme)]
    if notice.activities:
        lines = "\n".join(activity_lines(a) for a in notice.activities)
        parts.append(_("<b>Activities for you</b>") + "\n" + lines)
    if notice.elsewhere:
        more = _("More in other cities: {n}. Tap 📅 All activities.")
        parts.append(more.format(n=notice.elsewhere))
    return "\n\n".join(parts)


def reminder_text(activity: ActivityView, theme: ThemeView) -> str:
    """No "tomorrow": after quiet hours it may arrive on the day itself."""
    heading = _("⏰ <b>Coming up</b> (this month's theme: {title})").format(title=q(title(theme)))
    return heading + "\n" + activity_lines(activity, with_status=False)


def signup_reminder_text(activity: ActivityView) -> str:
    """The personal reminder to someone signed up: the time and the place, and how to check
    in there."""
    lines = [_("⏰ <b>You are signed up: see you soon</b>"), activity_lines(activity, False)]
    if activity.points:
        lines.append(
            _("At the place, send /attend and the organiser's code: ⭐ {n} points.").format(
                n=activity.points
            )
        )
    else:
        lines.append(_("At the place, send /attend and the organiser's code."))
    return "\n".join(lines)
