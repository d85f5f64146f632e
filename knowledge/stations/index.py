"""Nearest-station search: a KD-tree on unit-sphere coordinates.

Points on the unit sphere turn great-circle nearness into straight-line nearness, so scipy's
cKDTree answers k-nearest queries exactly; chord length converts back to great-circle distance.
A filtered query (service, open now) asks the tree for more candidates until it has enough or
runs out of stations within the radius. Each service filter gets its own tree, built on first
use, so "nearest with a shower" costs the same as "nearest".
"""

from __future__ import annotations

import base64
import enum
import hashlib
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq
from scipy.spatial import cKDTree

from knowledge.geo import EARTH_RADIUS_KM, haversine_km
from knowledge.names import has_han, normalize
from knowledge.stations.station import Service, Station

__all__ = [
    "EARTH_RADIUS_KM", "Hit", "NameGrade", "NameHit", "StationIndex", "haversine_km",
    "station_key", "unit_vectors",
]  # fmt: skip

log = logging.getLogger(__name__)

# Characters that many station names share (kinds of place, administrative words): matching
# only these says nothing about which station was meant.
GENERIC_CHARS = frozenset("司机之家驿站党群服务中心区食堂市县镇乡省路街道号点货车的")


def station_key(station_id: str) -> str:
    """A short key for a station id (10 characters, 60 bits): ids may be 32 characters long,
    too long to share a button's 64 bytes with a list's search."""
    digest = hashlib.blake2b(station_id.encode(), digest_size=8).digest()
    return base64.urlsafe_b64encode(digest).decode()[:10]


class NameGrade(enum.IntEnum):
    EXACT = 0  # the whole name
    CONTAINS = 1  # part of the name, as written ("暖心之家")
    IN_ORDER = 2  # every typed character, in order, with words left out ("交运司机之家")
    ONE_OFF = 3  # all but one typed character in order: a typo or an extra one ("沙弯暖心之家")

    @property
    def tier(self) -> int:
        """Matches of one tier are about equally good: a text that is part of one name and
        has its characters spread over another could mean either."""
        return {NameGrade.EXACT: 0, NameGrade.ONE_OFF: 2}.get(self, 1)


@dataclass(frozen=True, slots=True)
class NameHit:
    station: Station
    grade: NameGrade
    score: float  # fuzz.ratio of the text and the name: more of the name typed scores higher


def unit_vectors(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.float64]:
    phi, lam = np.radians(lat), np.radians(lon)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def km_to_chord(km: float) -> float:
    return 2 * math.sin(min(km / EARTH_RADIUS_KM, math.pi) / 2)


@dataclass(frozen=True, slots=True)
class Hit:
    station: Station
    distance_km: float


class _Tree:
    def __init__(self, members: NDArray[np.intp], points: NDArray[np.float64]) -> None:
        self.members = members  # positions in the index's station list
        self.tree = cKDTree(points[members]) if len(members) else None


class StationIndex:
    def __init__(self, stations: Sequence[Station]) -> None:
        self.stations: tuple[Station, ...] = tuple(stations)
        lat = np.fromiter((s.lat for s in self.stations), float, len(self.stations))
        lon = np.fromiter((s.lon for s in self.stations), float, len(self.stations))
        self._points = unit_vectors(lat, lon)
        self._all = _Tree(np.arange(len(self.stations)), self._points)
        self._by_services: dict[frozenset[Service], _Tree] = {}
        self.by_id = {s.id: s for s in self.stations}
        self._names: list[str] | None = None  # normalised, built on first use or in prepare()
        self._keys: dict[str, str | None] | None = None  # station_key → id (None: shared)

    def with_station(self, station: Station) -> StationIndex:
        """A copy with one station's non-spatial fields replaced (e.g. its status), sharing the
        trees: position and services are unchanged, so nothing is rebuilt."""
        old = self.by_id[station.id]
        if (old.lat, old.lon, old.services) != (station.lat, station.lon, station.services):
            raise ValueError("with_station() cannot move a station or change its services")
        copy = object.__new__(StationIndex)
        copy.__dict__.update(self.__dict__)
        position = self.stations.index(old)
        copy.stations = (*self.stations[:position], station, *self.stations[position + 1 :])
        copy.by_id = {**self.by_id, station.id: station}
        copy._by_services = self._by_services  # shared cache of per-filter trees
        if old.name != station.name:
            copy._names = None
        return copy

    @staticmethod
    def distance_km(station: Station, lat: float, lon: float) -> float:
        lats, lons = np.array([station.lat]), np.array([station.lon])
        return float(haversine_km(lat, lon, lats, lons)[0])

    def __len__(self) -> int:
        return len(self.stations)

    def prepare(self, filters: Iterable[frozenset[Service]]) -> StationIndex:
        """Build the trees for these filters, the names and the keys now (e.g. in a worker
        thread), not on first use."""
        for services in filters:
            self._tree_for(services)
        self._normalized_names()
        self._key_map()
        return self

    def _normalized_names(self) -> list[str]:
        if self._names is None:
            self._names = [normalize(s.name) for s in self.stations]
        return self._names

    def _key_map(self) -> dict[str, str | None]:
        if self._keys is None:
            keys: dict[str, str | None] = {}
            for station in self.stations:
                key = station_key(station.id)
                if key in keys:  # 60 bits: not expected in this lifetime, but not wrong either
                    log.warning("stations %s and %s share key %s", keys[key], station.id, key)
                    keys[key] = None
                else:
                    keys[key] = station.id
            self._keys = keys
        return self._keys

    def by_key(self, key: str) -> Station | None:
        station_id = self._key_map().get(key)
        return None if station_id is None else self.by_id.get(station_id)

    def match_names(self, text: str, *, min_length: int = 3, limit: int = 20) -> list[NameHit]:
        """Stations whose name `text` means, best first (see NameGrade), at most `limit`.

        Chinese has no spaces, so names are compared character by character: the text may
        leave words out and get one character wrong, but must keep at least two characters
        that are not generic (司机之家 alone names a kind of place, not a station). Shorter
        texts than `min_length` match nothing (two characters are in too many names).
        """
        query = normalize(text)
        if len(query) < min_length:
            return []
        names = self._normalized_names()
        hits: dict[int, NameHit] = {}

        def add(i: int, grade: NameGrade) -> None:
            hits[i] = NameHit(self.stations[i], grade, fuzz.ratio(query, names[i]))

        for i, name in enumerate(names):
            if query in name:
                add(i, NameGrade.EXACT if name == query else NameGrade.CONTAINS)
        distinct = "".join(ch for ch in query if ch not in GENERIC_CHARS)
        if has_han(query) and len(distinct) >= 2:
            need = max(2, len(distinct) - 1)
            for _name, _score, i in process.extract(
                distinct, names, scorer=LCSseq.similarity, score_cutoff=need, limit=None
            ):
                if i in hits:
                    continue
                common = LCSseq.similarity(query, names[i])
                if common == len(query):
                    add(i, NameGrade.IN_ORDER)
                elif common == len(query) - 1:
                    add(i, NameGrade.ONE_OFF)
        ranked = sorted(hits.values(), key=lambda h: (h.grade, -h.score, h.station.id))
        return ranked[:limit]

    def _tree_for(self, services: frozenset[Service] | None) -> _Tree:
        if not services:
            return self._all
        tree = self._by_services.get(services)
        if tree is None:
            members = np.fromiter(
                (i for i, s in enumerate(self.stations) if s.has_any(services)), np.intp
            )
            tree = self._by_services[services] = _Tree(members, self._points)
        return tree

    def nearest(
        self,
        lat: float,
        lon: float,
        k: int = 5,
        *,
        radius_km: float | None = None,
        services: frozenset[Service] | None = None,
        where: Callable[[Station], bool] | None = None,
        skip: int = 0,
    ) -> list[Hit]:
        """The k nearest stations (after `skip`), nearest first, optionally within a radius,
        offering any of `services`, and passing `where` (e.g. open now)."""
        tree = self._tree_for(services)
        wanted = skip + k
        if tree.tree is None or wanted <= 0:
            return []
        phi, lam = math.radians(lat), math.radians(lon)
        query = (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))
        bound = km_to_chord(radius_km) if radius_km is not None else np.inf
        size = len(tree.members)
        ask = min(size, wanted if where is None else max(2 * wanted, 16))
        while True:
            chords, positions = tree.tree.query(query, k=ask, distance_upper_bound=bound)
            chords, positions = np.atleast_1d(chords), np.atleast_1d(positions)
            found = positions < size  # misses beyond the radius come back as `size`
            hits: list[Hit] = []
            for chord, pos in zip(chords[found].tolist(), positions[found].tolist(), strict=True):
                station = self.stations[tree.members[pos]]
                if where is None or where(station):
                    hits.append(Hit(station, 2 * EARTH_RADIUS_KM * math.asin(min(chord / 2, 1.0))))
                    if len(hits) == wanted:
                        return hits[skip:]
            exhausted = ask >= size or not found.all()
            if exhausted:
                return hits[skip:]
            ask = min(size, ask * 4)
