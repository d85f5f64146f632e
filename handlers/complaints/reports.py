"""日提醒 周汇总 月通报, the Telegram side: each handler's morning list, the week's summary
for the admins' group, and the month's report (a chart and a spreadsheet) for it, rendered in
the group's language and queued in the outbox once each (their keys name the day, week or
month)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.complaints.statuses import CaseStatus
from bot.db.outbox.models import MessageKind
from bot.feature import Core
from bot.services.complaints.cases import CaseService
from bot.services.complaints.offices import Actor
from bot.services.complaints.reports import (
    Labels,
    office_names,
    period_cases,
    render_chart,
    render_sheet,
    stats,
)
from bot.services.outbox.messages import OutMessage
from bot.services.outbox.service import Outbox
from handlers.common.topics import known_topic
from handlers.complaints.texts import CATEGORY_LABELS, STATUS_LABELS, deadline_line
from knowledge.months import bounds, previous

MORNING_LIST = 10  # cases a morning message lists; the rest are counted


def labels(month: str) -> Labels:
    """The report's words in the current locale."""
    return Labels(
        title=_("Complaints of {month}").format(month=month),
        categories={c: _(m) for c, m in CATEGORY_LABELS.items()},
        statuses={s: _(m) for s, m in STATUS_LABELS.items()},
        by_category=_("Cases by category"),
        on_time=_("On time"),
        late=_("Late"),
        handling=_("Average handling time (working days)"),
        satisfaction=_("Ratings"),
        no_data=_("No cases"),
        columns=[
            _("Number"),
            _("Category"),
            _("Status"),
            _("Office"),
            _("City"),
            _("Filed"),
            _("Accepted"),
            _("Resolved"),
            _("Closed"),
            _("Resolve by"),
            _("On time"),
            _("Working days"),
            _("Rating"),
            _("Solved"),
            _("Reopened"),
            _("Amount (yuan)"),
            _("Anonymous"),
        ],
        summary=[
            _("Cases"),
            _("Resolved cases"),
            _("On time (%)"),
            _("Average working days"),
            _("Rated"),
            _("Average rating"),
            _("Solved"),
            _("Reopened"),
            _("Amount at stake (yuan)"),
        ],
        yes=_("yes"),
        no=_("no"),
    )


async def build_month(
    session_factory: async_sessionmaker[AsyncSession], tz: ZoneInfo, now: datetime, month: str
) -> tuple[bytes, bytes, str]:
    """The month's chart, spreadsheet and a one-paragraph summary, in the current locale."""
    start, end = bounds(month, tz)
    async with session_factory() as session:
        cases = await period_cases(session, start, end)
        calendar = (await CaseService(session, tz).book()).calendar()
        offices = await office_names(session)
    words = labels(month)
    report = stats(cases, calendar, tz, now)
    chart = render_chart(report, cases, words, calendar, tz)
    sheet = render_sheet(report, cases, words, offices, calendar, tz)
    rate = report.on_time_rate
    summary = _(
        "📊 <b>Complaints of {month}</b>\nCases: {total} · resolved: {resolved} · on time: "
        "{rate}\nAverage handling: {days} working days · rating: {rating} ({rated} rated)"
    ).format(
        month=month, total=report.total, resolved=report.resolved,
        rate="—" if rate is None else f"{rate:.0%}",
        days="—" if report.handling_days is None else f"{report.handling_days:.1f}",
        rating="—" if report.rating is None else f"{report.rating:.1f}★", rated=report.rated,
    )  # fmt: skip
    return chart, sheet, summary


async def queue_month_report(core: Core, now: datetime) -> int:
    """On the first working day of a month: last month's report to the admins' group."""
    settings = core.settings
    if settings.admin_chat_id is None:
        return 0
    tz = settings.tz
    async with core.session_factory() as session:
        calendar = (await CaseService(session, tz).book()).calendar()
    if not calendar.is_first_workday_of_month(now.astimezone(tz).date()):
        return 0
    month = previous(now, tz)
    with core.i18n.context(), core.i18n.use_locale(settings.default_language):
        chart, sheet, summary = await build_month(core.session_factory, tz, now, month)
    folder = settings.data_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    png, xlsx = folder / f"complaints-{month}.png", folder / f"complaints-{month}.xlsx"
    png.write_bytes(chart)
    xlsx.write_bytes(sheet)
    group = settings.admin_chat_id
    async with core.session_factory() as session:
        thread = await known_topic(session, group, "complaints")
        queued = await Outbox(session).put([
            OutMessage(chat_id=group, kind=MessageKind.REPORT, dedupe_key=f"case-month:{month}",
                       text=summary, photo=str(png.resolve()), thread_id=thread),
            OutMessage(chat_id=group, kind=MessageKind.REPORT, dedupe_key=f"case-month:{month}:x",
                       text="", document=str(xlsx.resolve()), document_name=xlsx.name,
                       thread_id=thread),
        ], now)  # fmt: skip
        await session.commit()
    return queued


async def queue_morning(core: Core, now: datetime) -> int:
    """Every working morning: each handler's open cases, the most urgent first."""
    tz = core.settings.tz
    queued = 0
    async with core.session_factory() as session:
        cases = CaseService(session, tz)
        if not (await cases.book()).calendar().is_workday(now.astimezone(tz).date()):
            return 0
        from bot.db.complaints.repository import OfficeRepository

        day = now.astimezone(tz).date().isoformat()
        messages = []
        for handler, user in await OfficeRepository(session).handlers():
            assert user.telegram_id is not None
            actor = Actor(user.id, False, handler.office_id)
            mine = await cases.for_handler(actor, MORNING_LIST)
            if not mine:
                continue
            total = await cases.count_for_handler(actor)
            mine.sort(key=lambda c: c.next_deadline[1] if c.next_deadline else c.resolve_due)
            with core.i18n.context(), core.i18n.use_locale(user.language):
                lines = [_("☀️ <b>Your cases today</b>: {count} open").format(count=total)]
                for case in mine:
                    line = f"{case.number} · {_(STATUS_LABELS[case.status])}"
                    if case.next_deadline is not None:
                        deadline, due = case.next_deadline
                        line += " · " + deadline_line(deadline, due, tz)
                        if due <= now:
                            line += " ⚠️"
                    lines.append(line)
                if total > len(mine):
                    lines.append(_("… and {more} more").format(more=total - len(mine)))
            messages.append(OutMessage(
                chat_id=user.telegram_id, user_id=user.id, kind=MessageKind.CASE,
                dedupe_key=f"case-morning:{day}:u{user.id}", text="\n".join(lines)))  # fmt: skip
        if messages:
            queued = await Outbox(session).put(messages, now)
        await session.commit()
    return queued


async def queue_weekly(core: Core, now: datetime) -> int:
    """Mondays: last week's cases, for the admins' group."""
    settings, tz = core.settings, core.settings.tz
    local = now.astimezone(tz)
    if settings.admin_chat_id is None or local.weekday() != 0:
        return 0
    from datetime import time as clock_time

    monday = datetime.combine(local.date(), clock_time(), tz)
    start = monday - timedelta(days=7)
    async with core.session_factory() as session:
        cases = await period_cases(session, start, monday)
        calendar = (await CaseService(session, tz).book()).calendar()
        report = stats(cases, calendar, tz, now)
        open_now = sum(1 for c in cases if c.status not in (CaseStatus.CLOSED,
                                                            CaseStatus.WITHDRAWN))  # fmt: skip
        with core.i18n.context(), core.i18n.use_locale(settings.default_language):
            text = _(
                "🗓 <b>Complaints, week of {day}</b>\nFiled: {total} · resolved: {resolved} · "
                "still open: {open} · overdue: {overdue}\nRating: {rating}"
            ).format(
                day=start.date().isoformat(), total=report.total, resolved=report.resolved,
                open=open_now, overdue=report.overdue_open,
                rating="—" if report.rating is None else f"{report.rating:.1f}★",
            )  # fmt: skip
        key = f"case-week:{start.date().isoformat()}"
        thread = await known_topic(session, settings.admin_chat_id, "complaints")
        message = OutMessage(chat_id=settings.admin_chat_id, kind=MessageKind.REPORT,
                             dedupe_key=key, text=text, thread_id=thread)  # fmt: skip
        queued = await Outbox(session).put(message, now)
        await session.commit()
    return queued
