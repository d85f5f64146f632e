"""Nearby duplicates of a snap report: same category, within the radius, in the last days;
and the index gives the brute force's answers, also across the antimeridian."""

from __future__ import annotations

import enum
import math
import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from knowledge.geo import EARTH_RADIUS_KM, haversine_km
from knowledge.snaps.nearby import (
    DUPLICATE_DAYS,
    DUPLICATE_RADIUS_M,
    Nearby,
    NearbyIndex,
    Recent,
    brute_force_near,
)

NOW = datetime(2026, 5, 20, 8, 0, tzinfo=UTC)
HOME = (30.5728, 104.0668)  # Chengdu
M_PER_DEG_LAT = EARTH_RADIUS_KM * 1000 * math.pi / 180  # ≈ 111,195 m on the mean sphere


class Cat(enum.StrEnum):  # the shape of SnapCategory
    POTHOLE = "pothole"
    DEBRIS = "debris"


def north(metres: float, lat: float = HOME[0], lon: float = HOME[1]) -> tuple[float, float]:
    """The point `metres` due north: along a meridian a degree is the same length everywhere."""
    return lat + metres / M_PER_DEG_LAT, lon


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine_km(a[0], a[1], np.array([b[0]]), np.array([b[1]]))[0]) * 1000


def report(
    report_id: int,
    at: tuple[float, float],
    ago: timedelta = timedelta(hours=1),
    category: str = Cat.POTHOLE,
) -> Recent:
    return Recent(report_id, category, at[0], at[1], NOW - ago)


def ids(found: list[Nearby]) -> list[int]:
    return [f.report_id for f in found]


def test_defaults_are_250_m_and_14_days() -> None:
    assert (DUPLICATE_RADIUS_M, DUPLICATE_DAYS) == (250, 14)


def test_same_category_within_250_m_is_found() -> None:
    place = north(240)
    assert metres_between(HOME, place) == pytest.approx(240, abs=0.01)
    found = NearbyIndex([report(1, place)]).near(Cat.POTHOLE, *HOME, NOW)
    assert ids(found) == [1]
    assert found[0].distance_m == pytest.approx(240, abs=0.01)


def test_260_m_away_is_not_found() -> None:
    place = north(260)
    assert metres_between(HOME, place) == pytest.approx(260, abs=0.01)
    index = NearbyIndex([report(1, place)])
    assert index.near(Cat.POTHOLE, *HOME, NOW) == []
    assert ids(index.near(Cat.POTHOLE, *HOME, NOW, radius_m=270)) == [1]


def test_a_point_exactly_on_the_radius_is_found() -> None:
    """The tree's chord and haversine round differently: the index must not lose the edge."""
    place = (HOME[0] + 0.0013, HOME[1] + 0.0017)
    edge = metres_between(HOME, place)
    index = NearbyIndex([report(1, place)])
    assert ids(index.near(Cat.POTHOLE, *HOME, NOW, radius_m=edge)) == [1]
    assert index.near(Cat.POTHOLE, *HOME, NOW, radius_m=edge - 1e-6) == []


def test_another_category_is_not_found() -> None:
    index = NearbyIndex([report(1, north(50), category=Cat.DEBRIS)])
    assert index.near(Cat.POTHOLE, *HOME, NOW) == []
    assert index.near("no such category", *HOME, NOW) == []
    assert ids(index.near("debris", *HOME, NOW)) == [1]  # a plain str is the same category


def test_15_days_old_is_not_found() -> None:
    index = NearbyIndex([
        report(1, north(10), ago=timedelta(days=15)),
        report(2, north(20), ago=timedelta(days=13, hours=23)),
        report(3, north(30), ago=timedelta(days=14)),  # the edge counts
        report(4, north(40), ago=timedelta(days=14, microseconds=1)),
    ])  # fmt: skip
    assert ids(index.near(Cat.POTHOLE, *HOME, NOW)) == [2, 3]
    assert ids(index.near(Cat.POTHOLE, *HOME, NOW, days=16)) == [1, 2, 3]


def test_a_report_after_now_is_not_found() -> None:
    index = NearbyIndex([
        report(1, north(10), ago=-timedelta(minutes=5)),
        report(2, north(20), ago=timedelta(0)),  # filed this instant counts
    ])  # fmt: skip
    assert ids(index.near(Cat.POTHOLE, *HOME, NOW)) == [2]
    assert ids(index.near(Cat.POTHOLE, *HOME, NOW + timedelta(hours=1))) == [1, 2]


def test_nearest_first_and_at_most_limit() -> None:
    index = NearbyIndex([report(i, north(m)) for i, m in [(1, 200), (2, 50), (3, 120), (4, 10)]])
    found = index.near(Cat.POTHOLE, *HOME, NOW)
    assert ids(found) == [4, 2, 3]
    assert [round(f.distance_m) for f in found] == [10, 50, 120]
    assert ids(index.near(Cat.POTHOLE, *HOME, NOW, limit=10)) == [4, 2, 3, 1]
    assert index.near(Cat.POTHOLE, *HOME, NOW, limit=0) == []


def test_add_then_found_remove_then_not() -> None:
    index = NearbyIndex([report(1, north(100))])
    assert len(index) == 1
    index.add(report(2, north(30)))
    assert len(index) == 2
    assert ids(index.near(Cat.POTHOLE, *HOME, NOW)) == [2, 1]
    assert index.remove(2)  # a pending one
    assert index.remove(1)  # one in the tree
    assert not index.remove(1)
    assert not index.remove(99)
    assert len(index) == 0
    assert index.near(Cat.POTHOLE, *HOME, NOW) == []


def test_add_to_an_empty_index_and_a_new_category() -> None:
    index = NearbyIndex()
    assert len(index) == 0
    assert index.near(Cat.POTHOLE, *HOME, NOW) == []
    index.add(report(7, north(5), category=Cat.DEBRIS))
    assert ids(index.near(Cat.DEBRIS, *HOME, NOW)) == [7]
    assert index.near(Cat.POTHOLE, *HOME, NOW) == []


def test_adding_a_report_already_indexed_replaces_it() -> None:
    """The index may be rebuilt from the database between filing and add(): not found twice."""
    index = NearbyIndex([report(1, north(100))])
    index.add(report(1, north(100)))
    index.add(report(1, north(60)))
    assert len(index) == 1
    found = index.near(Cat.POTHOLE, *HOME, NOW)
    assert ids(found) == [1]
    assert found[0].distance_m == pytest.approx(60, abs=0.01)


def test_a_full_buffer_merges_into_the_tree() -> None:
    index = NearbyIndex([report(1, north(1))], merge_at=4)
    for i in range(2, 12):
        index.add(report(i, north(i)))
    index.remove(3)
    index.add(report(12, north(12)))  # removed ones are dropped on the next merge
    assert len(index) == 11
    assert ids(index.near(Cat.POTHOLE, *HOME, NOW, limit=20)) == [1, 2, *range(4, 13)]


def test_a_naive_time_is_refused() -> None:
    index = NearbyIndex()
    with pytest.raises(TypeError):
        index.add(Recent(1, Cat.POTHOLE, *HOME, datetime(2026, 5, 20, 8, 0)))
    assert len(index) == 0
    with pytest.raises(TypeError):
        NearbyIndex([Recent(1, Cat.POTHOLE, *HOME, datetime(2026, 5, 20, 8, 0))])


def _wrap(lon: float) -> float:
    return (lon + 180) % 360 - 180


def _random_reports(rng: random.Random, n: int, start_id: int = 0) -> list[Recent]:
    """Half in a 2 km square in Chengdu, half in one straddling the antimeridian (lon 180)."""
    items = []
    for i in range(n):
        lat0, lon0 = HOME if i % 2 else (52.0, 180.0)
        items.append(
            Recent(
                start_id + i,
                rng.choice(list(Cat)),
                lat0 + rng.uniform(-0.009, 0.009),
                _wrap(lon0 + rng.uniform(-0.012, 0.012)),
                NOW - timedelta(seconds=rng.uniform(-2 * 86_400, 20 * 86_400)),
            )
        )
    return items


def test_random_queries_agree_with_brute_force() -> None:
    rng = random.Random(20260520)
    items = _random_reports(rng, 2000)
    index = NearbyIndex(items, merge_at=64)
    live = {i.report_id: i for i in items}
    for report_id in rng.sample(sorted(live), 100):
        assert index.remove(report_id)
        del live[report_id]
    for item in _random_reports(rng, 150, start_id=10_000):  # two merges, some left pending
        index.add(item)
        live[item.report_id] = item
    assert len(index) == len(live)
    across = 0
    for q in range(200):
        centre = (52.0, 180.0) if q % 2 else HOME
        lat = centre[0] + rng.uniform(-0.01, 0.01)
        spread = 0.004 if q % 2 else 0.013  # by the antimeridian: near it, to cross it
        lon = _wrap(centre[1] + rng.uniform(-spread, spread))
        now = NOW - timedelta(hours=rng.uniform(-24, 24 * 5))
        cat = rng.choice(list(Cat))
        radius, days, limit = rng.choice([50, 250, 400]), rng.choice([1, 14]), rng.choice([3, 999])
        got = index.near(cat, lat, lon, now, radius, days, limit)
        want = brute_force_near(list(live.values()), cat, lat, lon, now, radius, days, limit)
        assert ids(got) == ids(want), (q, cat, lat, lon, now, radius, days, limit)
        assert [f.distance_m for f in got] == pytest.approx([f.distance_m for f in want])
        assert all(f.distance_m <= radius for f in got)
        if q % 2 and any((live[f.report_id].lon > 0) != (lon > 0) for f in got):
            across += 1
    assert across >= 20  # the antimeridian really was crossed, and found
