"""Months keyed "YYYY-MM" everywhere (files, tables, callback data, reports): sortable as
text and short enough for a button. Pure: no I/O."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


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


def previous(now: datetime, tz: ZoneInfo) -> str:
    """The month before the one `now` is in, in `tz` (what a monthly report is about)."""
    return shift(month_key(now.astimezone(tz).date()), -1)


def bounds(month: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The month's first moment and the next month's, in `tz`, as UTC."""
    start = datetime.combine(first_day(month), time(), tz)
    end = datetime.combine(first_day(shift(month, 1)), time(), tz)
    return start.astimezone(UTC), end.astimezone(UTC)
