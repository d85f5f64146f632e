"""Typed names (issue 9 item 13): one wrong character and left-out words are forgiven, without
false positives. Pure knowledge: no database, no Telegram."""

from __future__ import annotations

import random

import pytest

from knowledge import DATA_DIR
from knowledge.cities import match_city
from knowledge.stations.files import parse_csv
from knowledge.stations.index import NameGrade, StationIndex, station_key
from knowledge.stations.station import Station, StationKind


def sample_index() -> StationIndex:
    text = (DATA_DIR / "stations_sample.csv").read_text(encoding="utf-8")
    return StationIndex(parse_csv(text, is_sample=True).stations)


def named(name: str, i: int = 0) -> Station:
    return Station(
        id=f"n{i}", name=name, kind=StationKind.STATION, city="", district="", address="",
        lat=30.0, lon=104.0, phone="", opening_hours="24/7", services=frozenset(), note="",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "city"),
    [
        ("乐山", "乐山"),
        ("乐山市", "乐山"),
        ("乐善", "乐山"),  # one wrong character (a homophone from the input method)
        ("成度", "成都"),
        ("深证", "深圳"),
        ("哈尔宾", "哈尔滨"),
        ("去乐山", "乐山"),  # one extra character
        ("西安", "西安"),  # exact beats everything: never "西宁"
        ("Xi'an", "西安"),
        ("xian", "西安"),  # not "pingxiang"
        ("Zigong", "自贡"),
        ("zigon", "自贡"),
        ("吉林", "吉林"),  # a province that is also a city
        ("海南州", "海南州"),
        # One character off several cities, but only one sounds the same (the input method).
        ("广洲", "广州"),
        ("西按", "西安"),
        ("应潭", "鹰潭"),  # not 湘潭
    ],
)
def test_cities_forgive_one_character(typed: str, city: str) -> None:
    found = match_city(typed)
    assert found is not None and found.zh == city


@pytest.mark.parametrize(
    "typed",
    [
        "大家",  # 大同? 大连? 大庆? 大理? one character says nothing: no guess
        "天气",  # 天津 or 天水
        "你好",
        "山东",  # a province, one character off 山南
        "山东省",
        "海南",  # the province, not Qinghai's 海南州
        "四川",
        "火星基地",
        "乐",  # one character matches half the map
        "暖心之家",
    ],
)
def test_cities_without_false_positives(typed: str) -> None:
    assert match_city(typed) is None


def test_prefix_lookups_stay_exact() -> None:
    assert match_city("乐善", min_score=100) is None
    assert match_city("乐山", min_score=100) is not None


@pytest.mark.parametrize(
    ("typed", "station_id", "grade"),
    [
        ("沙湾区G348线货车司机“暖心之家”", "ls-warm-home-g348", NameGrade.EXACT),
        ("鹰潭北站", "yt-north-railway-station", NameGrade.EXACT),
        ("暖心之家", "ls-warm-home-g348", NameGrade.CONTAINS),
        ("人民食堂", "ls-canteen-shawan", NameGrade.CONTAINS),
        ("交运司机之家", "wz-driver-home-jiaoyun", NameGrade.IN_ORDER),  # 温州, 物流 left out
        ("自贡总工会", "zg-trade-union", NameGrade.IN_ORDER),
        ("沙弯暖心之家", "ls-warm-home-g348", NameGrade.ONE_OFF),  # 弯 for 湾, words left out
        ("嘉州冲电堡", "ls-jiazhou-charging-fort", NameGrade.ONE_OFF),
    ],
)
def test_station_names_typed_loosely(typed: str, station_id: str, grade: NameGrade) -> None:
    hits = sample_index().match_names(typed)
    assert [(h.station.id, h.grade) for h in hits[:1]] == [(station_id, grade)]
    assert len([h for h in hits if h.grade.tier == grade.tier]) == 1  # nothing else as good


@pytest.mark.parametrize(
    "typed",
    [
        "火星基地",
        "新司机之家",  # only the generic words match: which driver home?
        "沙湾",  # two characters match too much
        "暖心",
        "乐山市沙湾区",  # a place, not a station name
        "我要洗澡",
        "附近有吃饭的地方吗",
        "shower",
    ],
)
def test_station_names_without_false_positives(typed: str) -> None:
    assert sample_index().match_names(typed) == []


def test_several_equal_matches_are_all_returned_best_first() -> None:
    index = StationIndex(
        [named("温州交运物流“司机之家”", 1), named("台州交运司机之家", 2),
         named("交运集团驿站", 3), named("杭州交通运输司机之家", 4)]
    )  # fmt: skip
    hits = index.match_names("交运司机之家")
    best = [h for h in hits if h.grade.tier == hits[0].grade.tier]
    # Any of them could be meant (交运 is short for 交通运输); the one containing it first.
    assert [h.station.id for h in best] == ["n2", "n1", "n4"]
    assert hits[0].grade is NameGrade.CONTAINS and hits[1].grade is NameGrade.IN_ORDER
    assert "n3" not in {h.station.id for h in hits}  # 司机之家 missing: too much left out


def test_admins_may_use_two_characters() -> None:
    index = sample_index()
    assert [h.station.id for h in index.match_names("暖心", min_length=2)] == ["ls-warm-home-g348"]


def test_station_keys_are_short_stable_and_found_after_a_status_change() -> None:
    index = sample_index()
    station = index.by_id["ls-warm-home-g348"]
    key = station_key(station.id)
    assert len(key) == 10 and key == station_key("ls-warm-home-g348")
    assert index.by_key(key) == station
    from dataclasses import replace

    from knowledge.stations.station import StationStatus

    closed = replace(station, status=StationStatus.CLOSED)
    assert index.with_station(closed).by_key(key) == closed
    assert index.by_key("nosuchkey0") is None


def test_name_matching_scales(benchmark_size: int = 20_000) -> None:
    """Not a timing test: a large index answers, and the matched station is the right one."""
    rng = random.Random(3)
    alphabet = "沙湾区司机之家驿站温州交运物流暖心服务中心党群乐山市中区嘉州充电堡城市解忧亭"
    stations = [
        named("".join(rng.choice(alphabet) for _ in range(rng.randint(5, 14))), i)
        for i in range(benchmark_size)
    ]
    stations.append(named("峨眉山金顶货车之家", benchmark_size))
    hits = StationIndex(stations).match_names("峨眉金顶货车之家")
    assert hits[0].station.name == "峨眉山金顶货车之家"
