"""Parsing what an admin types into the task form: the time window ("12-20 09:00-12:00"),
the number of places and the points. Pure: no Telegram, no database."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TITLE_MAX = 80
DESCRIPTION_MAX = 1000
PLACE_MAX = 120
PLACES_RANGE = (1, 100)
# A day typed without a year this long before today means next year ("01-05" in December);
# a day just gone is a slip and is refused as past, not moved a year on.
ROLL_OVER = timedelta(days=60)
POINTS_RANGE = (0, 1000)

# "12-20 09:00-12:00", "2026-12-20 9:00-12:00", "12/20 09:00~12:00", "12月20日 09:00-12:00"
_WINDOW = re.compile(
    r"^\s*(?:(?P<y>\d{4})[-/.年])?(?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?\s+"
    r"(?P<h1>\d{1,2})[:：](?P<m1>\d{2})\s*[-–~～至到]\s*(?P<h2>\d{1,2})[:：](?P<m2>\d{2})\s*$"
)


class FormErrorCode(enum.StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    WINDOW_FORMAT = "window_format"
    WINDOW_PAST = "window_past"
    WINDOW_ORDER = "window_order"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"


class FormError(ValueError):
    def __init__(self, code: FormErrorCode, limit: int | None = None) -> None:
        super().__init__(code.value)
        self.code, self.limit = code, limit


@dataclass(frozen=True, slots=True)
class Window:
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC


def clean_text(raw: str, limit: int) -> str:
    text = raw.strip()
    if not text:
        raise FormError(FormErrorCode.EMPTY)
    if len(text) > limit:
        raise FormError(FormErrorCode.TOO_LONG, limit)
    return text


def parse_window(raw: str, now: datetime, tz: ZoneInfo) -> Window:
    """A day and its start and end, local time; without a year, the next such day from now."""
    m = _WINDOW.match(raw)
    if m is None:
        raise FormError(FormErrorCode.WINDOW_FORMAT)
    local_now = now.astimezone(tz)
    try:
        year = int(m["y"]) if m["y"] else local_now.year
        day = date(year, int(m["m"]), int(m["d"]))
        start = time(int(m["h1"]), int(m["m1"]))
        end = time(int(m["h2"]), int(m["m2"]))
    except ValueError:
        raise FormError(FormErrorCode.WINDOW_FORMAT) from None
    if not m["y"] and day < local_now.date() - ROLL_OVER:
        try:
            day = day.replace(year=year + 1)  # "01-05" typed in December is next January
        except ValueError:
            raise FormError(FormErrorCode.WINDOW_FORMAT) from None
    if end <= start:
        raise FormError(FormErrorCode.WINDOW_ORDER)
    starts = datetime.combine(day, start, tz)
    if starts <= now:
        raise FormError(FormErrorCode.WINDOW_PAST)
    return Window(
        starts.astimezone(ZoneInfo("UTC")),
        datetime.combine(day, end, tz).astimezone(ZoneInfo("UTC")),
    )


def parse_count(raw: str, bounds: tuple[int, int]) -> int:
    text = raw.strip()
    if not re.fullmatch(r"\d{1,6}", text):
        raise FormError(FormErrorCode.NOT_A_NUMBER)
    value = int(text)
    if not bounds[0] <= value <= bounds[1]:
        raise FormError(FormErrorCode.OUT_OF_RANGE)
    return value
