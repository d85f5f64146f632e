"""Theme texts in the user's language: months, activity lines, the 📅 screen, the notices.
Activity titles come in both languages; places stay as the file gives them (Chinese)."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_skeleton

from bot.services.themes.browse import ActivityStatus, ActivityView, MonthScreen, ThemeView
from bot.services.themes.notices import MonthNotice
from handlers.common.filters import N_
from handlers.common.texts import city_label, q
from handlers.themes.callbacks import MonthCb
from knowledge.themes.programme import first_day

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


def title(theme: ThemeView | ActivityView) -> str:
    return theme.title_en if _english() else theme.title_zh


def description(theme: ThemeView) -> str:
    return theme.description_en if _english() else theme.description_zh


def activity_lines(activity: ActivityView, with_status: bool = True) -> str:
    """Two lines: when and where (with a status word when it is near or over), then what."""
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
    return " · ".join(head) + "\n" + what


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
        parts.append("\n".join(activity_lines(a) for a in screen.activities))
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
    rows = [turn] if turn else []
    if screen.month != screen.current:
        rows.append([_button(_("📅 Back to this month"), screen.current)])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


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
