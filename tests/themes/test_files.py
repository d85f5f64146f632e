"""Themes files: the sample, round trips, and line-exact error reports (all or nothing)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import knowledge
from knowledge.cities import city_by_name
from knowledge.months import shift
from knowledge.themes.files import dump_themes_yaml, parse_themes_yaml
from knowledge.themes.programme import Activity, Theme
from tests.themes.helpers import THEMES

SAMPLE = Path(knowledge.__file__).parent / "data" / "themes_sample.yaml"
SEED_CITIES = {"自贡", "鹰潭", "温州", "茂名", "乐山"}


def _sample() -> tuple[Theme, ...]:
    result = parse_themes_yaml(SAMPLE.read_text(encoding="utf-8"))
    assert result.errors == []
    assert result.themes is not None
    return result.themes


def test_the_sample_is_a_year_from_this_month_in_the_seed_cities() -> None:
    themes = _sample()
    assert SAMPLE.read_text(encoding="utf-8").startswith("# 示例数据 / ILLUSTRATIVE SAMPLE DATA")
    months = [t.month for t in themes]
    assert months == [shift("2026-12", n) for n in range(13)]  # 2026-12 ... 2027-12, no gap
    by_month = {t.month: t for t in themes}
    assert "安全" in by_month["2027-03"].title_zh + by_month["2027-03"].description_zh
    assert "体检" in by_month["2027-05"].title_zh and any(
        "义诊" in a.title_zh for a in by_month["2027-05"].activities
    )
    assert "清凉" in by_month["2027-07"].title_zh
    assert "法律" in by_month["2027-09"].title_zh
    for theme in themes:
        assert 1 <= len(theme.activities) <= 3
        assert theme.description_zh and theme.description_en
        for activity in theme.activities:
            assert activity.city == "" or activity.city in SEED_CITIES
            assert activity.city == "" or city_by_name(activity.city) is not None
    assert {a.city for t in themes for a in t.activities} >= SEED_CITIES


def test_fields_are_read_and_normalised() -> None:
    text = THEMES.replace("city: 乐山", "city: Leshan").replace("09:00-11:00", "9:00 - 11:00")
    result = parse_themes_yaml(text)
    assert result.errors == [] and result.themes is not None
    march, april = result.themes
    assert (march.month, april.month, april.description_zh) == ("2027-03", "2027-04", "")
    walk, aid, online = march.activities  # by date
    assert walk == Activity(
        key="ls-hazard-walk", day=date(2027, 3, 9), time="09:00-11:00", title_zh="道路隐患随手拍",
        title_en="Snap report walk", place="沙湾区驿站", city="乐山",
    )  # fmt: skip
    assert aid.time == "14:00-16:00" and online.time == "" and online.city == ""
    assert online.link == "https://example.com/course"


def test_a_plain_time_is_not_read_as_a_number() -> None:
    text = THEMES.replace("time: 14:00-16:00", "time: 14:00")
    result = parse_themes_yaml(text)
    assert result.themes is not None
    assert result.themes[0].activities[1].time == "14:00"  # YAML 1.1 would say 840


def test_round_trip_of_the_sample_and_of_the_small_file() -> None:
    for themes in (_sample(), parse_themes_yaml(THEMES).themes):
        assert themes is not None
        text = dump_themes_yaml(themes)
        again = parse_themes_yaml(text)
        assert again.errors == [] and again.themes == themes
        assert dump_themes_yaml(again.themes) == text


def _errors(text: str) -> list[str]:
    result = parse_themes_yaml(text)
    assert result.themes is None and not result.ok
    return result.errors


# Each bad change to the good file, and the one error it must give (with its line).
BAD = [
    (
        "month: 2027-04",
        "month: 2027-4",
        "line 27: month must be YYYY-MM (e.g. 2027-03), got '2027-4'",
    ),
    ("    title_en: Easy errands month\n", "", "line 27: missing field 'title_en'"),
    ("title_zh: 便民服务月", "title_zh:", "line 28: title_zh is empty"),
    (
        "title_zh: 便民服务月",
        "title_zh: [a, b]",
        "line 28: title_zh must be a single value, got a list",
    ),
    (
        "    description_en: Safety first this spring.\n",
        "",
        "line 2: missing field 'description_en' (every text needs zh and en)",
    ),
    (
        "    title_en: Easy errands month\n",
        "    title_en: Easy errands month\n    colour: red\n",
        "line 30: unknown field 'colour'",
    ),
    (
        "date: 2027-03-13",
        "date: 2027-04-13",
        "line 16: date 2027-04-13 is not in the theme's month 2027-03",
    ),
    (
        "date: 2027-03-13",
        "date: 2027-03-32",
        "line 16: date must be a date YYYY-MM-DD, got '2027-03-32'",
    ),
    ("time: 14:00-16:00", "time: 16:00-14:00", "line 17: time '16:00-14:00' ends before it starts"),
    ("time: 14:00-16:00", "time: 2pm", "line 17: time must be HH:MM or HH:MM-HH:MM, got '2pm'"),
    (
        "city: 自贡",
        "city: 火星",
        "line 21: unknown city '火星' (a city's name, e.g. 自贡 or Zigong)",
    ),
    (
        "link: https://example.com/course",
        "link: example.com",
        "line 26: link must be an http:// or https:// address: 'example.com'",
    ),
    (
        "key: zg-first-aid",
        "key: ls-hazard-walk",
        "line 15: duplicate activity key 'ls-hazard-walk' (first on line 8)",
    ),
    (
        "key: zg-first-aid",
        "key: zg first aid",
        "line 15: key must be 1-64 letters, digits, '-', '_' or '.': 'zg first aid'",
    ),
    (
        "title_en: Hands-on first aid class",
        'title_en: "first \\u202e aid"',
        "line 19: title_en contains a bidirectional control (U+202E)",
    ),
    (
        "place: 自贡市司机之家",
        "place: " + "长" * 201,
        "line 20: place is longer than 200 characters",
    ),
]


@pytest.mark.parametrize(("old", "new", "error"), BAD, ids=[b[2][:40] for b in BAD])
def test_each_bad_value_is_reported_on_its_line(old: str, new: str, error: str) -> None:
    assert old in THEMES
    assert _errors(THEMES.replace(old, new, 1)) == [error]


def test_a_description_needs_both_languages() -> None:
    blank = THEMES.replace("description_en: Safety first this spring.", "description_en: ''")
    missing = "line 2: missing field 'description_en' (every text needs zh and en)"
    assert _errors(blank) == [missing]
    # A bad English text is reported as such, not also as missing.
    bad = THEMES.replace("Safety first this spring.", '"Safety \\u202e first"')
    assert _errors(bad) == ["line 6: description_en contains a bidirectional control (U+202E)"]


def test_a_month_given_twice() -> None:
    text = THEMES.replace("month: 2027-04", "month: 2027-03").replace("2027-04-10", "2027-03-10")
    assert _errors(text) == ["line 27: duplicate month 2027-03 (first on line 2)"]


def test_every_error_of_a_file_is_reported_in_line_order() -> None:
    text = THEMES.replace("city: 乐山", "city: 火星").replace("month: 2027-04", "month: 13")
    text = text.replace("date: 2027-03-20", "date: soon")
    assert _errors(text) == [
        "line 14: unknown city '火星' (a city's name, e.g. 自贡 or Zigong)",
        "line 23: date must be a date YYYY-MM-DD, got 'soon'",
        "line 27: month must be YYYY-MM (e.g. 2027-03), got '13'",
    ]


def test_too_many_activities_for_one_screen() -> None:
    entry = (
        "      - key: k{n}\n        date: 2027-04-1{n}\n        title_zh: 活动\n"
        "        title_en: x\n"
    )
    text = THEMES + "".join(entry.format(n=n) for n in range(6))
    assert _errors(text) == [
        "line 30: 7 activities; at most 6 a month (they are shown on one phone screen)"
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "line 1: the file is empty; expected one section, themes"),
        ("- a\n", "line 1: expected one section, themes, got a list"),
        ("themes: []\n", "line 1: themes must be a list of months"),
        ("themes:\n  - x\n", "line 2: each theme must be a mapping of fields"),
        ("stations: []\n", "line 1: unknown section 'stations' (expected one section, themes)"),
        (
            "themes:\n  - month: [2027-03\n",
            "line 3: YAML syntax error: expected ',' or ']', but got '<stream end>' "
            "(while parsing a flow sequence)",
        ),
        ("themes: !!python/object:os.system x\n", "line 1: themes must be a list of months"),
    ],
)
def test_the_file_as_a_whole(text: str, error: str) -> None:
    assert _errors(text)[0] == error
