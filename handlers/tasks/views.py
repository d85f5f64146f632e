"""The volunteer's screens: /tasks (open tasks near me, my tasks, the opt-in) and one task's
screen with what the person may do on it. At most four rows of buttons."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.tasks.statuses import TakerStatus
from bot.services.tasks.model import Detail, Screen
from bot.services.tasks.service import PAGE
from handlers.common.texts import q
from handlers.tasks.callbacks import TaskCb
from handlers.tasks.notices import phase, short, task_lines
from handlers.tasks.texts import city_text, taker_status_label, window

LETTERS = "ABCD"


def list_screen(s: Screen, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("🤝 <b>Volunteer tasks</b>")]
    if s.city:
        lines.append(_("Open near you ({city} and all cities):").format(city=q(s.city)))
    else:
        lines.append(_("Open to all cities (set your city with /profile to see tasks near you):"))
    kb = InlineKeyboardBuilder()
    widths = []
    for i, task in enumerate(s.open, start=1):
        lines.append(
            _("{n}. <b>{title}</b> · {window} · 📍 {place} · {left} left · ⭐ {points}").format(
                n=i,
                title=q(short(task.title, 40)),
                window=window(task, tz),
                place=q(short(task.place, 30)),
                left=task.left,
                points=task.points,
            )
        )
        kb.button(text=str(i), callback_data=TaskCb(a="show", t=task.id, p=s.page))
    if not s.open:
        lines.append(_("No open tasks near you right now."))
    if s.open:
        widths.append(len(s.open))
    pages = max(1, -(-s.total_open // PAGE))
    if pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=s.page + 1, pages=pages))
        if s.page > 0:
            kb.button(text="◀", callback_data=TaskCb(a="list", p=s.page - 1))
        if s.page < pages - 1:
            kb.button(text="▶", callback_data=TaskCb(a="list", p=s.page + 1))
        widths.append(int(s.page > 0) + int(s.page < pages - 1))
    if s.mine:
        lines.append("\n" + _("<b>My tasks</b>"))
        for letter, mine in zip(LETTERS, s.mine, strict=False):
            lines.append(
                _("{letter}. {title} ({window}): {status}").format(
                    letter=letter,
                    title=q(short(mine.task.title, 40)),
                    window=window(mine.task, tz),
                    status=taker_status_label(mine.status),
                )
            )
            kb.button(text=letter, callback_data=TaskCb(a="show", t=mine.task.id, p=s.page))
        widths.append(len(s.mine))
    lines.append(
        "\n"
        + (
            _("🔔 You hear of new tasks.")
            if s.subscribed
            else _("🔕 You do not hear of new tasks.")
        )
    )
    if s.subscribed:
        kb.button(text=_("🔕 Stop telling me about new tasks"), callback_data=TaskCb(a="unsub"))
    else:
        kb.button(text=_("🔔 Tell me about new tasks"), callback_data=TaskCb(a="sub"))
    widths.append(1)
    kb.adjust(*widths)
    return "\n".join(lines), kb.as_markup()


def detail_screen(
    d: Detail, now: datetime, tz: ZoneInfo, page: int = 0
) -> tuple[str, InlineKeyboardMarkup]:
    task = d.task
    lines = [f"🤝 <b>{q(task.title)}</b>"]  # the title alone: nothing to translate
    if task.description:
        lines.append(q(short(task.description, 600)))
    lines += task_lines(task, tz)
    lines.append(_("Status: {status}").format(status=phase(task, now)))
    if d.mine is not None:
        lines.append(_("Your place: <b>{status}</b>").format(status=taker_status_label(d.mine)))
    if d.mine is TakerStatus.TAKEN and not d.may_withdraw and not d.may_report:
        lines.append(_("You can report it done once it starts."))
    kb = InlineKeyboardBuilder()
    if d.may_take:
        kb.button(text=_("🙋 Take a place"), callback_data=TaskCb(a="take", t=task.id, p=page))
    if d.may_report:
        kb.button(text=_("✅ Report done"), callback_data=TaskCb(a="done", t=task.id, p=page))
    if d.may_withdraw:
        kb.button(
            text=_("↩️ Give the place back"), callback_data=TaskCb(a="leave", t=task.id, p=page)
        )
    kb.button(text=_("⬅️ All tasks"), callback_data=TaskCb(a="list", p=page))
    kb.adjust(1)
    return "\n".join(lines), kb.as_markup()


def done_screen(title: str, task_id: int, page: int) -> tuple[str, InlineKeyboardMarkup]:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("➡️ No photo"), callback_data=TaskCb(a="nophoto", t=task_id, p=page))
    kb.button(text=_("⬅️ Back"), callback_data=TaskCb(a="show", t=task_id, p=page))
    kb.adjust(2)
    text = _("📷 Done with <b>{title}</b>? Send a photo of the work now, or tap “No photo”.")
    return text.format(title=q(title)), kb.as_markup()


__all__ = ["city_text", "detail_screen", "done_screen", "list_screen"]
