"""The FAQ's screens, each fitting a phone: the topics, a topic's questions, an answer with
its source, its related action and 👍/👎. And `send_answer`, which the free-text router calls
with the entry a driver's words meant."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.services.faq.views import TopicPage
from handlers.common.texts import q
from handlers.faq import texts
from handlers.faq.callbacks import FaqCb
from handlers.faq.kit import FaqServices
from handlers.intents.callbacks import GoCb
from knowledge.faq.model import Faq, Topic

Back = tuple[Topic, int]  # the topic and page an answer was opened from


def _button(text: str, cb: FaqCb) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=cb.pack())


def _kb(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def home_screen() -> tuple[str, InlineKeyboardMarkup]:
    """The eight topics, two to a row."""
    text = "\n".join([
        _("📚 <b>Questions and answers</b>"),
        _("Rights, insurance, injury, legal aid, hotlines, stations, checkups and points. "
          "Pick a topic, or just type your question."),
        _("<i>Rules differ from place to place: when unsure, check with the office named in "
          "the answer.</i>"),
    ])  # fmt: skip
    buttons = [_button(texts.topic_label(t), FaqCb(a="topic", t=t)) for t in Topic]
    return text, _kb([buttons[n : n + 2] for n in range(0, len(buttons), 2)])


def topic_screen(page: TopicPage, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """The page's questions as a numbered list (a whole question rarely fits a button) and
    their numbers as buttons, on one row."""
    lines = [f"<b>{texts.topic_label(page.topic)}</b>"]
    if page.pages > 1:
        lines[0] += " · " + _("Page {page} of {pages}").format(page=page.page + 1,
                                                             pages=page.pages)  # fmt: skip
    if not page.questions:
        lines.append(_("No questions here yet."))
    else:
        lines.append(_("Tap the number of your question."))
        lines.append("")
        lines += [f"{page.first + n}. {q(x.get(lang))}" for n, x in enumerate(page.questions)]
    numbers = [
        _button(str(page.first + n), FaqCb(a="show", t=page.topic, p=page.page, i=x.id))
        for n, x in enumerate(page.questions)
    ]
    paging = []
    if page.page > 0:
        paging.append(_button("◀", FaqCb(a="topic", t=page.topic, p=page.page - 1)))
    paging.append(_button(_("⬅️ Back"), FaqCb(a="home")))
    if page.page + 1 < page.pages:
        paging.append(_button("▶", FaqCb(a="topic", t=page.topic, p=page.page + 1)))
    return "\n".join(lines), _kb([numbers, paging])


def answer_text(entry: Faq, lang: str) -> str:
    source = q(texts.source(entry, lang))
    return "\n".join([
        f"❓ <b>{q(texts.question(entry, lang))}</b>",
        "",
        q(texts.answer(entry, lang)),
        "",
        _("📞 <b>Source / whom to contact:</b> {source}").format(source=source),
    ])  # fmt: skip


def thumbs_row(entry_id: int, vote: bool | None) -> list[InlineKeyboardButton]:
    return [
        _button(texts.thumb_label(True, vote is True), FaqCb(a="vote", i=entry_id, v=1)),
        _button(texts.thumb_label(False, vote is False), FaqCb(a="vote", i=entry_id, v=0)),
    ]


def answer_screen(
    entry: Faq, entry_id: int | None, vote: bool | None, lang: str, back: Back | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The answer; its related action, the thumbs (not for an entry no longer stored) and,
    when it was opened from /faq, the way back to its page."""
    rows: list[list[InlineKeyboardButton]] = []
    label = texts.action_label(entry.action)
    if label is not None:
        rows.append([InlineKeyboardButton(text=label, callback_data=GoCb(a=entry.action).pack())])
    if entry_id is not None:
        rows.append(thumbs_row(entry_id, vote))
    if back is not None:
        rows.append([_button(_("⬅️ Back"), FaqCb(a="topic", t=back[0], p=back[1]))])
    return answer_text(entry, lang), _kb(rows)


def _is_thumb(button: InlineKeyboardButton, entry_id: int) -> bool:
    return button.callback_data in {FaqCb(a="vote", i=entry_id, v=v).pack() for v in (0, 1)}


def _dump(kb: InlineKeyboardMarkup) -> object:
    # By value: a markup parsed from an update carries its Bot, so == never holds.
    return kb.model_dump(exclude_none=True)


def with_vote(
    shown: InlineKeyboardMarkup | None, entry_id: int, vote: bool
) -> InlineKeyboardMarkup | None:
    """The message's buttons with the pressed thumb marked, or None when they show that
    already (or carry no thumbs of this entry): then there is nothing to edit."""
    if shown is None:
        return None
    rows, found = [], False
    for row in shown.inline_keyboard:
        if any(_is_thumb(b, entry_id) for b in row):
            rows.append(thumbs_row(entry_id, vote))
            found = True
        else:
            rows.append(list(row))
    marked = InlineKeyboardMarkup(inline_keyboard=rows)
    return marked if found and _dump(marked) != _dump(shown) else None


async def send_answer(message: Message, faq: FaqServices, entry: Faq) -> None:
    """The answer to a driver's question as a new message, counted as shown (the free-text
    router calls this with the entry the words meant)."""
    entry_id = await faq.service.shown(entry.key)
    text, kb = answer_screen(entry, entry_id, None, texts.language())
    await message.answer(text, reply_markup=kb)
