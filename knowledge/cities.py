"""Chinese cities for profiles and place search: fuzzy name lookup, nearest city to a point.

knowledge/data/cities.csv lists the municipalities, every prefecture-level city and autonomous
prefecture, Hong Kong and Macau, with approximate centres (WGS-84).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Levenshtein

from knowledge import DATA_DIR
from knowledge.geo import haversine_km
from knowledge.names import has_han, pinyin


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

_SUFFIXES = (
    "特别行政区", "自治区", "自治州", "地区", "省", "市", "县", "区", "州", " city", " shi",
)  # fmt: skip


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
_PROVINCES = frozenset(_key(c.province) for c in CITIES)
for _name in _PROVINCES & _EXACT.keys():
    if _EXACT[_name].province != _name:  # "海南" means the province, not Qinghai's 海南州
        del _EXACT[_name]
_LATIN = [k for k in _EXACT if not has_han(k)]
_HAN = [k for k in _EXACT if has_han(k)]


def match_city(text: str, min_score: float = 85.0) -> City | None:
    """The city a typed name means ("自贡市", "Zigong", "xian", a small typo), else None.

    `min_score=100` accepts exact names only. Latin spellings may differ a little as a whole
    (`fuzz.ratio`: partial matching would turn "xian" into "pingxiang"); Chinese ones by one
    character, see `_misspelt_city`.
    """
    key = _key(text)
    if len(key) < 2:  # one character matches half the map
        return None
    if key in _EXACT:
        return _EXACT[key]
    if (full := _BY_NAME.get(text.strip())) is not None:  # "海南州", whose short form is taken
        return full
    if min_score >= 100:
        return None
    if has_han(key):
        return _misspelt_city(key)
    found = process.extractOne(
        key, _LATIN, scorer=fuzz.ratio, processor=utils.default_process,
        score_cutoff=min_score,
    )  # fmt: skip
    return _EXACT[found[0]] if found else None


def _misspelt_city(key: str) -> City | None:
    """The one city a Chinese name is one character away from (乐善 → 乐山, 哈尔宾 → 哈尔滨,
    去乐山 → 乐山), if exactly one is.

    Two characters with one wrong leave a single character to go on, so a two-character name
    only matches by a substitution and only when no other city shares that character in that
    place (大家 could be 大同, 大连, 大庆 or 大理: none is taken). Provinces are never read as
    cities they resemble.
    """
    if key in _PROVINCES:  # a province is not a misspelt city: 山东 is one off 山南
        return None
    found = process.extract(key, _HAN, scorer=Levenshtein.distance, score_cutoff=1, limit=None)
    if len(key) == 2:
        found = [f for f in found if len(f[0]) == 2]
    else:
        found = [f for f in found if len(f[0]) >= 2]
    cities = {_EXACT[f[0]] for f in found}
    if len(cities) == 1:
        return cities.pop()
    # The input method's homophone: 乐善 sounds as 乐山, 应潭 as 鹰潭 (which one character
    # alone could not tell from 湘潭).
    return city_by_sound(key)


def city_by_sound(text: str) -> City | None:
    """The one city a Chinese name sounds exactly like (乐善 → 乐山), else None: safer than
    one character off when the name is only a part of a longer text."""
    key = _key(text)
    if len(key) < 2 or key in _PROVINCES or not has_han(key):
        return None
    found = _BY_SOUND.get(pinyin(key), ())
    return found[0] if len(found) == 1 else None


def cities_in(text: str) -> list[tuple[int, int, City]]:
    """The cities named as written inside a longer Chinese text ("自贡哪里能洗澡"): (start,
    end, city), longest names first, never overlapping. Provinces are not cities."""
    return [(m.start(), m.end(), _EXACT[_key(m[0])]) for m in _NAMES_IN_TEXT.finditer(text)]


_BY_NAME = {c.zh: c for c in CITIES}
_BY_SOUND: dict[tuple[str, ...], tuple[City, ...]] = {}
for _name in _HAN:
    if _name not in _PROVINCES:
        _sound = pinyin(_name)
        if _EXACT[_name] not in _BY_SOUND.get(_sound, ()):
            _BY_SOUND[_sound] = (*_BY_SOUND.get(_sound, ()), _EXACT[_name])
# Full names before short ones, so 鹰潭市 is one match and not 鹰潭 and a stray 市.
_NAMES_IN_TEXT = re.compile(
    "|".join(re.escape(n) for n in sorted(
        {c.zh for c in CITIES} | {k for k in _HAN if len(k) >= 2}, key=len, reverse=True))
)  # fmt: skip


def city_by_name(zh: str) -> City | None:
    return _BY_NAME.get(zh)


def nearest_city(lat: float, lon: float, max_km: float = 60.0) -> City | None:
    """The city whose centre is nearest, if within `max_km` (prefecture cities are large)."""
    distances = haversine_km(lat, lon, _LATS, _LONS)
    best = int(np.argmin(distances))
    return CITIES[best] if distances[best] <= max_km else None
