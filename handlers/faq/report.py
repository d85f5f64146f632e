"""/faq_report for admins, in their private chat or the admins' group: the answers drivers
voted on, the least helpful first, and the totals. Anyone else gets a clear refusal."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.services.faq.views import FaqReport
from handlers.common.filters import IsAdmin
from handlers.common.refusals import refuse
from handlers.common.texts import q
from handlers.faq import texts
from handlers.faq.kit import FaqServices

LINES = 15  # entries listed; the worst are what an admin acts on
QUESTION_WIDTH = 24  # characters of a question on its line


def _short(text: str) -> str:
    return text if len(text) <= QUESTION_WIDTH else text[: QUESTION_WIDTH - 1] + "…"


def report_text(report: FaqReport, lang: str) -> str:
    if not report.entries:
        return _("The FAQ is empty: import a file with python -m bot faq import FILE.")
    voted = report.voted
    lines = [_("📊 <b>FAQ feedback</b>, the least helpful first (👍 · 👎 · shown)")]
    if not voted:
        lines.append(_("No votes yet."))
    for n, line in enumerate(voted[:LINES], start=1):
        lines.append(f"{n}. {q(_short(line.question.get(lang)))}: "
                     f"👍 {line.helpful} · 👎 {line.unhelpful} · {line.shown}")  # fmt: skip
    if len(voted) > LINES:
        lines.append(_("… and {more} more with votes").format(more=len(voted) - LINES))
    lines.append("")
    lines.append(_("Total: {entries} entries shown {shown} times; 👍 {helpful} · 👎 {unhelpful} "
                   "on {voted} entries.").format(
        entries=report.entries, shown=report.shown, helpful=report.helpful,
        unhelpful=report.unhelpful, voted=len(voted)))  # fmt: skip
    return "\n".join(lines)


async def report_command(message: Message, faq: FaqServices, settings: Settings) -> None:
    if message.chat.type != "private" and message.chat.id != settings.admin_chat_id:
        await message.answer(_("Use this in a private chat with me or in the admins' group."))
        return
    await message.answer(report_text(await faq.service.report(), texts.language()))


def create_router() -> Router:
    router = Router(name="faq_admin")
    router.message.filter(Command("faq_report"))
    router.message.register(report_command, IsAdmin())
    router.message.register(refuse)
    return router
