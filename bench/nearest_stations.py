"""Nearest-station search on 150,000 synthetic stations across China.

Prints index build time, memory the index adds, and p50/p99 query time for the 5 nearest
(unfiltered, with a service filter, and with an open-now check), next to the same queries done
by vectorised brute force (numpy haversine over every station) in the same run, with ratios.
Ends with one RESULT line.

    python bench/nearest_stations.py [--stations 150000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from knowledge.stations.hours import is_open
from knowledge.stations.index import StationIndex, haversine_km
from knowledge.stations.station import SERVICE_FILTERS, Service, Station, StationKind

HOURS = ["24/7", "Mo-Su 08:00-20:00", "Mo-Fr 08:30-17:30", "Mo-Su 22:00-06:00",
         "Mo-Su 06:30-09:00,11:00-14:00,17:00-20:00"]  # fmt: skip
SHANGHAI = ZoneInfo("Asia/Shanghai")


def synthetic(n: int, seed: int = 1) -> list[Station]:
    """Stations clustered around cities, like real ones, across China's extent."""
    rng = random.Random(seed)
    centres = [(rng.uniform(21, 46), rng.uniform(98, 125)) for _ in range(300)]
    services = list(Service)
    stations = []
    for i in range(n):
        lat0, lon0 = rng.choice(centres)
        stations.append(
            Station(
                id=f"s{i}",
                name=f"站{i}",
                kind=rng.choice(list(StationKind)),
                city="",
                district="",
                address="",
                lat=lat0 + rng.gauss(0, 0.4),
                lon=lon0 + rng.gauss(0, 0.4),
                phone="",
                opening_hours=rng.choice(HOURS),
                services=frozenset(rng.sample(services, rng.randint(1, 6))),
                note="",
            )
        )
    return stations


def _rss_mb() -> float:
    """Resident memory of this process (Linux), which counts scipy's own allocations too."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1e6, ordered[int(len(ordered) * 0.99) - 1] * 1e6


def timed(queries: list[tuple[float, float]], run: Callable[[float, float], object]) -> list[float]:
    samples = []
    for lat, lon in queries:
        start = time.perf_counter()
        run(lat, lon)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=150_000)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()

    stations = synthetic(args.stations)
    rss_before = _rss_mb()
    started = time.perf_counter()
    index = StationIndex(stations)
    build_s = time.perf_counter() - started
    wanted = SERVICE_FILTERS["shower"]
    index.nearest(30.0, 110.0, services=wanted)  # builds the shower tree, counted below
    memory_mb = _rss_mb() - rss_before

    rng = random.Random(2)
    queries = [(rng.uniform(22, 45), rng.uniform(100, 123)) for _ in range(args.queries)]
    lats = np.fromiter((s.lat for s in stations), float, len(stations))
    lons = np.fromiter((s.lon for s in stations), float, len(stations))
    has_shower = np.fromiter((s.has_any(wanted) for s in stations), bool, len(stations))
    now = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)

    def open_now(station: Station) -> bool:
        return is_open(station.opening_hours, now, SHANGHAI)

    def top5(dist: np.ndarray) -> list[int]:
        # argpartition then a sort of five: the fastest exact brute force numpy offers.
        five = np.argpartition(dist, 5)[:5]
        return [int(i) for i in five[np.argsort(dist[five], kind="stable")]]

    def brute(lat: float, lon: float) -> list[int]:
        return top5(haversine_km(lat, lon, lats, lons))

    def brute_filtered(lat: float, lon: float) -> list[int]:
        dist = haversine_km(lat, lon, lats, lons)
        dist[~has_shower] = np.inf
        return top5(dist)

    def brute_open(lat: float, lon: float) -> list[int]:
        order = np.argsort(haversine_km(lat, lon, lats, lons))
        found = []
        for i in order:  # opening hours are per station: walk outwards until 5 are open
            if open_now(stations[i]):
                found.append(int(i))
                if len(found) == 5:
                    break
        return found

    # Same answers first: a fast wrong index would be worthless.
    for lat, lon in queries[:50]:
        assert [h.station.id for h in index.nearest(lat, lon)] == [f"s{i}" for i in brute(lat, lon)]
        assert [h.station.id for h in index.nearest(lat, lon, services=wanted)] == [
            f"s{i}" for i in brute_filtered(lat, lon)
        ]

    rows = {
        "k5": (timed(queries, lambda a, b: index.nearest(a, b)), timed(queries, brute)),
        "k5_service": (
            timed(queries, lambda a, b: index.nearest(a, b, services=wanted)),
            timed(queries, brute_filtered),
        ),
        "k5_open_now": (
            timed(queries, lambda a, b: index.nearest(a, b, where=open_now)),
            timed(queries[:200], brute_open),
        ),
    }
    print(f"{args.stations} stations: index built in {build_s * 1000:.0f} ms, "
          f"{memory_mb:.1f} MB resident (with one service tree)")  # fmt: skip
    print(f"{'query':<12} {'index p50 µs':>13} {'p99 µs':>8} {'brute p50 µs':>13} "
          f"{'p99 µs':>8} {'speed-up':>9}")  # fmt: skip
    fields = [f"stations={args.stations}", f"build_ms={build_s * 1000:.0f}",
              f"memory_mb={memory_mb:.1f}"]  # fmt: skip
    for name, (fast, slow) in rows.items():
        f50, f99 = percentiles(fast)
        s50, s99 = percentiles(slow)
        print(f"{name:<12} {f50:>13.0f} {f99:>8.0f} {s50:>13.0f} {s99:>8.0f} {s50 / f50:>8.0f}x")
        fields += [f"{name}_p50_us={f50:.0f}", f"{name}_p99_us={f99:.0f}",
                   f"{name}_brute_p50_us={s50:.0f}", f"{name}_ratio={s50 / f50:.1f}"]  # fmt: skip
    print("RESULT " + " ".join(fields))


if __name__ == "__main__":
    main()
