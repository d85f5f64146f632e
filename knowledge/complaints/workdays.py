"""China's working days, for deadlines "within N working days".

The `chinese_calendar` package knows each year's public holidays and make-up working days
as the State Council publishes them; the offices file can add days for years it does not know
yet. Beyond both, only weekends are days off, and that is logged once a year.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)
_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=8192)
def _library_workday(day: date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package has no data for
        return None


class WorkCalendar:
    def __init__(
        self, holidays: frozenset[date] = frozenset(), workdays: frozenset[date] = frozenset()
    ) -> None:
        self.holidays, self.workdays = holidays, workdays
        self._file_years = {d.year for d in holidays | workdays}
        self._warned: set[int] = set()

    def covers(self, year: int) -> bool:
        return year in self._file_years or _library_workday(date(year, 6, 1)) is not None

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        known = _library_workday(day)
        if known is not None:
            return known
        if day.year not in self._file_years and day.year not in self._warned:
            self._warned.add(day.year)
            log.warning(
                "the public holidays of %d are not known: counting weekends only as days off "
                "(list them under calendar: in the offices file)",
                day.year,
            )
        return day.weekday() < 5

    def nth_workday_after(self, day: date, n: int) -> date:
        """The n-th working day after `day`; n=0: `day` itself when it is one, else the next."""
        if n == 0:
            while not self.is_workday(day):
                day += _ONE_DAY
            return day
        while n > 0:
            day += _ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def deadline(self, at: datetime, n: int, tz: ZoneInfo) -> datetime:
        """ "Within n working days" of `at`: the end of the n-th working day after its local
        day (filed on Friday with n=1: by the end of Monday; filed on a holiday: counted from
        the holiday, so the first working day back is day 1). The moment returned is local
        midnight starting the next day, in UTC."""
        last = self.nth_workday_after(at.astimezone(tz).date(), n)
        return _midnight_after(last, tz)

    def extend(self, due: datetime, n: int, tz: ZoneInfo) -> datetime:
        """A deadline moved by n more working days."""
        last = (due.astimezone(tz) - timedelta(seconds=1)).date()
        return _midnight_after(self.nth_workday_after(last, n), tz)

    def working_days_between(self, start: datetime, end: datetime, tz: ZoneInfo) -> float:
        """Elapsed time in working days: only the hours of working days count."""
        if end <= start:
            return 0.0
        total = 0.0
        day = start.astimezone(tz).date()
        last = end.astimezone(tz).date()
        while day <= last:
            if self.is_workday(day):
                begin = datetime.combine(day, time(), tz)
                span = min(end, begin + _ONE_DAY) - max(start, begin)
                total += max(span.total_seconds(), 0.0) / 86_400
            day += _ONE_DAY
        return total

    def first_workday_of_month(self, year: int, month: int) -> date:
        return self.nth_workday_after(date(year, month, 1), 0)

    def is_first_workday_of_month(self, day: date) -> bool:
        return day == self.first_workday_of_month(day.year, day.month)


def _midnight_after(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day + _ONE_DAY, time(), tz).astimezone(ZoneInfo("UTC"))
