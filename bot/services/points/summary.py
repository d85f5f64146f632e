"""The month's points summary for the admins' group: what was issued and what was spent, by
reason, and a chart of it (PNG). Telegram-free; the words come in already translated
(`Labels`), so the same code draws a Chinese or an English chart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.points.models import Reason
from bot.db.points.repository import PointsRepository
from bot.services import charts
from knowledge.months import bounds, is_month

# Where points come from and where they go, for the summary's totals. A reversal counts on the
# side it moved (into or out of users), so the totals always add up to the net change.
EARNED = (Reason.REPORT, Reason.FIRST_REPORT, Reason.GRANT, Reason.TASK, Reason.ACTIVITY)
SPENT = (Reason.REDEEM, Reason.SPEND)
TAKEN = (Reason.DEDUCT, Reason.FORFEIT)


@dataclass(frozen=True, slots=True)
class ReasonTotals:
    into_users: int = 0  # points users received for this reason
    out_of_users: int = 0  # points users gave up for it
    transfers: int = 0


@dataclass(frozen=True, slots=True)
class MonthSummary:
    month: str
    by_reason: Mapping[Reason, ReasonTotals] = field(default_factory=dict)
    earners: int = 0  # people whose balance grew at least once
    spenders: int = 0  # people whose balance shrank at least once
    held: int = 0  # what all users hold now (not at the month's end: the ledger is not dated)

    def _sum(self, reasons: tuple[Reason, ...], into: bool) -> int:
        totals = (self.by_reason.get(r, ReasonTotals()) for r in reasons)
        return sum(t.into_users if into else t.out_of_users for t in totals)

    @property
    def issued(self) -> int:
        return self._sum(EARNED, into=True)

    @property
    def spent(self) -> int:
        return self._sum(SPENT, into=False)

    @property
    def refunded(self) -> int:
        return self._sum((Reason.REFUND,), into=True)

    @property
    def taken(self) -> int:
        return self._sum(TAKEN, into=False)

    @property
    def net(self) -> int:
        """The month's change in what users hold."""
        return sum(t.into_users - t.out_of_users for t in self.by_reason.values())

    @property
    def empty(self) -> bool:
        return not self.by_reason


async def summarise(session: AsyncSession, month: str, tz: ZoneInfo) -> MonthSummary:
    """The ledger's month ("YYYY-MM", in `tz`) summed by reason."""
    if not is_month(month):
        raise ValueError(f"not a month: {month}")
    start, end = bounds(month, tz)
    repo = PointsRepository(session)
    into: dict[Reason, int] = {}
    out: dict[Reason, int] = {}
    count: dict[Reason, int] = {}
    for flow in await repo.flows(start, end):
        if flow.to_user:
            into[flow.reason] = into.get(flow.reason, 0) + flow.total
        if flow.from_user:
            out[flow.reason] = out.get(flow.reason, 0) + flow.total
        count[flow.reason] = count.get(flow.reason, 0) + flow.count
    by_reason = {
        r: ReasonTotals(into.get(r, 0), out.get(r, 0), count[r]) for r in Reason if r in count
    }
    return MonthSummary(
        month=month,
        by_reason=by_reason,
        earners=await repo.people_moved(start, end, credited=True),
        spenders=await repo.people_moved(start, end, credited=False),
        held=await repo.held_by_users(),
    )


@dataclass(frozen=True, slots=True)
class Labels:
    title: str
    reasons: Mapping[Reason, str]
    into_users: str  # legend: points users got
    out_of_users: str  # legend: points users gave up
    totals: str  # the second panel's title
    issued: str
    spent: str
    refunded: str
    taken: str
    no_data: str


def render_chart(summary: MonthSummary, labels: Labels) -> bytes:
    """One PNG for a phone: points in and out by reason, then the month's four totals."""
    with charts.figure(7.2, 8.0) as figure:
        figure.suptitle(labels.title, fontsize=14)
        by_reason, totals = figure.subplots(2, 1, height_ratios=[3, 2])
        reasons = [r for r in Reason if r in summary.by_reason]
        if reasons:
            names = [labels.reasons[r] for r in reasons]
            rows = list(range(len(reasons)))
            got = [summary.by_reason[r].into_users for r in reasons]
            gave = [summary.by_reason[r].out_of_users for r in reasons]
            by_reason.barh([y - 0.2 for y in rows], got, height=0.4, color="#22c55e",
                           label=labels.into_users)  # fmt: skip
            by_reason.barh([y + 0.2 for y in rows], gave, height=0.4, color="#ef4444",
                           label=labels.out_of_users)  # fmt: skip
            by_reason.set_yticks(rows, names)
            by_reason.invert_yaxis()
            by_reason.legend(loc="lower right", fontsize=8)
        else:
            by_reason.text(0.5, 0.5, labels.no_data, ha="center", va="center")
            by_reason.set_axis_off()
        totals.set_title(labels.totals, fontsize=10)
        values = [summary.issued, summary.spent, summary.refunded, summary.taken]
        bars = totals.bar([labels.issued, labels.spent, labels.refunded, labels.taken], values,
                          color=["#3b82f6", "#f59e0b", "#8b5cf6", "#6b7280"])  # fmt: skip
        totals.bar_label(bars, fontsize=9)
        totals.margins(y=0.15)  # room for the numbers above the bars
        return charts.png(figure)
