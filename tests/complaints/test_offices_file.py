"""The offices file: the sample parses and round-trips, routes every category; bad files are
refused whole, each problem with its line."""

from __future__ import annotations

import pytest

from knowledge import DATA_DIR
from knowledge.complaints.categories import Category
from knowledge.complaints.files import dump_offices_yaml, parse_offices_yaml

SAMPLE = (DATA_DIR / "complaints_sample.yaml").read_text(encoding="utf-8")
GOOD = """\
offices:
  - id: a
    name: 甲单位
routes:
  - category: "*"
    office: a
"""


def test_the_sample_parses_round_trips_and_routes_everything() -> None:
    result = parse_offices_yaml(SAMPLE)
    assert result.ok and result.book is not None
    book = result.book
    assert {book.route(c, None).id for c in Category} >= {"transport", "union", "platforms"}
    assert book.route(Category.OTHER, "温州").id == "mediation"
    assert book.deadlines_for(Category.INSURANCE).resolve == 10
    again = parse_offices_yaml(dump_offices_yaml(book))
    assert again.ok and again.book == book


def test_routes_pick_the_most_specific() -> None:
    text = (
        GOOD
        + """\
  - category: freight
    office: b
  - category: freight
    city: 温州市
    office: c
  - category: "*"
    city: 温州
    office: b
"""
    )
    text = text.replace("routes:", "  - id: b\n    name: 乙\n  - id: c\n    name: 丙\nroutes:")
    result = parse_offices_yaml(text)
    assert result.ok and result.book is not None, result.errors
    book = result.book
    assert book.route(Category.FREIGHT, "温州").id == "c"
    assert book.route(Category.FREIGHT, "自贡").id == "b"
    assert book.route(Category.TOLLS, "温州").id == "b"
    assert book.route(Category.TOLLS, None).id == "a"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "line 1: expected the sections"),
        (GOOD.replace("id: a", "id: a b"), "line 2: id may hold only"),
        (GOOD.replace('category: "*"', "category: cargo"), "line 5: unknown category 'cargo'"),
        (GOOD.replace("office: a", "office: z"), "line 6: unknown office 'z'"),
        (GOOD.replace('  - category: "*"\n', "  - category: freight\n"),
         "a catch-all route is needed"),
        (GOOD + "deadlines:\n  default: {accept: 3, respond: 2}\n",
         "accept <= respond <= resolve"),
        (GOOD + "deadlines:\n  freight: {resolve: 99}\n", "between 0 and 30"),
        (GOOD + "calendar:\n  holidays: [2027-01-01]\n  workdays: [2027-01-01]\n",
         "both a holiday and a workday"),
        (GOOD + "calendar:\n  holidays: [soon]\n", "dates like 2027-01-01"),
        (GOOD.replace("name: 甲单位", "name: !!python/object:os.system x"), "line 3"),
        (GOOD.replace("name: 甲单位", 'name: "甲\\0"'), "line 3: name contains"),
        (GOOD + "extra: 1\n", "unknown section 'extra'"),
        (GOOD.replace("    name: 甲单位\n", "    name: 甲单位\n    handlers: [0]\n"),
         "Telegram user ids"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_with_the_line(text: str, error: str) -> None:
    result = parse_offices_yaml(text)
    assert not result.ok and result.book is None
    assert any(error in e for e in result.errors), result.errors
