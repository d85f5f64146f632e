"""The theme of the month (一月一主题): one themed programme a month and its activities. Pure
data, no I/O.

A month is keyed "YYYY-MM" everywhere (file, table, callback data); knowledge/months.py
holds what such keys can do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
