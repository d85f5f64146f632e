"""Chinese cities for profiles and place search: fuzzy name lookup, nearest city to a point.

knowledge/data/cities.csv lists the municipalities, every prefecture-level city and autonomous
prefecture, Hong Kong and Macau, with approximate centres (WGS-84).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process, utils

from knowledge import DATA_DIR
from knowledge.geo import haversine_km


@dataclass(frozen=True, slots=True)
class City:
    zh: str
    en: str
    province: str
    lat: float
    lon: float


def _load() -> tuple[City, ...]:
    with (DATA_DIR / "cities.csv").open(encoding="utf-8") as fh:
        return tuple(
            City(r["zh"], r["en"], r["province"], float(r["lat"]), float(r["lon"]))
            for r in csv.DictReader(fh)
        )


CITIES: tuple[City, ...] = _load()
_LATS = np.array([c.lat for c in CITIES])
_LONS = np.array([c.lon for c in CITIES])

_SUFFIXES = ("特别行政区", "自治州", "地区", "市", "县", "区", "州", " city", " shi")


def _strip_suffix(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _key(name: str) -> str:
    """Comparable form: no suffix, case, spaces, apostrophes or "(province)" note."""
    name = _strip_suffix(name.strip()).split("(")[0]
    return "".join(ch for ch in name.lower() if ch.isalnum())


# Every spelling of every city (Chinese name, English name) → the city.
_EXACT: dict[str, City] = {}
for _city in CITIES:
    _EXACT.setdefault(_key(_city.en), _city)
    _EXACT[_key(_city.zh)] = _city
_SPELLINGS = list(_EXACT)


def match_city(text: str, min_score: float = 85.0) -> City | None:
    """The city a typed name means ("自贡市", "Zigong", "xian", a small typo), else None."""
    key = _key(text)
    if len(key) < 2:  # one character matches half the map
        return None
    if key in _EXACT:
        return _EXACT[key]
    # Whole-string similarity: partial matching would turn "xian" into "pingxiang".
    found = process.extractOne(
        key, _SPELLINGS, scorer=fuzz.ratio, processor=utils.default_process,
        score_cutoff=min_score,
    )  # fmt: skip
    return _EXACT[found[0]] if found else None


_BY_NAME = {c.zh: c for c in CITIES}


def city_by_name(zh: str) -> City | None:
    return _BY_NAME.get(zh)


def nearest_city(lat: float, lon: float, max_km: float = 60.0) -> City | None:
    """The city whose centre is nearest, if within `max_km` (prefecture cities are large)."""
    distances = haversine_km(lat, lon, _LATS, _LONS)
    best = int(np.argmin(distances))
    return CITIES[best] if distances[best] <= max_km else None
