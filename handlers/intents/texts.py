"""What the free-text feature says, and the words on the buttons it offers for a reading."""

from __future__ import annotations

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.i18n import N_
from handlers.common.texts import city_label
from handlers.complaints.texts import category_label as complaint_label
from handlers.snaps.texts import category_label as snap_label
from handlers.stations.texts import FILTERS
from knowledge.complaints.categories import Category
from knowledge.faq.model import Faq
from knowledge.intents.book import Intent
from knowledge.intents.matcher import Guess
from knowledge.snaps.categories import SnapCategory

QUESTION_CHARS = 26  # an FAQ question on a button: one line on a phone

LABELS = {
    Intent.NEAREST: N_("📍 Nearby stations"),
    Intent.CHECKUP: N_("🩺 Book a checkup"),
    Intent.MY_BOOKINGS: N_("🩺 My checkup bookings"),
    Intent.COMPLAINT: N_("📝 File a complaint"),
    Intent.MY_CASES: N_("📝 My complaints"),
    Intent.SNAP: N_("📸 Snap report"),
    Intent.POINTS: N_("⭐ My points"),
    Intent.SHOP: N_("🛒 Points shop"),
    Intent.MY_VOUCHERS: N_("🎫 My vouchers"),
    Intent.TASKS: N_("🤝 Volunteer tasks"),
    Intent.ACTIVITIES: N_("📅 This month's activities"),
    Intent.HELP: N_("❓ What the bot can do"),
    Intent.HUMAN: N_("🙋 Ask a person"),
}
ASK_A_PERSON = LABELS[Intent.HUMAN]


def question_of(faq: Faq) -> str:
    """The entry's first question in the reader's language."""
    english = get_i18n().current_locale == "en"
    questions = faq.questions_en if english and faq.questions_en else faq.questions_zh
    return questions[0] if questions else faq.key


def _short(text: str) -> str:
    return text if len(text) <= QUESTION_CHARS else text[: QUESTION_CHARS - 1] + "…"


def guess_label(guess: Guess, faq: Faq | None) -> str:
    """A reading on a button: "📍 Nearby stations · Shower · 自贡", "❓ 运费被拖欠怎么办"."""
    if guess.intent is Intent.FAQ:
        return "❓ " + _short(question_of(faq) if faq is not None else guess.faq)
    parts = [_(LABELS.get(guess.intent, LABELS[Intent.HELP]))]
    if guess.intent is Intent.NEAREST and guess.slot in FILTERS:
        parts.append(_(FILTERS[guess.slot].word))
    elif guess.intent is Intent.COMPLAINT and guess.slot:
        parts.append(complaint_label(Category(guess.slot)))
    elif guess.intent is Intent.SNAP and guess.slot:
        parts.append(snap_label(SnapCategory(guess.slot)))
    if guess.city:
        parts.append(city_label(guess.city))
    return " · ".join(parts)


def greeting() -> str:
    return _(
        "👋 Hello! Tell me in a few words what you need, for example “where can I take a "
        "shower”, “complain about unpaid freight” or “book a checkup”, or use the menu below."
    )


def thanks() -> str:
    return _("You are welcome! Drive safely. 🚚")


def choices_head() -> str:
    return _("🤔 Did you mean one of these?")


def not_understood(text: str) -> str:
    return _(
        "I did not understand “{text}”. Try a few words such as “nearest shower” or “file a "
        "complaint”, use the menu below, or ask a person: our staff answer here."
    ).format(text=text)


def chosen(label: str) -> str:
    return f"➡️ {label}"
