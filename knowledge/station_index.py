"""Nearest-station search: a KD-tree on unit-sphere coordinates.

Points on the unit sphere turn great-circle nearness into straight-line nearness, so scipy's
cKDTree answers k-nearest queries exactly; chord length converts back to great-circle distance.
A filtered query (service, open now) asks the tree for more candidates until it has enough or
runs out of stations within the radius. Each service filter gets its own tree, built on first
use, so "nearest with a shower" costs the same as "nearest".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from knowledge.geo import EARTH_RADIUS_KM, haversine_km
from knowledge.stations import Service, Station

__all__ = ["EARTH_RADIUS_KM", "Hit", "StationIndex", "haversine_km", "unit_vectors"]


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
        return copy

    def __len__(self) -> int:
        return len(self.stations)

    def prepare(self, filters: Iterable[frozenset[Service]]) -> StationIndex:
        """Build the trees for these filters now (e.g. in a worker thread), not on first use."""
        for services in filters:
            self._tree_for(services)
        return self

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
