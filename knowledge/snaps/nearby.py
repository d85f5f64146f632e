"""Nearby duplicates of a snap report: reports of the same category within 250 m in the last
14 days, so a driver can say "me too" instead of filing the same pothole again.

The same kind of index as the stations' (knowledge/stations/index.py): one KD-tree per category
on unit-sphere vectors, where a radius on the ground is a chord in the tree. The tree only finds
candidates; distances are haversine metres, the same numbers brute_force_near gives, so the two
agree exactly. Everything per report lives in numpy arrays (no Python object per report).
Reports filed after the build wait in a small buffer searched directly and are merged into
their category's tree when it fills; a rejected or closed report is masked out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from knowledge.geo import haversine_km
from knowledge.stations.index import km_to_chord, unit_vectors

__all__ = [
    "DUPLICATE_DAYS", "DUPLICATE_RADIUS_M", "MERGE_AT", "Nearby", "NearbyIndex", "Recent",
    "brute_force_near",
]  # fmt: skip

DUPLICATE_RADIUS_M = 250
DUPLICATE_DAYS = 14
MERGE_AT = 1024  # reports added to a category after the build before its tree is rebuilt

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Slack on the tree's chord (relative, then absolute, far below a millimetre): the tree only
# proposes candidates and haversine decides, so a point on the radius is not lost to rounding.
_CHORD_SLACK = (1e-9, 1e-15)


@dataclass(frozen=True, slots=True)
class Recent:
    report_id: int
    category: str  # a SnapCategory value, e.g. "pothole"
    lat: float
    lon: float
    at: datetime  # when it was filed, timezone-aware (UTC)


@dataclass(frozen=True, slots=True)
class Nearby:
    report_id: int
    distance_m: float


def _micros(at: datetime) -> int:
    """Microseconds since the epoch, exactly (a float timestamp would round at the boundary).
    A naive datetime raises TypeError: its moment is unknown."""
    return (at - _EPOCH) // _MICROSECOND


def _ranked(
    ids: NDArray[np.int64], metres: NDArray[np.float64], radius_m: float, limit: int
) -> list[Nearby]:
    """Within the radius, nearest first (ties by report id, so both searches agree)."""
    keep = metres <= radius_m
    ids, metres = ids[keep], metres[keep]
    order = np.lexsort((ids, metres))[:limit]
    return [Nearby(i, d) for i, d in zip(ids[order].tolist(), metres[order].tolist(), strict=True)]


class _Category:
    """One category's reports: arrays sorted by report id (so remove() is a binary search),
    the tree over them, an alive mask, and a fixed buffer for reports added later."""

    def __init__(
        self,
        ids: NDArray[np.int64],
        lat: NDArray[np.float64],
        lon: NDArray[np.float64],
        at: NDArray[np.int64],
        capacity: int,
    ) -> None:
        order = np.argsort(ids, kind="stable")
        self.ids, self.lat, self.lon, self.at = ids[order], lat[order], lon[order], at[order]
        self.alive = np.ones(len(ids), dtype=bool)
        self.tree = cKDTree(unit_vectors(self.lat, self.lon)) if len(ids) else None
        self.pending = 0
        self.p_ids = np.empty(capacity, dtype=np.int64)
        self.p_lat = np.empty(capacity, dtype=np.float64)
        self.p_lon = np.empty(capacity, dtype=np.float64)
        self.p_at = np.empty(capacity, dtype=np.int64)

    def push(self, item: Recent) -> bool:
        """Buffer a later report; True when the buffer is full and wants merging."""
        n = self.pending
        self.p_ids[n], self.p_lat[n], self.p_lon[n] = item.report_id, item.lat, item.lon
        self.p_at[n] = _micros(item.at)
        self.pending = n + 1
        return self.pending == len(self.p_ids)

    def merged(self) -> _Category:
        """A fresh category holding the live tree rows and the buffer, the removed dropped."""
        n = self.pending
        return _Category(
            np.concatenate((self.ids[self.alive], self.p_ids[:n])),
            np.concatenate((self.lat[self.alive], self.p_lat[:n])),
            np.concatenate((self.lon[self.alive], self.p_lon[:n])),
            np.concatenate((self.at[self.alive], self.p_at[:n])),
            len(self.p_ids),
        )

    def remove(self, report_id: int) -> int:
        """Mask out or drop every live copy of the report; how many there were."""
        lo, hi = np.searchsorted(self.ids, [report_id, report_id + 1])
        removed = int(np.count_nonzero(self.alive[lo:hi]))
        self.alive[lo:hi] = False
        n = self.pending
        keep = self.p_ids[:n] != report_id
        dropped = n - int(np.count_nonzero(keep))
        if dropped:
            for column in (self.p_ids, self.p_lat, self.p_lon, self.p_at):
                column[: n - dropped] = column[:n][keep]
            self.pending = n - dropped
        return removed + dropped


class NearbyIndex:
    """The recent reports of every category, for "is this already reported nearby?".

    Built once from the last weeks' reports (e.g. each minute from the database); add() and
    remove() keep it current in between without rebuilding a tree on every report.
    """

    def __init__(self, items: Iterable[Recent] = (), *, merge_at: int = MERGE_AT) -> None:
        if merge_at < 1:
            raise ValueError("merge_at must be at least 1")
        self._merge_at = merge_at
        columns: dict[str, tuple[list[int], list[float], list[float], list[int]]] = {}
        for item in items:
            column = columns.get(item.category)
            if column is None:
                column = columns[item.category] = ([], [], [], [])
            column[0].append(item.report_id)
            column[1].append(item.lat)
            column[2].append(item.lon)
            column[3].append(_micros(item.at))
        self._categories = {
            category: _Category(
                np.array(ids, dtype=np.int64),
                np.array(lat, dtype=np.float64),
                np.array(lon, dtype=np.float64),
                np.array(at, dtype=np.int64),
                merge_at,
            )
            for category, (ids, lat, lon, at) in columns.items()
        }
        self._size = sum(len(c.ids) for c in self._categories.values())

    def __len__(self) -> int:
        """Live reports: added ones counted, removed ones not."""
        return self._size

    def add(self, item: Recent) -> None:
        """A report filed after the build. One already in the index is replaced (the index may
        have been rebuilt from the database after it was filed), so it is never found twice."""
        _micros(item.at)  # refuse a naive time before touching anything
        self.remove(item.report_id)
        category = self._categories.get(item.category)
        if category is None:
            empty = np.empty(0, dtype=np.int64)
            category = _Category(empty, np.empty(0), np.empty(0), empty, self._merge_at)
            self._categories[item.category] = category
        if category.push(item):
            self._categories[item.category] = category.merged()
        self._size += 1

    def remove(self, report_id: int) -> bool:
        """Forget a report (rejected or closed); False if it was not in the index."""
        removed = sum(c.remove(report_id) for c in self._categories.values())
        self._size -= removed
        return removed > 0

    def near(
        self,
        category: str,
        lat: float,
        lon: float,
        now: datetime,
        radius_m: float = DUPLICATE_RADIUS_M,
        days: int = DUPLICATE_DAYS,
        limit: int = 3,
    ) -> list[Nearby]:
        """Reports of this category within `radius_m` filed in the `days` before `now` (none
        after it), nearest first, at most `limit`."""
        found = self._categories.get(category)
        if found is None or limit <= 0 or radius_m < 0:
            return []
        until = _micros(now)
        since = until - days * 86_400_000_000
        ids: list[NDArray[np.int64]] = []
        metres: list[NDArray[np.float64]] = []
        if found.tree is not None:
            phi, lam = math.radians(lat), math.radians(lon)
            point = (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))
            chord = km_to_chord(radius_m / 1000) * (1 + _CHORD_SLACK[0]) + _CHORD_SLACK[1]
            rows = np.asarray(found.tree.query_ball_point(point, chord), dtype=np.intp)
            if rows.size:
                at = found.at[rows]
                rows = rows[found.alive[rows] & (at >= since) & (at <= until)]
                ids.append(found.ids[rows])
                metres.append(1000 * haversine_km(lat, lon, found.lat[rows], found.lon[rows]))
        n = found.pending
        if n:
            at = found.p_at[:n]
            recent = (at >= since) & (at <= until)
            ids.append(found.p_ids[:n][recent])
            metres.append(
                1000 * haversine_km(lat, lon, found.p_lat[:n][recent], found.p_lon[:n][recent])
            )
        if not ids:
            return []
        return _ranked(np.concatenate(ids), np.concatenate(metres), radius_m, limit)


def brute_force_near(
    items: Sequence[Recent],
    category: str,
    lat: float,
    lon: float,
    now: datetime,
    radius_m: float = DUPLICATE_RADIUS_M,
    days: int = DUPLICATE_DAYS,
    limit: int = 3,
) -> list[Nearby]:
    """NearbyIndex.near by looking at every report: the test oracle and the bench baseline."""
    if limit <= 0 or radius_m < 0:
        return []
    since = now - timedelta(days=days)
    chosen = [i for i in items if i.category == category and since <= i.at <= now]
    ids = np.array([i.report_id for i in chosen], dtype=np.int64)
    lats = np.array([i.lat for i in chosen], dtype=np.float64)
    lons = np.array([i.lon for i in chosen], dtype=np.float64)
    return _ranked(ids, 1000 * haversine_km(lat, lon, lats, lons), radius_m, limit)
