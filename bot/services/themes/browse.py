"""What the 📅 button shows: a month's theme and its activities, the driver's city first."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.themes.models import ActivityRow, ThemeRow
from bot.db.themes.repository import ThemeRepository


class ActivityStatus(enum.StrEnum):
    UPCOMING = "upcoming"
    TOMORROW = "tomorrow"
    TODAY = "today"
    OVER = "over"


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
        status(row.day, today),
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
    def __init__(self, session: AsyncSession) -> None:
        self.repo = ThemeRepository(session)

    async def month(self, month: str, current: str, city: str | None, today: date) -> MonthScreen:
        row = await self.repo.theme(month)
        activities = [activity_view(a, today) for a in await self.repo.activities([month])]
        before, after = await self.repo.neighbours(month)
        return MonthScreen(
            month, current, theme_view(row) if row else None,
            tuple(near_first(activities, city)), before, after,
        )  # fmt: skip
