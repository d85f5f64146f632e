"""When an activity happens, from its day and its free-form time, as UTC moments.

- "09:00-11:30": from 09:00 to 11:30 local (settings.tz);
- "19:00": from 19:00 for DEFAULT_LENGTH (the file gives no end);
- "": the whole local day (an online quiz, an open day).

Check-in counts from CHECKIN_EARLY before the start (drivers come early to a service area)
until the end; sign-up closes at the start. A whole-day activity opens at 00:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_LENGTH = timedelta(hours=2)  # an activity with a start time only
CHECKIN_EARLY = timedelta(minutes=30)  # check-in opens this long before the start
# The personal reminder to those signed up. A whole-day activity is reminded at
# ALL_DAY_REMIND on its day rather than at 22:00 the evening before.
REMIND_BEFORE = timedelta(hours=2)
ALL_DAY_REMIND = time(8, 0)


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime  # UTC
    end: datetime  # UTC, exclusive
    all_day: bool

    @property
    def opens(self) -> datetime:
        """When check-in opens."""
        return self.start if self.all_day else self.start - CHECKIN_EARLY

    def open_at(self, now: datetime) -> bool:
        """Whether a check-in at `now` counts."""
        return self.opens <= now < self.end

    @property
    def remind_at(self) -> datetime:
        """When the personal reminder to those signed up is due."""
        return self.start + (self._all_day_remind if self.all_day else -REMIND_BEFORE)

    @property
    def _all_day_remind(self) -> timedelta:
        return timedelta(hours=ALL_DAY_REMIND.hour, minutes=ALL_DAY_REMIND.minute)


def _clock(text: str) -> time:
    hour, minute = text.strip().split(":")
    return time(int(hour), int(minute))


def window(day: date, when: str, tz: ZoneInfo) -> Window:
    """The activity's start and end; `when` is the file's "HH:MM", "HH:MM-HH:MM" or ""."""
    if not when.strip():
        start = datetime.combine(day, time(0, 0), tz)
        end = datetime.combine(day + timedelta(days=1), time(0, 0), tz)
        return Window(start.astimezone(UTC), end.astimezone(UTC), True)
    parts = when.split("-")
    start = datetime.combine(day, _clock(parts[0]), tz)
    end = datetime.combine(day, _clock(parts[1]), tz) if len(parts) > 1 else start + DEFAULT_LENGTH
    return Window(start.astimezone(UTC), end.astimezone(UTC), False)
