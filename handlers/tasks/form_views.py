"""The screens of the publish form: one prompt per step, the preview, the field picker."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.tasks.statuses import TaskAudience, TaskStatus
from bot.services.tasks.model import Draft, TaskView
from handlers.tasks.callbacks import TaskFormCb
from handlers.tasks.notices import offer_text
from handlers.tasks.texts import audience_label

STEPS = ("title", "description", "place", "city", "when", "places", "points", "audience")
PLACES_PRESETS = ("1", "2", "3", "5", "10")
POINTS_PRESETS = ("0", "10", "20", "50", "100")

Screen = tuple[str, InlineKeyboardMarkup]


def _label(step: str) -> str:
    return {
        "title": _("Title"),
        "description": _("Description"),
        "place": _("Place"),
        "city": _("City"),
        "when": _("Time"),
        "places": _("Volunteers"),
        "points": _("Points"),
        "audience": _("Who may take it"),
    }[step]


def _prompt(step: str) -> str:
    return {
        "title": _(
            "Send the task's title (a few words, e.g. “Road safety leaflets at the toll gate”)."
        ),
        "description": _("Send a description: what volunteers do, what to bring."),
        "place": _("Send the place where volunteers meet (an address or a landmark)."),
        "city": _("Which city? Type its name, or tap “All cities”."),
        "when": _("When? Send the day and the times, e.g. <code>12-20 09:00-12:00</code>."),
        "places": _("How many volunteers are needed (1–100)? Tap or type a number."),
        "points": _("How many points does each volunteer earn (0–1000)? Tap or type."),
        "audience": _("Who may take it?"),
    }[step]


def step_screen(step: str) -> Screen:
    n = STEPS.index(step) + 1
    text = (
        _("📝 <b>New volunteer task</b> · step {n} of {total}: {label}").format(
            n=n, total=len(STEPS), label=_label(step)
        )
        + "\n\n"
        + _prompt(step)
    )
    kb, widths = InlineKeyboardBuilder(), []
    if step == "city":
        kb.button(text=_("🌏 All cities"), callback_data=TaskFormCb(a="all"))
        widths.append(1)
    elif step in ("places", "points"):
        presets = PLACES_PRESETS if step == "places" else POINTS_PRESETS
        for value in presets:
            kb.button(text=value, callback_data=TaskFormCb(a="n", v=value))
        widths.append(len(presets))
    elif step == "audience":
        for audience in TaskAudience:
            kb.button(
                text=audience_label(audience), callback_data=TaskFormCb(a="aud", v=audience.value)
            )
        widths.append(2)
    kb.button(text=_("✖ Cancel"), callback_data=TaskFormCb(a="x"))
    widths.append(1)
    kb.adjust(*widths)
    return text, kb.as_markup()


def draft_of(values: dict[str, Any]) -> Draft | None:
    """The task the answers make, once every step has one."""
    if any(s not in values for s in STEPS):
        return None
    return Draft(
        values["title"],
        values["description"],
        values["place"],
        values["city"] or None,
        datetime.fromisoformat(values["when"][0]),
        datetime.fromisoformat(values["when"][1]),
        int(values["places"]),
        int(values["points"]),
        TaskAudience(values["audience"]),
    )


def preview_screen(draft: Draft, tz: ZoneInfo) -> Screen:
    view = TaskView(
        0,
        draft.title,
        draft.description,
        draft.place,
        draft.city,
        draft.starts_at,
        draft.ends_at,
        draft.places,
        0,
        draft.points,
        draft.audience,
        TaskStatus.OPEN,
        None,
        0,
    )
    text = (
        _("👀 <b>Preview</b>: volunteers will get this offer (with a “Take a place” button).")
        + "\n\n"
        + offer_text(view, tz)
    )
    kb = InlineKeyboardBuilder()
    kb.button(text=_("✅ Publish"), callback_data=TaskFormCb(a="pub"))
    kb.button(text=_("✏️ Change"), callback_data=TaskFormCb(a="edit"))
    kb.button(text=_("✖ Cancel"), callback_data=TaskFormCb(a="x"))
    kb.adjust(1, 2)
    return text, kb.as_markup()


def fields_screen() -> Screen:
    kb = InlineKeyboardBuilder()
    for step in STEPS:
        kb.button(text=_label(step), callback_data=TaskFormCb(a="field", v=step))
    kb.button(text=_("⬅️ Back"), callback_data=TaskFormCb(a="prev"))
    kb.adjust(3, 3, 2, 1)
    return _("✏️ What do you want to change?"), kb.as_markup()
