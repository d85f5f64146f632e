"""The compose form's screens and the preview: text and buttons for each step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.db.users.models import Occupation, Role
from bot.services.broadcasts.compose import MAX_LINKS, fill_name
from bot.services.broadcasts.delivery import Wording
from bot.services.broadcasts.model import LANGUAGES, Broadcast, Target, TargetKind, valid_value
from handlers.broadcasts.callbacks import FormCb, PreviewCb
from handlers.broadcasts.texts import (
    LANGUAGE_NAMES,
    limit_hint,
    target_text,
    when_text,
)
from handlers.common.texts import OCCUPATION_LABELS, city_label, q, role_label

Screen = tuple[str, InlineKeyboardMarkup]
Row = list[InlineKeyboardButton]


def _b(text: str, action: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=FormCb(a=action, v=value).pack())  # type: ignore[arg-type]


def _nav(back: bool = True) -> Row:
    row = [_b(_("⬅️ Back"), "back")] if back else []
    return [*row, _b(_("✖ Cancel"), "x")]


def _kb(*rows: Row) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def text_screen(draft: Broadcast | None) -> Screen:
    text = _(
        "📣 <b>New notice</b> · step 1 of 5\n\n"
        "Send the notice's text: bold, italics and links are kept. For a picture, send one "
        "photo with the text as its caption.\n\n"
        "{name} in the text becomes each driver's name. At most 4096 characters, or 1024 "
        "under a photo."
    ).replace("{name}", "<code>{name}</code>")
    if draft is None:
        return text, _kb(_nav(back=False))
    text += "\n\n" + _("Or keep the text you sent.")
    return text, _kb([_b(_("➡️ Keep this text"), "keep")], _nav(back=False))


def links_screen(draft: Broadcast) -> Screen:
    text = _(
        "🔗 <b>Link buttons</b> · step 2 of 5\n\n"
        "Send one line a button, as <code>label | https://…</code>, at most {max}. "
        "Or tap “No buttons”."
    ).format(max=MAX_LINKS)
    rows = [[_b(_("➡️ No buttons"), "nolinks")]]
    if draft.links:
        labels = ", ".join(q(link.label) for link in draft.links)
        text += "\n\n" + _("Now: {labels}").format(labels=labels)
        rows.insert(0, [_b(_("✅ Keep these buttons"), "keep")])
    return text, _kb(*rows, _nav())


def english_screen(draft: Broadcast) -> Screen:
    text = _(
        "🌐 <b>English version</b> · step 3 of 5\n\n"
        "Drivers who use the bot in English can get a version of their own; everyone else "
        "gets the text you sent."
    )
    if draft.text_en:
        text += "\n\n" + _("Now: with an English version.")
    return text, _kb(
        [_b(_("1️⃣ One text for everyone"), "one")],
        [_b(_("🇬🇧 Add an English version"), "en")],
        _nav(),
    )


def english_text_screen(draft: Broadcast) -> Screen:
    text = _(
        "🇬🇧 Send the English text. The photo and the buttons are the same for both. {limit}"
    ).format(limit=limit_hint(draft.photo is not None))
    return text, _kb(_nav())


def audience_screen(draft: Broadcast, count: int) -> Screen:
    text = _(
        "👥 <b>Who gets it?</b> · step 4 of 5\n\nNow: {target} — {count} drivers would get it."
    ).format(target=target_text(draft.target), count=count)
    rows = [
        [_b(_("👥 Everyone"), "aud", "all"), _b(_("🏙 By city"), "city")],
        [_b(_("🚚 By occupation"), "occ"), _b(_("🎭 By role"), "role")],
        [_b(_("🌐 By language"), "lang")],
    ]
    if count:
        rows.append([_b(_("👀 Preview ➡️"), "prev")])
    else:
        text += "\n\n" + _("Nobody would get it: please choose another audience.")
    return text, _kb(*rows, _nav())


def _pairs(buttons: Sequence[InlineKeyboardButton]) -> list[Row]:
    return [list(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]


def city_screen(cities: Sequence[str]) -> Screen:
    text = _("🏙 Which city? Tap one, or type a city's name.")
    buttons = [_b(city_label(c), "pick", f"c{i}") for i, c in enumerate(cities)]
    return text, _kb(*_pairs(buttons), _nav())


def occupation_screen() -> Screen:
    buttons = [_b(_(OCCUPATION_LABELS[o]), "pick", f"o{o.value}") for o in Occupation]
    return _("🚚 Which occupation?"), _kb(*_pairs(buttons), _nav())


def role_screen() -> Screen:
    buttons = [_b(role_label(r), "pick", f"r{r.value}") for r in Role]
    return _("🎭 Which role?"), _kb(*_pairs(buttons), _nav())


def language_screen() -> Screen:
    buttons = [_b(_(LANGUAGE_NAMES[lang]), "pick", f"l{lang}") for lang in LANGUAGES]
    return _("🌐 Which language do they use the bot in?"), _kb(buttons, _nav())


def when_screen(draft: Broadcast, tz: ZoneInfo) -> Screen:
    shown = (
        _("⬆️ Above: what drivers will see, in Chinese and then in English.")
        if draft.text_en
        else _("⬆️ Above: what every driver will see (the last button in their own language).")
    )
    text = shown + "\n\n" + _(
        "⏰ <b>When should it go out?</b> · step 5 of 5\n\n"
        "Tap a button, or type a time in {tz}: <code>HH:MM</code> (today) or "
        "<code>YYYY-MM-DD HH:MM</code>."
    ).format(tz=q(tz.key))  # fmt: skip
    return text, _kb(
        [_b(_("🚀 Now"), "now"), _b(_("⏰ In 1 hour"), "h1")],
        [_b(_("🌅 Tomorrow 09:00"), "tom")],
        _nav(),
    )


def confirm_screen(draft: Broadcast, count: int, at: datetime | None, tz: ZoneInfo) -> Screen:
    versions = _("Chinese and English") if draft.text_en else _("one text for everyone")
    text = _(
        "✅ <b>Ready?</b>\n\n"
        "To: {target} — {count} drivers now\n"
        "When: {when}\n"
        "Text: {versions}\n"
        "Photo: {photo} · link buttons: {links}\n\n"
        "Drivers in their quiet hours then get it when those end."
    ).format(
        target=target_text(draft.target), count=count, when=when_text(at, tz),
        versions=versions, photo=_("yes") if draft.photo else _("no"), links=len(draft.links),
    )  # fmt: skip
    label = _("✅ Send now") if at is None else _("✅ Schedule it")
    return text, _kb([_b(label, "ok")], _nav())


def preview_kb(draft: Broadcast, wording: Wording, language: str) -> InlineKeyboardMarkup:
    """The buttons drivers get; the unsubscribe one only explains itself here."""
    rows = [[InlineKeyboardButton(text=link.label, url=link.url)] for link in draft.links]
    unsubscribe = wording.button(language).text
    rows.append([InlineKeyboardButton(text=unsubscribe, callback_data=PreviewCb().pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def preview_text(draft: Broadcast, wording: Wording, language: str, name: str | None) -> str:
    return fill_name(draft.text_for(language), name, wording.nameless(language))


def closed_text() -> str:
    return _("Closed. The notice was not sent. Send /broadcast to write a new one.")


def target_of(value: str, cities: Sequence[str]) -> Target | None:
    """A picked audience from a button: "c3" (the fourth city offered), "otruck",
    "radmin", "len"."""
    kinds = {"o": TargetKind.OCCUPATION, "r": TargetKind.ROLE, "l": TargetKind.LANGUAGE}
    head, rest = value[:1], value[1:]
    if head == "c":
        if rest.isdecimal() and int(rest) < len(cities):
            return Target(TargetKind.CITY, cities[int(rest)])
        return None
    kind = kinds.get(head)
    if kind is None or not valid_value(kind, rest):
        return None
    return Target(kind, rest)
