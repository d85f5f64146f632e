"""Nearby duplicate snap reports among 1,000,000 synthetic reports across China.

Reports are spread uniformly over lat 20–45, lon 100–122, in 8 categories, filed over the last
60 days. Times the index build from Recent objects, then `near` (same category, 250 m, 14 days,
3 nearest) for --queries queries, half filed beside a recent report (a duplicate, so there is
something to find) and half anywhere. The baseline is vectorised numpy brute force: haversine
over every report, then the category, time and radius masks, timed for --brute-queries of the
same queries; both must give the same answers, and brute_force_near (the tests' oracle) is
checked on a few. Ends with one RESULT line.

    python bench/snap_nearby.py [--reports 1000000] [--queries 2000] [--brute-queries 50]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from knowledge.geo import haversine_km
from knowledge.snaps.nearby import (
    DUPLICATE_DAYS,
    DUPLICATE_RADIUS_M,
    Nearby,
    NearbyIndex,
    Recent,
    brute_force_near,
)

CATEGORIES = ["pothole", "debris", "traffic_facility", "water_ice", "hazard", "public_facility",
              "obstruction", "other"]  # fmt: skip
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
M_PER_DEG_LAT = 111_195.08
LIMIT = 3


class Columns:
    """The reports as arrays, what the brute force scans."""

    def __init__(self, n: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.ids = np.arange(1, n + 1, dtype=np.int64)
        self.lat = rng.uniform(20, 45, n)
        self.lon = rng.uniform(100, 122, n)
        self.cat = rng.integers(0, len(CATEGORIES), n).astype(np.int8)
        now_us = (NOW - EPOCH) // timedelta(microseconds=1)
        self.at = now_us - rng.integers(0, 60 * 86_400_000_000, n)

    def recent(self) -> list[Recent]:
        return [
            Recent(i, CATEGORIES[c], la, lo, EPOCH + timedelta(microseconds=t))
            for i, c, la, lo, t in zip(self.ids.tolist(), self.cat.tolist(), self.lat.tolist(),
                                       self.lon.tolist(), self.at.tolist(), strict=True)
        ]  # fmt: skip


def queries(cols: Columns, n: int, seed: int) -> list[tuple[str, float, float]]:
    """Half beside a report of the last 14 days, of its category (up to 200 m off): a driver
    filing a duplicate; half anywhere."""
    rng = np.random.default_rng(seed)
    since = (NOW - timedelta(days=DUPLICATE_DAYS) - EPOCH) // timedelta(microseconds=1)
    recent = np.flatnonzero(cols.at >= since)
    out = []
    for q in range(n):
        if q % 2:
            out.append((CATEGORIES[int(rng.integers(len(CATEGORIES)))],
                        float(rng.uniform(20, 45)), float(rng.uniform(100, 122))))  # fmt: skip
            continue
        i = int(recent[rng.integers(len(recent))])
        metres, bearing = rng.uniform(0, 200), rng.uniform(0, 2 * math.pi)
        lat = cols.lat[i] + metres * math.cos(bearing) / M_PER_DEG_LAT
        lon = cols.lon[i] + metres * math.sin(bearing) / (
            M_PER_DEG_LAT * math.cos(math.radians(cols.lat[i]))
        )
        out.append((CATEGORIES[cols.cat[i]], float(lat), float(lon)))
    return out


def brute(cols: Columns, category: str, lat: float, lon: float) -> list[Nearby]:
    """The baseline: numpy haversine over every report, then masks, then the nearest three."""
    until = (NOW - EPOCH) // timedelta(microseconds=1)
    since = until - DUPLICATE_DAYS * 86_400_000_000
    metres = 1000 * haversine_km(lat, lon, cols.lat, cols.lon)
    keep = (metres <= DUPLICATE_RADIUS_M) & (cols.cat == CATEGORIES.index(category))
    keep &= (cols.at >= since) & (cols.at <= until)
    rows = np.flatnonzero(keep)
    rows = rows[np.lexsort((cols.ids[rows], metres[rows]))][:LIMIT]
    return [Nearby(int(cols.ids[r]), float(metres[r])) for r in rows]


def _rss_mb() -> float:
    """Resident memory of this process (Linux), which counts scipy's own allocations too."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.99) - 1)]


def same(a: list[Nearby], b: list[Nearby]) -> bool:
    return [x.report_id for x in a] == [x.report_id for x in b] and all(
        math.isclose(x.distance_m, y.distance_m, rel_tol=1e-9, abs_tol=1e-6)
        for x, y in zip(a, b, strict=True)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--brute-queries", type=int, default=50)
    parser.add_argument("--oracle-queries", type=int, default=3, help="brute_force_near checks")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    started = time.perf_counter()
    cols = Columns(args.reports, args.seed)
    items = cols.recent()
    print(f"{args.reports} reports generated in {time.perf_counter() - started:.1f} s")

    rss_before = _rss_mb()
    started = time.perf_counter()
    index = NearbyIndex(items)
    build_s = time.perf_counter() - started
    memory_mb = _rss_mb() - rss_before
    assert len(index) == args.reports

    asked = queries(cols, args.queries, args.seed + 1)
    fast, answers = [], []
    for category, lat, lon in asked:
        start = time.perf_counter()
        found = index.near(category, lat, lon, NOW)
        fast.append(time.perf_counter() - start)
        answers.append(found)

    slow = []
    for (category, lat, lon), found in zip(asked[: args.brute_queries], answers, strict=False):
        start = time.perf_counter()
        expected = brute(cols, category, lat, lon)
        slow.append(time.perf_counter() - start)
        assert same(found, expected), (category, lat, lon, found, expected)
    for (category, lat, lon), found in zip(asked[: args.oracle_queries], answers, strict=False):
        assert same(found, brute_force_near(items, category, lat, lon, NOW))

    f50, f99 = (s * 1e6 for s in percentiles(fast))
    s50, s99 = (s * 1e3 for s in percentiles(slow))
    speedup = s50 * 1e3 / f50
    with_hits = sum(1 for a in answers if a)
    print(f"index built in {build_s:.2f} s, {memory_mb:.0f} MB resident "
          f"({len(CATEGORIES)} category trees)")  # fmt: skip
    print(f"near: {len(asked)} queries, p50 {f50:.0f} µs, p99 {f99:.0f} µs; "
          f"{with_hits} found a duplicate, {sum(len(a) for a in answers)} hits in all")  # fmt: skip
    print(f"numpy brute force over all {args.reports}: {len(slow)} queries, p50 {s50:.1f} ms, "
          f"p99 {s99:.1f} ms; same answers; brute_force_near agrees on "
          f"{min(args.oracle_queries, len(asked))}")  # fmt: skip
    print(f"speed-up at p50: {speedup:.0f}x")
    print(f"RESULT nearby_p50_us={f50:.1f} nearby_p99_us={f99:.1f} brute_p50_ms={s50:.2f} "
          f"brute_p99_ms={s99:.2f} speedup={speedup:.0f} build_s={build_s:.2f} "
          f"reports={args.reports}")  # fmt: skip


if __name__ == "__main__":
    main()
