"""Chinese cities for profile normalisation: fuzzy name lookup and nearest city to a point.

Coordinates are approximate city centres (WGS-84), good enough to name the city a driver is in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils


@dataclass(frozen=True, slots=True)
class City:
    zh: str
    en: str
    lat: float
    lon: float


CITIES: tuple[City, ...] = (
    City("北京", "Beijing", 39.904, 116.407),
    City("上海", "Shanghai", 31.230, 121.474),
    City("天津", "Tianjin", 39.084, 117.201),
    City("重庆", "Chongqing", 29.563, 106.551),
    City("广州", "Guangzhou", 23.129, 113.264),
    City("深圳", "Shenzhen", 22.543, 114.058),
    City("成都", "Chengdu", 30.573, 104.066),
    City("自贡", "Zigong", 29.339, 104.779),
    City("乐山", "Leshan", 29.552, 103.766),
    City("宜宾", "Yibin", 28.752, 104.643),
    City("泸州", "Luzhou", 28.871, 105.442),
    City("内江", "Neijiang", 29.580, 105.058),
    City("绵阳", "Mianyang", 31.468, 104.679),
    City("南昌", "Nanchang", 28.683, 115.858),
    City("鹰潭", "Yingtan", 28.260, 117.069),
    City("上饶", "Shangrao", 28.455, 117.943),
    City("赣州", "Ganzhou", 25.831, 114.935),
    City("杭州", "Hangzhou", 30.274, 120.155),
    City("温州", "Wenzhou", 27.994, 120.699),
    City("宁波", "Ningbo", 29.868, 121.544),
    City("台州", "Taizhou (Zhejiang)", 28.656, 121.421),
    City("金华", "Jinhua", 29.079, 119.647),
    City("茂名", "Maoming", 21.663, 110.925),
    City("湛江", "Zhanjiang", 21.271, 110.359),
    City("东莞", "Dongguan", 23.021, 113.752),
    City("佛山", "Foshan", 23.022, 113.122),
    City("南京", "Nanjing", 32.060, 118.797),
    City("苏州", "Suzhou", 31.299, 120.585),
    City("合肥", "Hefei", 31.821, 117.227),
    City("福州", "Fuzhou", 26.074, 119.296),
    City("厦门", "Xiamen", 24.480, 118.089),
    City("济南", "Jinan", 36.651, 117.120),
    City("青岛", "Qingdao", 36.067, 120.383),
    City("临沂", "Linyi", 35.104, 118.356),
    City("郑州", "Zhengzhou", 34.747, 113.625),
    City("武汉", "Wuhan", 30.593, 114.305),
    City("长沙", "Changsha", 28.228, 112.939),
    City("南宁", "Nanning", 22.817, 108.366),
    City("海口", "Haikou", 20.044, 110.199),
    City("贵阳", "Guiyang", 26.647, 106.630),
    City("昆明", "Kunming", 25.038, 102.718),
    City("拉萨", "Lhasa", 29.652, 91.172),
    City("西安", "Xi'an", 34.341, 108.940),
    City("兰州", "Lanzhou", 36.061, 103.834),
    City("西宁", "Xining", 36.617, 101.778),
    City("银川", "Yinchuan", 38.487, 106.231),
    City("乌鲁木齐", "Urumqi", 43.825, 87.617),
    City("呼和浩特", "Hohhot", 40.842, 111.749),
    City("太原", "Taiyuan", 37.870, 112.549),
    City("石家庄", "Shijiazhuang", 38.042, 114.514),
    City("沈阳", "Shenyang", 41.806, 123.431),
    City("大连", "Dalian", 38.914, 121.615),
    City("长春", "Changchun", 43.817, 125.324),
    City("哈尔滨", "Harbin", 45.803, 126.535),
)

_SUFFIXES = ("特别行政区", "自治州", "地区", "市", "县", "区")
_EARTH_RADIUS_KM = 6371.0088


def _strip_suffix(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


_CHOICES: dict[int, str] = {}
for _i, _c in enumerate(CITIES):
    _CHOICES[2 * _i] = _c.zh
    _CHOICES[2 * _i + 1] = _c.en.lower()


def match_city(text: str, min_score: float = 85.0) -> City | None:
    """Best known city for a typed name ("自贡市", "zigong"), or None when nothing is close."""
    query = _strip_suffix(text.strip())
    if len(query) < 2:  # one character matches half the map
        return None
    found = process.extractOne(
        query.lower(),
        _CHOICES,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=min_score,
    )
    if found is None:
        return None
    return CITIES[found[2] // 2]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def nearest_city(lat: float, lon: float, max_km: float = 150.0) -> City | None:
    best = min(CITIES, key=lambda c: distance_km(lat, lon, c.lat, c.lon))
    return best if distance_km(lat, lon, best.lat, best.lon) <= max_km else None
