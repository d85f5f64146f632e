"""日提醒 周汇总 月通报: the numbers of a period's cases, and the month's chart (PNG, matplotlib)
and spreadsheet (.xlsx, openpyxl). Telegram-free; the words come in already translated
(`Labels`), so the same code writes a Chinese or an English report."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.complaints.repository import CaseRepository, OfficeRepository
from bot.db.complaints.statuses import CaseStatus
from bot.services import charts
from bot.services.complaints.views import CaseView
from knowledge.complaints.categories import Category
from knowledge.complaints.workdays import WorkCalendar


@dataclass(frozen=True, slots=True)
class Stats:
    total: int
    by_category: Mapping[Category, int]
    resolved: int  # resolved or closed after being resolved
    on_time: int  # of those, by the resolve deadline
    handling_days: float | None  # average, in working days, filing to resolution
    rated: int
    rating: float | None  # average of the drivers' ratings
    solved: int  # rated "solved"
    reopened: int
    overdue_open: int
    amount_fen: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.resolved if self.resolved else None


@dataclass(frozen=True, slots=True)
class Labels:
    title: str
    categories: Mapping[Category, str]
    statuses: Mapping[CaseStatus, str]
    by_category: str
    on_time: str
    late: str
    handling: str  # axis: working days
    satisfaction: str
    no_data: str
    columns: Sequence[str]  # the sheet's header, in the order of `case_row`
    summary: Sequence[str]  # the summary sheet's row names, in the order of `summary_rows`
    yes: str
    no: str


async def period_cases(session: AsyncSession, start: datetime, end: datetime) -> list[CaseView]:
    return [CaseView.of(r) for r in await CaseRepository(session).created_between(start, end)]


def stats(cases: Sequence[CaseView], calendar: WorkCalendar, tz: ZoneInfo,
          now: datetime) -> Stats:  # fmt: skip
    resolved = [c for c in cases if c.resolved_at is not None]
    days = [calendar.working_days_between(c.created_at, c.resolved_at, tz)
            for c in resolved if c.resolved_at is not None]  # fmt: skip
    rated = [c.rating for c in cases if c.rating is not None]
    return Stats(
        total=len(cases),
        by_category={
            cat: n for cat in Category if (n := sum(1 for c in cases if c.category is cat))
        },
        resolved=len(resolved),
        on_time=sum(1 for c in resolved if c.resolved_at and c.resolved_at <= c.resolve_due),
        handling_days=sum(days) / len(days) if days else None,
        rated=len(rated),
        rating=sum(rated) / len(rated) if rated else None,
        solved=sum(1 for c in cases if c.solved),
        reopened=sum(1 for c in cases if c.reopened),
        overdue_open=sum(1 for c in cases if c.next_deadline and c.next_deadline[1] <= now),
        amount_fen=sum(c.amount_fen or 0 for c in cases),
    )


def render_chart(report: Stats, cases: Sequence[CaseView], labels: Labels,
                 calendar: WorkCalendar, tz: ZoneInfo) -> bytes:  # fmt: skip
    """One PNG for a phone: cases by category, on time vs late, average handling time by
    category, the ratings."""
    with charts.figure(7.2, 9.6) as figure:
        figure.suptitle(labels.title, fontsize=14)
        axes = figure.subplots(2, 2)
        cats = [c for c in Category if report.by_category.get(c)]
        ax = axes[0][0]
        ax.set_title(labels.by_category, fontsize=10)
        if cats:
            ax.barh([labels.categories[c] for c in cats], [report.by_category[c] for c in cats],
                    color="#3b82f6")  # fmt: skip
            ax.invert_yaxis()
        else:
            ax.text(0.5, 0.5, labels.no_data, ha="center", va="center")
        ax = axes[0][1]
        ax.set_title(labels.on_time, fontsize=10)
        if report.resolved:
            ax.pie([report.on_time, report.resolved - report.on_time],
                   labels=[labels.on_time, labels.late], colors=["#22c55e", "#ef4444"],
                   autopct="%1.0f%%")  # fmt: skip
        else:
            ax.text(0.5, 0.5, labels.no_data, ha="center", va="center")
        ax = axes[1][0]
        ax.set_title(labels.handling, fontsize=10)
        per: dict[Category, list[float]] = {}
        for c in cases:
            if c.resolved_at is not None:
                per.setdefault(c.category, []).append(
                    calendar.working_days_between(c.created_at, c.resolved_at, tz)
                )
        if per:
            keys = [c for c in Category if c in per]
            ax.barh([labels.categories[c] for c in keys],
                    [sum(per[c]) / len(per[c]) for c in keys], color="#f59e0b")  # fmt: skip
            ax.invert_yaxis()
        else:
            ax.text(0.5, 0.5, labels.no_data, ha="center", va="center")
        ax = axes[1][1]
        title = labels.satisfaction
        if report.rating is not None:
            title += f" ({report.rating:.1f}★)"
        ax.set_title(title, fontsize=10)
        ratings = Counter(c.rating for c in cases if c.rating is not None)
        ax.bar([str(r) for r in range(1, 6)], [ratings.get(r, 0) for r in range(1, 6)],
               color="#8b5cf6")  # fmt: skip
        return charts.png(figure)


def case_row(case: CaseView, labels: Labels, offices: Mapping[str, str],
             calendar: WorkCalendar, tz: ZoneInfo) -> list[object]:  # fmt: skip
    def local(at: datetime | None) -> datetime | None:
        return None if at is None else at.astimezone(tz).replace(tzinfo=None)

    handling = (round(calendar.working_days_between(case.created_at, case.resolved_at, tz), 2)
                if case.resolved_at else None)  # fmt: skip
    on_time = None if case.resolved_at is None else case.resolved_at <= case.resolve_due
    yes_no = {True: labels.yes, False: labels.no, None: None}
    return [
        case.number, labels.categories[case.category], labels.statuses[case.status],
        offices.get(case.office_id or "", case.office_id or ""),
        case.city or "", local(case.created_at), local(case.accepted_at),
        local(case.resolved_at), local(case.closed_at), local(case.resolve_due),
        yes_no[on_time], handling, case.rating, yes_no[case.solved], case.reopened,
        None if case.amount_fen is None else case.amount_fen / 100, yes_no[case.anonymous],
    ]  # fmt: skip


def summary_rows(report: Stats) -> list[object]:
    rate = report.on_time_rate
    return [
        report.total, report.resolved,
        None if rate is None else round(rate * 100, 1),
        None if report.handling_days is None else round(report.handling_days, 2),
        report.rated, None if report.rating is None else round(report.rating, 2),
        report.solved, report.reopened, report.amount_fen / 100,
    ]  # fmt: skip


def render_sheet(
    report: Stats,
    cases: Sequence[CaseView],
    labels: Labels,
    offices: Mapping[str, str],
    calendar: WorkCalendar,
    tz: ZoneInfo,
) -> bytes:
    """The month's cases, one a row, and a summary sheet. No names or phones: the file goes
    to the office."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cases"
    sheet.append(list(labels.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for case in cases:
        sheet.append(case_row(case, labels, offices, calendar, tz))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text as typed, never a formula (no apostrophe added)
        row[15].number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column, width in zip("ABCDEFGHIJKLMNOPQ", (16, 14, 14, 24, 8, 17, 17, 17, 17, 17, 8,
                                                   8, 6, 6, 6, 10, 6), strict=True):  # fmt: skip
        sheet.column_dimensions[column].width = width
    summary = book.create_sheet("summary")
    for name, value in zip(labels.summary, summary_rows(report), strict=True):
        summary.append([name, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def office_names(session: AsyncSession) -> dict[str, str]:
    return {o.id: o.name for o in await OfficeRepository(session).offices(active_only=False)}
