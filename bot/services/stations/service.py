"""Finding stations: the process-wide index, nearby search, place lookup, admin status.

No Telegram here: handlers turn these results into messages.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.after_commit import after_commit
from bot.db.stations.repository import StationRepository, UpsertCounts, to_station
from knowledge import DATA_DIR
from knowledge.cities import City, match_city, nearest_city
from knowledge.stations.files import parse_csv
from knowledge.stations.hours import HoursError, HoursState, state_at
from knowledge.stations.index import Hit, NameGrade, StationIndex, station_key
from knowledge.stations.station import (
    SERVICE_FILTERS,
    Station,
    StationKind,
    StationStatus,
)

log = logging.getLogger(__name__)

STATION_TZ = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 5
RADIUS_KM = 50.0
# With nothing within RADIUS_KM the nearest one is still offered, if it is within a drive
# that makes sense (three or four hours): one 1,600 km away helps nobody.
FAR_KM = 300.0
CHOICES = 3  # stations offered when a typed name fits several about equally
SAMPLE_FILE = DATA_DIR / "stations_sample.csv"
_COORDS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*$")
# Words for a kind of station inside a typed place ("鹰潭 司机之家", "Yingtan driver home").
# "station" is left out: in English it is part of names ("Yingtan North station").
_KIND_WORDS = {
    "司机之家": StationKind.DRIVER_HOME,
    "驿站": StationKind.STATION,
    "党群": StationKind.SERVICE_CENTRE,
    "服务中心": StationKind.SERVICE_CENTRE,
    "服务区": StationKind.SERVICE_AREA,
    "食堂": StationKind.CANTEEN,
    "driver home": StationKind.DRIVER_HOME,
    "service centre": StationKind.SERVICE_CENTRE,
    "service center": StationKind.SERVICE_CENTRE,
    "service area": StationKind.SERVICE_AREA,
    "canteen": StationKind.CANTEEN,
}
_KIND_PATTERN = re.compile("|".join(map(re.escape, _KIND_WORDS)), re.IGNORECASE)


# Drivers asking for a 司机之家 mean any full-service driver site: Yingtan's, for one, is run
# as a Party service centre.
KIND_MATCHES: dict[StationKind, frozenset[StationKind]] = {
    StationKind.DRIVER_HOME: frozenset({StationKind.DRIVER_HOME, StationKind.SERVICE_CENTRE}),
}


class StationErrorCode(StrEnum):
    LOCATION_INVALID = "location_invalid"
    STATION_UNKNOWN = "station_unknown"


class StationError(ValueError):
    def __init__(self, code: StationErrorCode) -> None:
        super().__init__(code)
        self.code = code


class StationCatalog:
    """The in-memory index of every station, shared by all updates of this process.

    Rebuilt from the database when stations change: at once after this process changed them,
    and by a scheduler check when another process (the import CLI, another worker) did.
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        self.index = StationIndex([])
        self._fingerprint: tuple[int, str] | None = None
        self._lock = asyncio.Lock()

    async def refresh(self, force: bool = False) -> bool:
        """Rebuild the index if the table changed since the last build; True if rebuilt.

        The lock is held through the build, so an older build can never replace a newer one.
        """
        async with self._lock:
            async with self.session_factory() as session:
                repo = StationRepository(session)
                fingerprint = await repo.fingerprint()
                if fingerprint == self._fingerprint and not force:
                    return False
                rows = await repo.all_rows()
            # Converting and indexing 150k rows takes a while: keep the event loop free.
            self.index = await asyncio.to_thread(_build_index, rows)
            self._fingerprint = fingerprint
        log.info("station index built: %d stations", len(self.index))
        return True

    async def ensure_loaded(self) -> None:
        if self._fingerprint is None:
            await self.refresh()

    async def replace(self, station: Station) -> None:
        """Take one station's new status at once, without rebuilding anything."""
        async with self._lock:
            if station.id not in self.index.by_id:
                return
            self.index = self.index.with_station(station)
            async with self.session_factory() as session:
                # Our own change must not trigger a full rebuild at the next check.
                self._fingerprint = await StationRepository(session).fingerprint()


def _build_index(rows: list[Any]) -> StationIndex:
    stations = []
    for row in rows:
        try:
            stations.append(to_station(row))
        except ValueError as exc:  # one bad row must not take the whole feature down
            log.error("station %r skipped: %s", getattr(row, "id", "?"), exc)
    return StationIndex(stations).prepare(SERVICE_FILTERS.values())


@dataclass(frozen=True, slots=True)
class StationView:
    station: Station
    distance_km: float | None
    hours: HoursState | None  # None: closed by an admin, or hours unknown
    closed: bool = False  # temporarily closed by an admin

    @property
    def open_now(self) -> bool:
        return not self.closed and self.hours is not None and self.hours.open


@dataclass(frozen=True, slots=True)
class NearbyResult:
    views: list[StationView]
    has_more: bool
    nearest_beyond: StationView | None  # when nothing is within the radius


class Origin(enum.StrEnum):
    """Where a search centre came from: it decides what the list is called."""

    HERE = "h"  # a location the driver shared: "near you"
    CITY = "c"  # a typed city: "near 乐山"
    STATION = "s"  # a typed station name: "near 嘉州充电堡"
    POINT = "p"  # typed coordinates: "near (29.4150, 103.5500)"


@dataclass(frozen=True, slots=True)
class Place:
    """A search centre and what it is: `city` or `station` is set for those origins when
    still known (a station can be removed between two taps)."""

    lat: float
    lon: float
    origin: Origin
    kind: StationKind | None = None
    city: City | None = None
    station: Station | None = None


@dataclass(frozen=True, slots=True)
class PlaceChoice:
    """A typed name that fits several stations about equally: the best few, and how many
    others fit as well."""

    stations: tuple[Station, ...]
    more: int = 0


@dataclass(frozen=True, slots=True)
class KindOnly:
    """Only a kind of station was typed ("司机之家"): there is no place to search near."""

    kind: StationKind


@dataclass(frozen=True, slots=True)
class StatusChange:
    station: Station
    changed: bool  # False: it already had that status


def _city_in(word: str) -> City | None:
    """A city named by the word, or a small misspelling of one, or at its start
    ("乐山市沙湾区" → 乐山)."""
    city = match_city(word)
    if city is not None:
        return city
    for length in (4, 3, 2):
        if len(word) > length:
            city = match_city(word[:length], min_score=100)
            if city is not None:
                return city
    return None


def _split_kind(text: str) -> tuple[StationKind | None, list[str]]:
    """The kind word in a typed place, if any, and the other words."""
    match = _KIND_PATTERN.search(text)
    kind = _KIND_WORDS[match[0].lower()] if match else None
    return kind, _KIND_PATTERN.sub(" ", text).split()


def valid_point(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180


class StationService:
    def __init__(
        self, session: AsyncSession, catalog: StationCatalog, tz: ZoneInfo = STATION_TZ
    ) -> None:
        # Opening hours are local wall-clock times of the station: all of China keeps one
        # zone, whatever TIMEZONE the bot shows other times in.
        self.session, self.catalog, self.tz = session, catalog, tz
        self.repo = StationRepository(session)

    def view(self, station: Station, distance_km: float | None, now: datetime) -> StationView:
        if station.status is StationStatus.CLOSED:
            return StationView(station, distance_km, None, closed=True)
        if not station.opening_hours:
            return StationView(station, distance_km, None)  # hours unknown
        try:
            hours = state_at(station.opening_hours, now, self.tz)
        except HoursError:  # e.g. a row edited by hand: show the hours as unknown
            log.warning("station %s has unreadable hours %r", station.id, station.opening_hours)
            hours = None
        return StationView(station, distance_km, hours)

    async def nearby(
        self,
        lat: float,
        lon: float,
        now: datetime,
        *,
        filter_key: str = "",
        open_only: bool = False,
        kind: StationKind | None = None,
        page: int = 0,
    ) -> NearbyResult:
        if not valid_point(lat, lon):
            raise StationError(StationErrorCode.LOCATION_INVALID)
        await self.catalog.ensure_loaded()
        index = self.catalog.index
        services = SERVICE_FILTERS.get(filter_key)

        kinds = KIND_MATCHES.get(kind, frozenset({kind})) if kind is not None else None

        def where(station: Station) -> bool:
            if kinds is not None and station.kind not in kinds:
                return False
            return not open_only or self.view(station, None, now).open_now

        checks = where if (open_only or kind is not None) else None
        hits = index.nearest(
            lat, lon, PAGE_SIZE + 1, radius_km=RADIUS_KM, services=services, where=checks,
            skip=page * PAGE_SIZE,
        )  # fmt: skip
        views = [self.view(h.station, h.distance_km, now) for h in hits[:PAGE_SIZE]]
        beyond = None
        if not hits and page == 0:
            far: list[Hit] = index.nearest(
                lat, lon, 1, radius_km=FAR_KM, services=services, where=checks
            )
            if far:
                beyond = self.view(far[0].station, far[0].distance_km, now)
        return NearbyResult(views, len(hits) > PAGE_SIZE, beyond)

    async def details(self, station_id: str, now: datetime) -> StationView:
        await self.catalog.ensure_loaded()
        station = self.catalog.index.by_id.get(station_id)
        if station is None:
            raise StationError(StationErrorCode.STATION_UNKNOWN)
        return self.view(station, None, now)

    async def details_by_key(
        self, key: str, now: datetime, centre: tuple[float, float] | None = None
    ) -> StationView:
        """A station by its short key (station_key), with its distance from `centre`."""
        await self.catalog.ensure_loaded()
        index = self.catalog.index
        station = index.by_key(key)
        if station is None:
            raise StationError(StationErrorCode.STATION_UNKNOWN)
        distance = None
        if centre is not None:
            distance = index.distance_km(station, *centre)
        return self.view(station, distance, now)

    @staticmethod
    def key_of(station: Station) -> str:
        return station_key(station.id)

    def place(self, lat: float, lon: float, origin: Origin) -> Place:
        """The search centre of a list again, when a filter or page is tapped: the origin
        rides in the button, so a shared location stays "near you" even next to a station,
        and a typed city stays that city."""
        city = station = None
        if origin is Origin.CITY:
            city = nearest_city(lat, lon, max_km=0.5)
        elif origin is Origin.STATION:
            near = self.catalog.index.nearest(lat, lon, 1, radius_km=0.05)
            station = near[0].station if near else None
        return Place(lat, lon, origin, city=city, station=station)

    async def find_place(self, text: str) -> Place | PlaceChoice | KindOnly | None:
        """A typed place: "lat,lon", a city, a station name (optionally with a kind word);
        small typos and left-out words are forgiven, several equal station matches are
        offered as a choice."""
        match = _COORDS.match(text)
        if match:
            lat, lon = float(match[1]), float(match[2])
            if not -90 <= lat <= 90 and -90 <= lon <= 90:
                lat, lon = lon, lat  # "lon,lat", as map apps copy it
            if not valid_point(lat, lon):
                raise StationError(StationErrorCode.LOCATION_INVALID)
            return Place(lat, lon, Origin.POINT)
        await self.catalog.ensure_loaded()
        kind, words = _split_kind(text)
        if not words:
            return KindOnly(kind) if kind is not None else None
        # A city as written comes first: "乐山", "鹰潭 司机之家".
        exact = match_city(words[0], min_score=100) or match_city(" ".join(words), 100)
        if exact is not None:
            return Place(exact.lat, exact.lon, Origin.CITY, kind, city=exact)
        # Scans every station name (30-50 ms at 150k): off the event loop. The index it reads
        # is never modified, only replaced, so a thread can use it safely.
        hits = await asyncio.to_thread(self.catalog.index.match_names, text)
        if hits:
            best = [h for h in hits if h.grade.tier == hits[0].grade.tier]
            if len(best) == 1 or hits[0].grade is NameGrade.EXACT:
                station = best[0].station
                return Place(station.lat, station.lon, Origin.STATION, station=station)
            shown = tuple(h.station for h in best[:CHOICES])
            return PlaceChoice(shown, len(best) - len(shown))
        # Then a misspelt city, or one at the start of a longer name.
        city = _city_in(words[0]) or match_city(" ".join(words))
        if city is not None:
            return Place(city.lat, city.lon, Origin.CITY, kind, city=city)
        return None

    async def find_stations(self, text: str, limit: int = 5) -> tuple[list[Station], int]:
        """Stations an admin means by a name or a part of it (two characters will do here),
        best first: at most `limit`, and how many more there are."""
        await self.catalog.ensure_loaded()
        hits = await asyncio.to_thread(
            self.catalog.index.match_names, text, min_length=2, limit=100
        )
        return [h.station for h in hits[:limit]], max(0, len(hits) - limit)

    async def set_status(self, station_id: str, status: StationStatus) -> StatusChange:
        row = await self.repo.get(station_id)
        if row is None:
            raise StationError(StationErrorCode.STATION_UNKNOWN)
        changed = row.status != status.value
        row.status = status.value
        station = to_station(row)

        async def take_effect() -> None:
            await self.catalog.replace(station)

        if changed:
            after_commit(self.session, take_effect)
        return StatusChange(station, changed)


async def store_stations(session: AsyncSession, stations: list[Station]) -> UpsertCounts:
    """Upsert a validated file (the caller commits: all or nothing). Real data replaces the
    illustrative sample stations shipped for the first run."""
    repo = StationRepository(session)
    counts = await repo.upsert_many(stations)
    removed = await repo.delete_samples_except({s.id for s in stations})
    return dataclasses.replace(counts, samples_removed=removed)


async def load_sample_if_empty(session: AsyncSession) -> int:
    """First run: fill an empty stations table with the illustrative sample data (the caller
    commits)."""
    repo = StationRepository(session)
    if await repo.count():
        return 0
    result = parse_csv(SAMPLE_FILE.read_text(encoding="utf-8"), is_sample=True)
    if not result.ok:  # a broken shipped file is our bug: say exactly where
        raise RuntimeError("sample stations invalid: " + "; ".join(result.errors[:5]))
    await repo.upsert_many(result.stations)
    return len(result.stations)
