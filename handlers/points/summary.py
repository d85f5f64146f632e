"""The month's points summary, the Telegram side: on the first days of a month, last month's
summary (a few lines and a chart) goes to the admins' group once; `/points_report [YYYY-MM]`
shows any month's to an admin on demand."""

from __future__ import annotations

from datetime import datetime

from aiogram.filters import CommandObject
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from bot.db.outbox.models import MessageKind
from bot.db.points.models import Reason
from bot.db.types import Clock
from bot.feature import Core
from bot.services.outbox.messages import OutMessage
from bot.services.outbox.service import Outbox
from bot.services.points.summary import Labels, MonthSummary, render_chart, summarise
from handlers.common.topics import known_topic
from handlers.points.kit import PointsServices
from handlers.points.texts import reason_label
from knowledge.months import is_month, previous

TOPIC = "points"  # the admins' forum topic the summary goes to, when the group has one


def labels(month: str) -> Labels:
    return Labels(
        title=_("Points of {month}").format(month=month),
        reasons={r: reason_label(r) for r in Reason},
        into_users=_("to drivers"),
        out_of_users=_("from drivers"),
        totals=_("The month's totals"),
        issued=_("Issued"),
        spent=_("Spent"),
        refunded=_("Refunded"),
        taken=_("Taken"),
        no_data=_("No points moved"),
    )


def summary_text(summary: MonthSummary) -> str:
    """A photo's caption (at most 1,024 characters): the totals, then each reason."""
    totals = _("Issued {issued} · spent {spent} · refunded {refunded} · taken {taken}")
    people = _("{earners} drivers earned, {spenders} spent; drivers hold {held} now.")
    lines = [
        _("📊 <b>Points of {month}</b>").format(month=summary.month),
        totals.format(issued=summary.issued, spent=summary.spent, refunded=summary.refunded,
                      taken=summary.taken),
        people.format(earners=summary.earners, spenders=summary.spenders, held=summary.held),
    ]  # fmt: skip
    for reason, moved in summary.by_reason.items():
        net = moved.into_users - moved.out_of_users
        lines.append(f"{reason_label(reason)}: {net:+d} ({moved.transfers}×)")
    return "\n".join(lines)


async def build(core: Core, month: str) -> tuple[MonthSummary, bytes, str]:
    """The month's summary, its chart and its caption, in the current locale."""
    async with core.session_factory() as session:
        summary = await summarise(session, month, core.settings.tz)
    return summary, render_chart(summary, labels(month)), summary_text(summary)


async def queue_month_summary(core: Core, now: datetime) -> int:
    """Daily: last month's summary to the admins' group, once (its key names the month), and
    only for a month in which points moved."""
    settings = core.settings
    if settings.admin_chat_id is None:
        return 0
    month = previous(now, settings.tz)
    key = f"points-month:{month}"
    async with core.session_factory() as session:
        if await Outbox(session).repo.has_key(key):  # done before: no chart drawn again
            return 0
    with core.i18n.context(), core.i18n.use_locale(settings.default_language):
        summary, chart, caption = await build(core, month)
    if summary.empty:
        return 0
    folder = settings.data_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / f"points-{month}.png"
    png.write_bytes(chart)
    group = settings.admin_chat_id
    async with core.session_factory() as session:
        thread = await known_topic(session, group, TOPIC)
        queued = await Outbox(session).put(
            OutMessage(chat_id=group, kind=MessageKind.REPORT, dedupe_key=key, text=caption,
                       photo=str(png.resolve()), thread_id=thread),
            now,
        )  # fmt: skip
        await session.commit()
    return queued


async def points_report_command(
    message: Message, command: CommandObject, points: PointsServices, clock: Clock, core: Core
) -> None:
    """/points_report [YYYY-MM]: a month's summary (last month by default), at once."""
    month = (command.args or "").strip() or previous(clock(), core.settings.tz)
    if not is_month(month):
        await message.answer(_("Usage: /points_report [YYYY-MM], e.g. /points_report 2026-11"))
        return
    _summary, chart, caption = await build(core, month)
    await message.answer_photo(BufferedInputFile(chart, f"points-{month}.png"), caption=caption)
