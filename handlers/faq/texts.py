"""Words for the FAQ's screens, in the reader's language."""

from __future__ import annotations

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.i18n import N_
from knowledge.faq.model import NO_ACTION, Faq, Topic

TOPIC_LABELS: dict[Topic, str] = {
    Topic.RIGHTS: N_("✊ Your rights"),
    Topic.INSURANCE: N_("🛡 Insurance"),
    Topic.INJURY: N_("🚑 Injury"),
    Topic.LEGAL_AID: N_("⚖️ Legal aid"),
    Topic.HOTLINES: N_("📞 Hotlines"),
    Topic.STATIONS: N_("🏠 Stations"),
    Topic.CHECKUPS: N_("🩺 Checkups"),
    Topic.POINTS: N_("⭐ Points"),
}

# The related action's button, by the action's kind (knowledge/faq/model.py).
ACTION_LABELS: dict[str, str] = {
    "complaint": N_("📝 File a complaint about this"),
    "snap": N_("📸 Report it"),
    "nearest": N_("📍 Find a station with it"),
    "checkup": N_("🩺 Book a checkup"),
    "points": N_("⭐ My points"),
    "shop": N_("🛒 Points shop"),
    "tasks": N_("🤝 Volunteer tasks"),
}

HELPFUL, UNHELPFUL = N_("👍 Helpful"), N_("👎 Not helpful")
# The thumb the reader pressed, marked (✓ beside the thumb: the label still fits its half).
HELPFUL_MARKED, UNHELPFUL_MARKED = N_("👍✓ Helpful"), N_("👎✓ Not helpful")


def language() -> str:
    """The reader's language for the file's fields: "en", or "zh" for anything else."""
    return "en" if get_i18n().current_locale == "en" else "zh"


def topic_label(topic: Topic) -> str:
    return _(TOPIC_LABELS[topic])


def action_label(action: str) -> str | None:
    """The button for an entry's related action; None when it offers none."""
    if not action or action == NO_ACTION:
        return None
    label = ACTION_LABELS.get(action.partition(":")[0])
    return None if label is None else _(label)


def thumb_label(helpful: bool, marked: bool) -> str:
    if helpful:
        return _(HELPFUL_MARKED) if marked else _(HELPFUL)
    return _(UNHELPFUL_MARKED) if marked else _(UNHELPFUL)


def question(entry: Faq, lang: str) -> str:
    return entry.questions_en[0] if lang == "en" else entry.questions_zh[0]


def answer(entry: Faq, lang: str) -> str:
    return entry.answer_en if lang == "en" else entry.answer_zh


def source(entry: Faq, lang: str) -> str:
    return entry.source_en if lang == "en" else entry.source_zh
