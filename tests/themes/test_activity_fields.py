"""The activities' sign-up and check-in fields in the themes file: read, checked (all or
nothing, with the line), written back the same, in the sample, and through the database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.themes.catalog import load_themes, store_themes
from knowledge.themes.files import dump_themes_yaml, parse_themes_yaml
from tests.themes.helpers import SEATS, THEMES
from tests.themes.test_files import SAMPLE


def test_capacity_and_points_are_read_and_optional() -> None:
    result = parse_themes_yaml(SEATS)
    assert result.errors == [] and result.themes is not None
    by_key = {a.key: a for a in result.themes[0].activities}
    assert (by_key["zg-first-aid"].capacity, by_key["zg-first-aid"].points) == (3, 10)
    assert (by_key["ls-hazard-walk"].capacity, by_key["ls-hazard-walk"].points) == (20, 5)
    assert (by_key["online-quiz"].capacity, by_key["online-quiz"].points) == (None, 0)


def test_bad_values_are_reported_with_their_line_and_nothing_is_taken() -> None:
    lines = SEATS.splitlines()
    capacity_line = lines.index("        capacity: 3") + 1
    points_line = lines.index("        points: 5") + 1
    for bad, message in (
        ("0", "capacity must be a whole number from 1 to 10000, got '0'"),
        ("-2", "capacity must be a whole number from 1 to 10000, got '-2'"),
        ("2.5", "capacity must be a whole number from 1 to 10000, got '2.5'"),
        ("ten", "capacity must be a whole number from 1 to 10000, got 'ten'"),
        ("20000", "capacity must be a whole number from 1 to 10000, got '20000'"),
        ("[3]", "capacity must be a single value, got a list"),
    ):
        result = parse_themes_yaml(SEATS.replace("capacity: 3", f"capacity: {bad}"))
        assert result.themes is None
        assert result.errors == [f"line {capacity_line}: {message}"], bad
    result = parse_themes_yaml(SEATS.replace("points: 5", "points: 501"))
    assert result.themes is None
    assert result.errors == [
        f"line {points_line}: points must be a whole number from 0 to 500, got '501'"
    ]
    # Both wrong at once: both reported.
    both = SEATS.replace("capacity: 3", "capacity: none").replace("points: 5", "points: yes")
    assert len(parse_themes_yaml(both).errors) == 2
    # Explicit zero points is fine, and so is a blank capacity (no sign-up).
    zero = parse_themes_yaml(SEATS.replace("points: 5", "points: 0"))
    assert zero.errors == []
    blank = parse_themes_yaml(SEATS.replace("capacity: 3", "capacity:"))
    assert blank.themes is not None and blank.themes[0].activities[1].capacity is None


def test_the_file_round_trips_with_the_new_fields() -> None:
    themes = parse_themes_yaml(SEATS).themes
    assert themes is not None
    dumped = dump_themes_yaml(themes)
    assert "capacity: 3" in dumped and "points: 10" in dumped
    assert "capacity" not in dumped[dumped.index("key: online-quiz") :]  # absent stays absent
    assert parse_themes_yaml(dumped).themes == themes
    assert dump_themes_yaml(parse_themes_yaml(dumped).themes or ()) == dumped


def test_the_sample_shows_both_kinds_of_activity() -> None:
    themes = parse_themes_yaml(SAMPLE.read_text(encoding="utf-8")).themes
    assert themes is not None
    activities = [a for t in themes for a in t.activities]
    with_seats = [a for a in activities if a.capacity is not None]
    assert len(with_seats) >= 3 and all(a.points > 0 for a in with_seats)
    assert any(a.capacity is None for a in activities)
    assert any(a.capacity is None and a.points for a in activities)  # walk-ins earn too
    assert parse_themes_yaml(dump_themes_yaml(themes)).themes == themes


async def test_the_fields_survive_the_database(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    for text in (SEATS, THEMES):
        themes = parse_themes_yaml(text).themes
        assert themes is not None
        async with session_factory() as session:
            await store_themes(session, themes)
            await session.commit()
        async with session_factory() as session:
            loaded = {t.month: t for t in await load_themes(session)}
        assert all(loaded[t.month] == t for t in themes)
