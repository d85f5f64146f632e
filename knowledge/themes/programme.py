"""The theme of the month (一月一主题): one themed programme a month and its activities. Pure
data, no I/O.

A month is keyed "YYYY-MM" everywhere (file, table, callback data): sortable as text and
short enough for a button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, slots=True)
class Activity:
    key: str  # stable across re-imports: what keeps its reminder from going out twice
    day: date
    time: str  # "19:00" or "19:00-20:30"; "" when it has no set time (an online quiz)
    title_zh: str
    title_en: str
    place: str = ""
    city: str = ""  # a known city's Chinese name; "" means every city
    link: str = ""
    capacity: int | None = None  # sign-up seats; None: no sign-up
    points: int = 0  # what checking in at the place earns


@dataclass(frozen=True, slots=True)
class Theme:
    month: str
    title_zh: str
    title_en: str
    description_zh: str = ""
    description_en: str = ""
    activities: tuple[Activity, ...] = ()


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def is_month(value: str) -> bool:
    return MONTH_PATTERN.match(value) is not None


def first_day(month: str) -> date:
    """The first day of a month key ("2027-03" → 2027-03-01); the key must be valid."""
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def shift(month: str, months: int) -> str:
    """The month `months` later (earlier when negative)."""
    day = first_day(month)
    index = day.year * 12 + day.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
