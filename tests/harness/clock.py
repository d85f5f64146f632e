"""The tests' "now": a fixed moment a test can move on, and local Shanghai times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Monday 2026-11-23, 12:00 in Shanghai: tests see a fixed "now".
NOON_MONDAY = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
TZ_OFFSET = timedelta(hours=8)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time in November 2026, as an aware UTC datetime."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - TZ_OFFSET


@dataclass
class Clock:
    """What the app takes as "now"; a test sets `now` to move time on."""

    now: datetime = NOON_MONDAY

    def __call__(self) -> datetime:
        return self.now
