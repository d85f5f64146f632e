"""Opening hours in OpenStreetMap `opening_hours` syntax, evaluated in local time.

Parsing uses opening-hours-py (the OSM reference grammar); parsed expressions are cached, since
many stations share the same hours.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, ParserError  # type: ignore[attr-defined]  # not in its stubs

_POSITION = re.compile(r"-->\s*\d+:(\d+)")  # the parser's "--> line:column" marker


class HoursError(ValueError):
    pass


@functools.lru_cache(maxsize=4096)
def parse_hours(expression: str) -> OpeningHours:
    """The parsed expression; HoursError when it is not valid OSM syntax."""
    text = expression.strip()
    if not text:
        raise HoursError("empty opening_hours")
    try:
        # CN: public-holiday rules such as "PH off" follow the Chinese calendar.
        return OpeningHours(text, country="CN")
    except (ParserError, SyntaxError, ValueError) as exc:
        where = _POSITION.search(str(exc))
        detail = f"syntax error at character {where[1]}" if where else "syntax error"
        raise HoursError(detail) from None


@dataclass(frozen=True, slots=True)
class HoursState:
    open: bool
    next_change: datetime | None  # aware, in the station's zone; None: never changes
    always: bool


def state_at(expression: str, at: datetime, tz: ZoneInfo) -> HoursState:
    """Open or not at `at` (aware), and when that changes, in local time `tz`."""
    hours = parse_hours(expression)
    local = at.astimezone(tz).replace(tzinfo=None)  # the parser works in naive local time
    is_open = bool(hours.is_open(local))
    change = hours.next_change(local)
    return HoursState(
        open=is_open,
        next_change=change.replace(tzinfo=tz) if change is not None else None,
        always=is_open and change is None,
    )


def is_open(expression: str, at: datetime, tz: ZoneInfo) -> bool:
    return bool(parse_hours(expression).is_open(at.astimezone(tz).replace(tzinfo=None)))
