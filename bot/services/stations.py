"""Finding stations: the process-wide index, nearby search, place lookup, admin status.

No Telegram here: handlers turn these results into messages.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process, utils
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.after_commit import after_commit
from bot.db.repositories.stations import StationRepository, UpsertCounts, to_station
from knowledge import DATA_DIR
from knowledge.cities import match_city
from knowledge.hours import HoursState, state_at
from knowledge.station_index import Hit, StationIndex
from knowledge.station_io import parse_csv
from knowledge.stations import (
    SERVICE_FILTERS,
    Station,
    StationKind,
    StationStatus,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 5
RADIUS_KM = 50.0
SAMPLE_FILE = DATA_DIR / "stations_sample.csv"
_COORDS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*$")
_KIND_WORDS = {
    "司机之家": StationKind.DRIVER_HOME,
    "驿站": StationKind.STATION,
    "党群": StationKind.SERVICE_CENTRE,
    "服务中心": StationKind.SERVICE_CENTRE,
    "服务区": StationKind.SERVICE_AREA,
    "食堂": StationKind.CANTEEN,
}


class StationError(ValueError):
    def __init__(self, code: str) -> None:
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
        """Rebuild the index if the table changed since the last build; True if rebuilt."""
        async with self._lock, self.session_factory() as session:
            repo = StationRepository(session)
            fingerprint = await repo.fingerprint()
            if fingerprint == self._fingerprint and not force:
                return False
            stations = await repo.all()
        # Building 150k points takes a moment: keep the event loop free meanwhile.
        index = await asyncio.to_thread(StationIndex, stations)
        self.index, self._fingerprint = index, fingerprint
        log.info("station index built: %d stations", len(stations))
        return True

    async def ensure_loaded(self) -> None:
        if self._fingerprint is None:
            await self.refresh()


@dataclass(frozen=True, slots=True)
class StationView:
    station: Station
    distance_km: float | None
    hours: HoursState | None  # None when temporarily closed by an admin

    @property
    def open_now(self) -> bool:
        return self.hours is not None and self.hours.open


@dataclass(frozen=True, slots=True)
class NearbyResult:
    views: list[StationView]
    has_more: bool
    nearest_beyond: StationView | None  # when nothing is within the radius


@dataclass(frozen=True, slots=True)
class Place:
    lat: float
    lon: float
    label: str
    kind: StationKind | None = None


def valid_point(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180


class StationService:
    def __init__(self, session: AsyncSession, catalog: StationCatalog, tz: ZoneInfo) -> None:
        self.session, self.catalog, self.tz = session, catalog, tz
        self.repo = StationRepository(session)

    def view(self, station: Station, distance_km: float | None, now: datetime) -> StationView:
        if station.status is StationStatus.CLOSED:
            return StationView(station, distance_km, None)
        return StationView(station, distance_km, state_at(station.opening_hours, now, self.tz))

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
            raise StationError("location_invalid")
        await self.catalog.ensure_loaded()
        index = self.catalog.index
        services = SERVICE_FILTERS.get(filter_key)

        def where(station: Station) -> bool:
            if kind is not None and station.kind is not kind:
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
            far: list[Hit] = index.nearest(lat, lon, 1, services=services, where=checks)
            if far:
                beyond = self.view(far[0].station, far[0].distance_km, now)
        return NearbyResult(views, len(hits) > PAGE_SIZE, beyond)

    async def details(self, station_id: str, now: datetime) -> StationView:
        await self.catalog.ensure_loaded()
        station = self.catalog.index.by_id.get(station_id)
        if station is None:
            raise StationError("station_unknown")
        return self.view(station, None, now)

    async def find_place(self, text: str) -> Place | None:
        """A typed place: "lat,lon", a station name, or a city (optionally with a kind word)."""
        match = _COORDS.match(text)
        if match:
            lat, lon = float(match[1]), float(match[2])
            if not valid_point(lat, lon):
                raise StationError("location_invalid")
            return Place(lat, lon, f"{lat:.5f}, {lon:.5f}")
        await self.catalog.ensure_loaded()
        kind = next((k for word, k in _KIND_WORDS.items() if word in text), None)
        rest = text
        for word in _KIND_WORDS:
            rest = rest.replace(word, " ")
        rest = rest.strip()
        if rest:
            city = match_city(rest.split()[0]) or match_city(rest)
            if city is not None:
                return Place(city.lat, city.lon, city.zh, kind)
        station = self._match_station(text)
        if station is not None:
            return Place(station.lat, station.lon, station.name, None)
        return None

    def _match_station(self, text: str) -> Station | None:
        stations = self.catalog.index.stations
        if not stations or len(text.strip()) < 2:
            return None
        found = process.extractOne(
            text, [s.name for s in stations], scorer=fuzz.partial_ratio,
            processor=utils.default_process, score_cutoff=80,
        )  # fmt: skip
        return stations[found[2]] if found else None

    async def set_status(self, station_id: str, status: StationStatus) -> Station:
        row = await self.repo.get(station_id)
        if row is None:
            raise StationError("station_unknown")
        row.status = status.value
        await self.session.flush()
        after_commit(self.session, lambda: self.catalog.refresh(force=True))
        return to_station(row)


async def import_stations(
    factory: async_sessionmaker[AsyncSession], stations: list[Station]
) -> UpsertCounts:
    """Upsert a validated file in one transaction (all or nothing)."""
    async with factory() as session:
        counts = await StationRepository(session).upsert_many(stations)
        await session.commit()
    return counts


async def load_sample_if_empty(factory: async_sessionmaker[AsyncSession]) -> int:
    """First run: fill an empty stations table with the illustrative sample data."""
    async with factory() as session:
        repo = StationRepository(session)
        if await repo.count():
            return 0
        result = parse_csv(SAMPLE_FILE.read_text(encoding="utf-8"), is_sample=True)
        if not result.ok:  # a broken shipped file is our bug: say exactly where
            raise RuntimeError("sample stations invalid: " + "; ".join(result.errors[:5]))
        await repo.upsert_many(result.stations)
        await session.commit()
        return len(result.stations)
