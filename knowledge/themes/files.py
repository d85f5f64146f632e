"""Reading and writing the themes file (YAML): one theme a month and its activities.

Like the checkups file, validation walks the composed node tree (knowledge/yaml_files.py)
so every problem is reported with its line, no YAML tag is ever constructed into an object,
and a file is accepted only whole: the result holds themes only when it holds no errors.
Dates and times are read from the scalar's source text (YAML 1.1 reads a plain 19:00 as the
number 1140).

    themes:
      - month: 2027-03
        title_zh: 平安出行月
        title_en: Safe roads month
        description_zh: ...          # optional; given in one language, needed in both
        description_en: ...
        activities:                  # optional; at most MAX_ACTIVITIES
          - key: 2027-03-zg-safety   # stable: a re-import updates the activity by it
            date: 2027-03-12         # in the theme's month
            time: 19:00-20:30        # optional: HH:MM or HH:MM-HH:MM
            title_zh: ...
            title_en: ...
            place: 自贡市司机之家       # optional
            city: 自贡                # optional, a city the bot knows; none: every city
            link: https://...        # optional
            capacity: 20             # optional: sign-up seats (none: no sign-up)
            points: 10               # optional: what checking in at the place earns (0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from yaml.nodes import MappingNode, Node, SequenceNode

from knowledge.cities import match_city
from knowledge.months import is_month
from knowledge.text_rules import clean_line, problem
from knowledge.themes.programme import Activity, Theme
from knowledge.yaml_files import (
    KEY_PATTERN,
    Entry,
    Errors,
    ParseResult,
    YamlSyntaxError,
    compose,
    describe,
    dump,
    node_line,
    node_tag,
    one_section,
    read_day,
)

SECTION = "themes"
THEME_FIELDS = frozenset(
    {"month", "title_zh", "title_en", "description_zh", "description_en", "activities"}
)
ACTIVITY_FIELDS = frozenset(
    {"key", "date", "time", "title_zh", "title_en", "place", "city", "link", "capacity", "points"}
)
# The database columns' sizes; descriptions are kept short enough for a phone screen.
LIMITS = {
    "title_zh": 60, "title_en": 120, "description_zh": 160, "description_en": 320,
    "place": 200, "city": 64, "link": 512,
}  # fmt: skip
# Every activity of a month is shown on one screen of the 📅 button.
MAX_ACTIVITIES = 6
TIME_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})(?:\s*-\s*(\d{1,2}):(\d{2}))?$")
LINK_PATTERN = re.compile(r"^https?://\S+$")
# Whole numbers an activity may give: a room's seats, and points near a few reports' worth.
NUMBER_RANGES = {"capacity": (1, 10_000), "points": (0, 500)}
NUMBER_PATTERN = re.compile(r"^\d{1,6}$")


@dataclass
class ThemesParseResult(ParseResult):
    themes: tuple[Theme, ...] | None = None
    errors: list[str] = field(default_factory=list)


class _Entry(Entry):
    """One theme's or activity's fields, read as the themes file has them."""

    def raw(self, name: str, required: bool) -> tuple[int, str] | None:
        """A scalar's source text (stripped); None when absent or left blank."""
        found = self.scalar(name, required)
        if found is None:
            return None
        line, node = found
        return line, node.value.strip()

    def text(self, name: str, required: bool = True) -> str:
        found = self.raw(name, required)
        if found is None:
            return ""
        line, value = found
        bad = problem(value)
        if bad:
            self.fail(line, f"{name} contains {bad}")
            return ""
        value = clean_line(value)
        if required and not value:
            self.fail(line, f"{name} is empty")
        elif name in LIMITS and len(value) > LIMITS[name]:
            self.fail(line, f"{name} is longer than {LIMITS[name]} characters")
        return value

    def both(self, name: str) -> tuple[str, str]:
        """An optional text given in both languages or in neither."""
        reported = len(self.errors)
        zh = self.text(f"{name}_zh", required=False)
        zh_bad, reported = len(self.errors) > reported, len(self.errors)
        en = self.text(f"{name}_en", required=False)
        en_bad = len(self.errors) > reported
        for have, other, other_bad, missing in (
            (zh, en, en_bad, f"{name}_en"),
            (en, zh, zh_bad, f"{name}_zh"),
        ):
            if have and not other and not other_bad:  # a bad value was reported already
                self.fail(self.line, f"missing field {missing!r} (every text needs zh and en)")
        return zh, en


def _month(entry: _Entry) -> str:
    found = entry.raw("month", required=True)
    if found is None:
        return ""
    line, value = found
    if not is_month(value):
        entry.fail(line, f"month must be YYYY-MM (e.g. 2027-03), got {value!r}")
        return ""
    return value


def _day(entry: _Entry, month: str) -> date | None:
    found = entry.raw("date", required=True)
    if found is None:
        return None
    line, value = found
    day = read_day(value)
    if day is None:
        entry.fail(line, f"date must be a date YYYY-MM-DD, got {value!r}")
        return None
    if month and value[:7] != month:
        entry.fail(line, f"date {value} is not in the theme's month {month}")
    return day


def _time(entry: _Entry) -> str:
    """ "HH:MM" or "HH:MM-HH:MM" with the end after the start; "" when not given."""
    found = entry.raw("time", required=False)
    if found is None:
        return ""
    line, value = found
    match = TIME_PATTERN.match(value)
    numbers = [int(n) for n in match.groups() if n is not None] if match else []
    clocks = [(h, m) for h, m in zip(numbers[::2], numbers[1::2], strict=True)]
    if not clocks or any(h > 23 or m > 59 for h, m in clocks):
        entry.fail(line, f"time must be HH:MM or HH:MM-HH:MM, got {value!r}")
        return ""
    if len(clocks) == 2 and clocks[1] <= clocks[0]:
        entry.fail(line, f"time {value!r} ends before it starts")
        return ""
    return "-".join(f"{h:02d}:{m:02d}" for h, m in clocks)


def _city(entry: _Entry) -> str:
    """A known city's Chinese name (the way drivers' profiles store it)."""
    value = entry.text("city", required=False)
    if not value:
        return ""
    city = match_city(value, min_score=100)
    if city is None:
        entry.fail(
            entry.line_of("city"), f"unknown city {value!r} (a city's name, e.g. 自贡 or Zigong)"
        )
        return ""
    return city.zh


def _link(entry: _Entry) -> str:
    value = entry.text("link", required=False)
    if value and not LINK_PATTERN.match(value):
        entry.fail(entry.line_of("link"), f"link must be an http:// or https:// address: {value!r}")
        return ""
    return value


def _number(entry: _Entry, name: str) -> int | None:
    """A whole number in NUMBER_RANGES[name]; None when not given (or wrong: reported)."""
    found = entry.raw(name, required=False)
    if found is None:
        return None
    line, value = found
    low, high = NUMBER_RANGES[name]
    if not NUMBER_PATTERN.match(value) or not low <= int(value) <= high:
        entry.fail(line, f"{name} must be a whole number from {low} to {high}, got {value!r}")
        return None
    return int(value)


def _activity(node: Node, month: str, keys: dict[str, int], errors: Errors) -> Activity | None:
    if not isinstance(node, MappingNode):
        errors.add(node_line(node), "each activity must be a mapping of fields")
        return None
    entry = _Entry(node, ACTIVITY_FIELDS, errors)
    key = entry.text("key")
    if key and not KEY_PATTERN.match(key):
        entry.fail(
            entry.line_of("key"), f"key must be 1-64 letters, digits, '-', '_' or '.': {key!r}"
        )
    elif key in keys:
        entry.fail(
            entry.line_of("key"), f"duplicate activity key {key!r} (first on line {keys[key]})"
        )
    elif key:
        keys[key] = entry.line_of("key")
    activity = Activity(
        key=key,
        day=_day(entry, month) or date.min,
        time=_time(entry),
        title_zh=entry.text("title_zh"),
        title_en=entry.text("title_en"),
        place=entry.text("place", required=False),
        city=_city(entry),
        link=_link(entry),
        capacity=_number(entry, "capacity"),
        points=_number(entry, "points") or 0,
    )
    return None if entry.failed else activity


def _activities(
    entry: _Entry, month: str, keys: dict[str, int], errors: Errors
) -> tuple[Activity, ...]:
    found = entry.fields.get("activities")
    if found is None or node_tag(found[1]) == "null":
        return ()
    line, node = found
    if not isinstance(node, SequenceNode):
        entry.fail(line, f"activities must be a list, got {describe(node, with_type=False)}")
        return ()
    if len(node.value) > MAX_ACTIVITIES:
        entry.fail(
            line, f"{len(node.value)} activities; at most {MAX_ACTIVITIES} a month "
            "(they are shown on one phone screen)",
        )  # fmt: skip
    built = [_activity(item, month, keys, errors) for item in node.value]
    if any(activity is None for activity in built):
        entry.failed = True
    return tuple(sorted((a for a in built if a is not None), key=lambda a: (a.day, a.time)))


def _theme(
    node: MappingNode, months: dict[str, int], keys: dict[str, int], errors: Errors
) -> Theme | None:
    entry = _Entry(node, THEME_FIELDS, errors)
    month = _month(entry)
    if month in months:
        entry.fail(
            entry.line_of("month"), f"duplicate month {month} (first on line {months[month]})"
        )
    elif month:
        months[month] = entry.line_of("month")
    title_zh, title_en = entry.text("title_zh"), entry.text("title_en")
    description_zh, description_en = entry.both("description")
    activities = _activities(entry, month, keys, errors)
    if entry.failed:
        return None
    return Theme(month, title_zh, title_en, description_zh, description_en, activities)


def parse_themes_yaml(text: str) -> ThemesParseResult:
    """Validate a whole themes file; the themes are returned only when nothing is wrong."""
    try:
        root = compose(text, context_line=False)
    except YamlSyntaxError as exc:
        return ThemesParseResult(errors=[str(exc)])
    errors = Errors()
    months: dict[str, int] = {}
    keys: dict[str, int] = {}
    themes = [
        _theme(node, months, keys, errors)
        for node in one_section(root, errors, SECTION, "months", "theme")
    ]
    if errors:
        return ThemesParseResult(errors=errors.messages())
    ordered = sorted((t for t in themes if t is not None), key=lambda t: t.month)
    return ThemesParseResult(themes=tuple(ordered))


# --- writing -------------------------------------------------------------------------------


def _optional(fields: dict[str, Any], **values: str) -> dict[str, Any]:
    fields.update({name: value for name, value in values.items() if value})
    return fields


def _activity_fields(a: Activity) -> dict[str, Any]:
    fields: dict[str, Any] = {"key": a.key, "date": a.day.isoformat()}
    _optional(fields, time=a.time)
    fields.update(title_zh=a.title_zh, title_en=a.title_en)
    _optional(fields, place=a.place, city=a.city, link=a.link)
    if a.capacity is not None:
        fields["capacity"] = a.capacity
    if a.points:
        fields["points"] = a.points
    return fields


def _theme_fields(t: Theme) -> dict[str, Any]:
    fields: dict[str, Any] = {"month": t.month, "title_zh": t.title_zh, "title_en": t.title_en}
    _optional(fields, description_zh=t.description_zh, description_en=t.description_en)
    if t.activities:
        fields["activities"] = [_activity_fields(a) for a in t.activities]
    return fields


def dump_themes_yaml(themes: tuple[Theme, ...] | list[Theme]) -> str:
    """The themes in the layout parse_themes_yaml reads (empty optional fields left out)."""
    document = {SECTION: [_theme_fields(t) for t in sorted(themes, key=lambda t: t.month)]}
    return dump(document)
