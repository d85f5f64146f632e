"""Stations as pure data: nearest search against brute force, opening hours, files, map links."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from knowledge.maps import map_links, to_bd09, to_gcj02
from knowledge.stations.files import parse_csv, parse_geojson, to_csv, to_geojson
from knowledge.stations.hours import HoursError, is_open, parse_hours, state_at
from knowledge.stations.index import StationIndex, haversine_km
from knowledge.stations.station import Service, Station, StationKind
from tests.stations.helpers import HEADER

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_SERVICES = list(Service)


def make_station(i: int, lat: float, lon: float, services: frozenset[Service] = frozenset(),
                 hours: str = "24/7") -> Station:  # fmt: skip
    return Station(
        id=f"s{i}", name=f"站{i}", kind=StationKind.STATION, city="", district="", address="",
        lat=lat, lon=lon, phone="", opening_hours=hours, services=services, note="",
    )  # fmt: skip


def random_stations(n: int, seed: int) -> list[Station]:
    rng = random.Random(seed)
    return [
        make_station(
            i,
            rng.uniform(18, 54),
            rng.uniform(73, 135),
            frozenset(rng.sample(ALL_SERVICES, rng.randint(0, 4))),
        )
        for i in range(n)
    ]


def brute_force(stations: list[Station], lat: float, lon: float) -> list[tuple[str, float]]:
    lats = np.array([s.lat for s in stations])
    lons = np.array([s.lon for s in stations])
    dist = haversine_km(lat, lon, lats, lons)
    order = np.argsort(dist, kind="stable")
    return [(stations[i].id, float(dist[i])) for i in order]


@pytest.mark.parametrize("seed", range(5))
def test_nearest_matches_brute_force(seed: int) -> None:
    stations = random_stations(3000, seed)
    index = StationIndex(stations)
    rng = random.Random(seed + 100)
    for _ in range(20):
        lat, lon = rng.uniform(15, 56), rng.uniform(70, 138)
        expected = brute_force(stations, lat, lon)
        hits = index.nearest(lat, lon, k=5)
        assert [h.station.id for h in hits] == [sid for sid, _ in expected[:5]]
        for hit, (_, km) in zip(hits, expected, strict=False):
            assert hit.distance_km == pytest.approx(km, rel=1e-9, abs=1e-6)
        # Radius: exactly the brute-force stations within it, nearest first.
        radius = expected[3][1] + 1e-6
        within = index.nearest(lat, lon, k=10, radius_km=radius)
        assert [h.station.id for h in within] == [sid for sid, km in expected[:10] if km <= radius]
        # Service filter (any of) and a `where` predicate, with paging.
        wanted = frozenset({Service.SHOWER, Service.TRUCK_PARKING})
        filtered = [sid for sid, _ in expected if stations[int(sid[1:])].has_any(wanted)]
        got = index.nearest(lat, lon, k=5, services=wanted)
        assert [h.station.id for h in got] == filtered[:5]
        page2 = index.nearest(lat, lon, k=5, services=wanted, skip=5)
        assert [h.station.id for h in page2] == filtered[5:10]
        even = [sid for sid, _ in expected if int(sid[1:]) % 2 == 0]
        got = index.nearest(lat, lon, k=7, where=lambda s: int(s.id[1:]) % 2 == 0)
        assert [h.station.id for h in got] == even[:7]


def test_rare_filter_and_empty_index() -> None:
    stations = random_stations(500, 7)
    rare = make_station(9999, 30.0, 104.0, frozenset({Service.LEGAL_AID}), "Mo 08:00-09:00")
    index = StationIndex([*stations, rare])
    only = index.nearest(45.0, 125.0, k=5, where=lambda s: s.id == "s9999")
    assert [h.station.id for h in only] == ["s9999"]  # found even far down the list
    assert index.nearest(45.0, 125.0, k=5, radius_km=1.0) == []
    assert StationIndex([]).nearest(30, 104) == []


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_overnight_hours_in_shanghai_time() -> None:
    night = "Mo-Su 22:00-06:00"
    assert is_open(night, _at("2026-11-23T23:30:00+08:00"), SHANGHAI)
    assert is_open(night, _at("2026-11-23T15:00:00+00:00"), SHANGHAI)  # 23:00 in Shanghai
    assert is_open(night, _at("2026-11-24T05:59:00+08:00"), SHANGHAI)
    assert not is_open(night, _at("2026-11-24T06:00:00+08:00"), SHANGHAI)
    assert not is_open(night, _at("2026-11-24T12:00:00+00:00"), SHANGHAI)  # 20:00 local
    state = state_at(night, _at("2026-11-24T04:00:00+00:00"), SHANGHAI)  # 12:00 local
    assert not state.open and state.next_change == _at("2026-11-24T22:00:00+08:00")


def test_weekday_rules_and_24_7() -> None:
    rules = "Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00"
    monday_8am = _at("2026-11-23T08:30:00+08:00")
    saturday_8am = _at("2026-11-28T08:30:00+08:00")
    assert is_open(rules, monday_8am, SHANGHAI)
    assert not is_open(rules, saturday_8am, SHANGHAI)
    assert state_at(rules, saturday_8am, SHANGHAI).next_change == _at("2026-11-28T09:00+08:00")
    always = state_at("24/7", monday_8am, SHANGHAI)
    assert always.open and always.always and always.next_change is None
    # National Day is a public holiday in the Chinese calendar.
    assert not is_open("Mo-Su 08:00-20:00; PH off", _at("2026-10-01T12:00:00+08:00"), SHANGHAI)
    with pytest.raises(HoursError, match="character 7"):
        parse_hours("Mo-Fr 25:00-26:00")


GOOD = (
    "a1,自贡司机之家,driver_home,自贡,自流井区,汇东路1号,29.34,104.78,0813-1,24/7,"
    "shower;meals,1元住宿,open"
)


def test_csv_errors_are_all_reported_with_line_numbers() -> None:
    text = "\n".join(
        [
            HEADER,
            GOOD,
            "a2,,station,自贡,,,29.3,104.7,,24/7,,,open",  # missing name
            "a3,站,station,自贡,,,95.5,104.7,,24/7,,,open",  # lat out of range
            "a4,站,station,自贡,,,29.3,104.7,,24/7,sauna,,open",  # unknown service
            "a5,站,station,自贡,,,29.3,104.7,,Mo-Fr 8-,,,open",  # bad hours
            '"a6","站 with ""quotes""",station,自贡,,,29.3,104.7,,24/7,,"a note\non 2 lines",open',
            "a1,又一个,station,自贡,,,29.3,104.7,,24/7,,,open",  # duplicate id
        ]
    )
    result = parse_csv(text)
    assert not result.ok
    assert [e.split(":")[0] for e in result.errors] == [
        "line 3", "line 4", "line 5", "line 6", "line 9",
    ]  # fmt: skip
    assert "missing name" in result.errors[0]
    assert "lat 95.5 is outside [-90, 90]" in result.errors[1]
    assert "unknown service 'sauna'" in result.errors[2]
    assert "unparsable opening_hours" in result.errors[3]
    assert "duplicate id 'a1' (first on line 2)" in result.errors[4]


def test_csv_missing_column_and_round_trips() -> None:
    assert parse_csv("id,name\nx,y").errors == [
        "line 1: missing columns: kind, city, district, address, lat, lon, phone, "
        "opening_hours, services, note, status"
    ]
    good = parse_csv(f"{HEADER}\n{GOOD}\n")
    assert good.ok and good.stations[0].services == {Service.SHOWER, Service.MEALS}
    assert parse_csv(to_csv(good.stations)).stations == good.stations
    geo = parse_geojson(to_geojson(good.stations))
    assert geo.ok and geo.stations == good.stations
    broken = json.loads(to_geojson(good.stations))
    broken["features"][0]["geometry"]["coordinates"] = [104.78, -91]
    assert parse_geojson(json.dumps(broken)).errors == ["feature 1: lat -91.0 is outside [-90, 90]"]


def test_datum_conversion_matches_reference_values() -> None:
    # Reference values published with the widely used coordtransform library.
    assert to_gcj02(39.915, 116.404) == pytest.approx((39.91640428150164, 116.41024449916938))
    from prcoords import gcj_bd

    bd = gcj_bd((39.915, 116.404))
    assert (bd.lat, bd.lon) == pytest.approx((39.92133699351021, 116.41036949371029))
    # Zigong: GCJ-02 shifts a few hundred metres; BD-09 shifts further.
    g_lat, g_lon = to_gcj02(29.339, 104.779)
    b_lat, b_lon = to_bd09(29.339, 104.779)
    shift_g = haversine_km(29.339, 104.779, np.array([g_lat]), np.array([g_lon]))[0]
    shift_b = haversine_km(29.339, 104.779, np.array([b_lat]), np.array([b_lon]))[0]
    assert 0.1 < shift_g < 1.0 and shift_b > shift_g


def test_map_links_carry_converted_points() -> None:
    links = map_links(39.915, 116.404, "测试;站:一", "北京")
    amap = parse_qs(urlsplit(links.amap).query)
    assert amap["position"] == ["116.410244,39.916404"] and amap["coordinate"] == ["gaode"]
    baidu = parse_qs(urlsplit(links.baidu).query)
    bd = to_bd09(39.915, 116.404)
    assert baidu["location"] == [f"{bd[0]:.6f},{bd[1]:.6f}"]
    assert baidu["coord_type"] == ["bd09ll"]
    marker = parse_qs(urlsplit(links.tencent).query)["marker"][0]
    assert marker == "coord:39.916404,116.410244;title:测试 站 一;addr:北京"


def test_now_is_timezone_aware() -> None:
    assert state_at("24/7", datetime.now(UTC), SHANGHAI).open
