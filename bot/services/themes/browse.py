"""What the 📅 button shows: a month's theme and its activities, the driver's city first."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.themes.models import ActivityRow, ThemeRow
from bot.db.themes.repository import AttendanceRepository, ThemeRepository
from knowledge.themes.window import window


class ActivityStatus(enum.StrEnum):
    UPCOMING = "upcoming"
    TOMORROW = "tomorrow"
    TODAY = "today"
    OVER = "over"


class Seats(enum.StrEnum):
    """Where a driver stands with an activity's sign-up."""

    NONE = "none"  # no sign-up (no capacity, or a sample)
    OPEN = "open"  # seats left: the sign-up button
    FULL = "full"
    MINE = "mine"  # signed up: the cancel button
    CLOSED = "closed"  # it has started


@dataclass(frozen=True, slots=True)
class ThemeView:
    month: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    is_sample: bool


@dataclass(frozen=True, slots=True)
class ActivityView:
    key: str
    day: date
    time: str
    title_zh: str
    title_en: str
    place: str
    city: str  # "" : every city
    link: str
    status: ActivityStatus
    id: int = 0
    points: int = 0  # what checking in earns
    seats: Seats = Seats.NONE
    left: int = 0  # seats left (when it has a capacity)
    signed_up_before: bool = False  # signed up for one that has started


@dataclass(frozen=True, slots=True)
class MonthScreen:
    month: str  # the month shown
    current: str  # this month, where the screen opens
    theme: ThemeView | None  # None: no theme for that month (yet)
    activities: tuple[ActivityView, ...]  # the driver's city and every-city ones first
    before: str | None  # the nearest earlier month with a theme
    after: str | None  # the nearest later one


def status(day: date, today: date) -> ActivityStatus:
    if day < today:
        return ActivityStatus.OVER
    if day == today:
        return ActivityStatus.TODAY
    return ActivityStatus.TOMORROW if day == today + timedelta(days=1) else ActivityStatus.UPCOMING


def theme_view(row: ThemeRow) -> ThemeView:
    return ThemeView(
        row.month, row.title_zh, row.title_en, row.description_zh, row.description_en,
        row.is_sample,
    )  # fmt: skip


def activity_view(row: ActivityRow, today: date) -> ActivityView:
    return ActivityView(
        row.key, row.day, row.time, row.title_zh, row.title_en, row.place, row.city, row.link,
        status(row.day, today), row.id, row.points,
    )  # fmt: skip


def seats(row: ActivityRow, mine: bool, sample: bool, now: datetime, tz: ZoneInfo) -> Seats:
    if row.capacity is None or sample:
        return Seats.NONE
    if now >= window(row.day, row.time, tz).start:
        return Seats.CLOSED
    if mine:
        return Seats.MINE
    return Seats.OPEN if row.signed_up < row.capacity else Seats.FULL


def reader_view(
    row: ActivityRow, today: date, mine: bool, sample: bool, now: datetime, tz: ZoneInfo
) -> ActivityView:
    """An activity as one driver sees it: with where they stand with its seats."""
    state = seats(row, mine, sample, now, tz)
    left = max((row.capacity or 0) - row.signed_up, 0)
    return ActivityView(
        row.key, row.day, row.time, row.title_zh, row.title_en, row.place, row.city, row.link,
        status(row.day, today), row.id, row.points, state, left,
        signed_up_before=mine and state is Seats.CLOSED,
    )  # fmt: skip


def near_first(activities: Sequence[ActivityView], city: str | None) -> list[ActivityView]:
    """The driver's city's activities, then those for every city, then the other cities';
    by date within each."""

    def rank(a: ActivityView) -> tuple[int, date, str]:
        place = 0 if city and a.city == city else 1 if not a.city else 2
        return place, a.day, a.time

    return sorted(activities, key=rank)


def for_reader(
    activities: Sequence[ActivityView], city: str | None
) -> tuple[list[ActivityView], int]:
    """What a notice lists for a driver (their city's and every city's activities) and how
    many more there are elsewhere."""
    mine = [a for a in near_first(activities, city) if not a.city or a.city == city]
    return mine, len(activities) - len(mine)


class ThemeBrowser:
    def __init__(self, session: AsyncSession, tz: ZoneInfo) -> None:
        self.repo = ThemeRepository(session)
        self.attendance = AttendanceRepository(session)
        self.tz = tz

    async def month(
        self, month: str, current: str, city: str | None, now: datetime, user_id: int
    ) -> MonthScreen:
        today = now.astimezone(self.tz).date()
        row = await self.repo.theme(month)
        rows = await self.repo.activities([month])
        mine = await self.attendance.mine(user_id, [a.id for a in rows])
        sample = row is not None and row.is_sample
        activities = [reader_view(a, today, a.id in mine, sample, now, self.tz) for a in rows]
        before, after = await self.repo.neighbours(month)
        return MonthScreen(
            month, current, theme_view(row) if row else None,
            tuple(near_first(activities, city)), before, after,
        )  # fmt: skip
