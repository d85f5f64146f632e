"""A case's card in the admins' group: what it says and which buttons it carries, by status.

The group never sees who the driver is: no name, no phone, whatever the driver chose; a
handler asks for the contact in their private chat (and gets it only for a case that is not
anonymous). The card shows the case's number, category, office, owner, clock and a short
summary, and is edited in place as the case moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.complaints.statuses import CaseStatus
from bot.services.complaints.views import CaseView
from handlers.common.texts import q
from handlers.complaints.callbacks import CardCb
from handlers.complaints.texts import (
    category_label,
    deadline_line,
    due_text,
    money_text,
    status_label,
)

SUMMARY_CHARS = 280  # the card stays short on a phone; the whole text is one tap away


@dataclass(frozen=True, slots=True)
class CardContext:
    """Names the card shows beside the case (offices and handlers, never the driver)."""

    office: str | None
    owner: str | None
    assignee: str | None
    files: int
    now: datetime


def short(text: str, limit: int = SUMMARY_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def card_text(case: CaseView, ctx: CardContext, tz: ZoneInfo) -> str:
    lines = [
        _("📝 <b>Case {number}</b> · {category}").format(
            number=case.number, category=category_label(case.category)
        ),
        _("Status: <b>{status}</b>").format(status=status_label(case.status, office=True)),
        _("Office: {office}").format(office=q(ctx.office or "—")),
    ]
    if ctx.owner:
        lines.append(_("Owner (首办): {name}").format(name=q(ctx.owner)))
    if ctx.assignee and ctx.assignee != ctx.owner:
        lines.append(_("Handled by: {name}").format(name=q(ctx.assignee)))
    clock = case.next_deadline
    if clock is not None:
        deadline, due = clock
        line = "⏰ " + deadline_line(deadline, due, tz)
        if due <= ctx.now:
            line += " · " + _("<b>overdue</b>")
        lines.append(line)
    facts = []
    if case.amount_fen is not None:
        facts.append(_("at stake: {amount}").format(amount=money_text(case.amount_fen)))
    if case.other_party:
        facts.append(_("other party: {party}").format(party=q(case.other_party)))
    if case.city:
        facts.append(q(case.city))
    if facts:
        lines.append(" · ".join(facts))
    if case.erased:
        lines.append(_("<i>The driver erased their data.</i>"))
    elif case.description:
        lines.append("\n" + q(short(case.description)))
    if ctx.files:
        lines.append(_("📎 {count} file(s)").format(count=ctx.files))
    if case.status is CaseStatus.CLOSED and case.rating is not None:
        lines.append(_("Driver's rating: {stars}").format(stars="★" * case.rating))
    if case.review_needed and not case.review:
        lines.append(_("🔍 Marked for review (复盘)"))
    elif case.review:
        lines.append(_("🔍 Reviewed"))
    lines.append(_("Filed {day}").format(day=due_text_filed(case.created_at, tz)))
    return "\n".join(lines)


def due_text_filed(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M}"


def _b(kb: InlineKeyboardBuilder, text: str, action: str, case: CaseView, **extra: object) -> None:
    kb.button(text=text, callback_data=CardCb(a=action, c=case.id, v=case.version, **extra))  # type: ignore[arg-type]


def card_kb(case: CaseView) -> InlineKeyboardMarkup:
    """The next steps of the chain for the case's status; at most three rows."""
    kb = InlineKeyboardBuilder()
    widths: list[int] = []
    s = case.status
    if s is CaseStatus.NEW:
        _b(kb, _("✋ Take it (受理)"), "take", case)
        widths.append(1)
    elif s is CaseStatus.ACCEPTED:
        _b(kb, _("▶️ Handle it myself"), "start", case)
        _b(kb, _("➡️ Assign (分办)"), "assign", case)
        widths.append(2)
    elif s is CaseStatus.ASSIGNED:
        _b(kb, _("▶️ Start (办理)"), "start", case)
        _b(kb, _("➡️ Reassign"), "assign", case)
        widths.append(2)
    elif s in (CaseStatus.IN_PROGRESS, CaseStatus.WAITING_DRIVER):
        if s is CaseStatus.IN_PROGRESS:
            _b(kb, _("💬 Ask the driver"), "ask", case)
        _b(kb, _("🗒 Progress note"), "note", case)
        widths.append(2 if s is CaseStatus.IN_PROGRESS else 1)
        _b(kb, _("✅ Resolve (办结)"), "resolve", case)
        _b(kb, _("⏳ More time"), "ext", case)
        widths.append(2)
        _b(kb, _("➡️ Reassign"), "assign", case)
        widths.append(1)
    elif s in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN) and case.review_needed and not case.review:
        _b(kb, _("🔍 Write the review (复盘)"), "review", case)
        widths.append(1)
    _b(kb, _("📄 Details to my chat"), "show", case)
    widths.append(1)
    kb.adjust(*widths)
    return kb.as_markup()


def offices_kb(
    case: CaseView, offices: list[tuple[str, str]], current: str | None
) -> InlineKeyboardMarkup:
    """Step one of 分办: which office (two a row)."""
    kb = InlineKeyboardBuilder()
    for office_id, name in offices:
        mark = "• " if office_id == current else ""
        _b(kb, mark + short(name, 24), "office", case, o=office_id)
    _b(kb, _("⬅️ Back"), "back", case)
    kb.adjust(*([2] * (len(offices) // 2)), *([1] if len(offices) % 2 else []), 1)
    return kb.as_markup()


def handlers_kb(
    case: CaseView, office_id: str, handlers: list[tuple[int, str]]
) -> InlineKeyboardMarkup:
    """Step two of 分办: anyone in the office, or one of its handlers."""
    kb = InlineKeyboardBuilder()
    _b(kb, _("👥 Anyone in the office"), "who", case, o=office_id, u=0)
    for user_id, name in handlers[:8]:
        _b(kb, short(name, 24), "who", case, o=office_id, u=user_id)
    _b(kb, _("⬅️ Back"), "assign", case)
    kb.adjust(
        1, *([2] * (min(len(handlers), 8) // 2)), *([1] if min(len(handlers), 8) % 2 else []), 1
    )
    return kb.as_markup()


__all__ = ["CardContext", "card_kb", "card_text", "due_text", "handlers_kb", "offices_kb"]
