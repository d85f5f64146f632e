"""Stations table access. Adds and flushes; the caller's transaction commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.stations.models import StationRow
from knowledge.stations.station import Service, Station, StationKind, StationStatus


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    added: int
    updated: int
    unchanged: int
    samples_removed: int = 0


def to_station(row: StationRow | Any) -> Station:
    """From an ORM row or a plain result row (same attribute names); ValueError if the
    stored values no longer fit the vocabularies."""
    return Station(
        id=row.id,
        name=row.name,
        kind=StationKind(row.kind),
        city=row.city,
        district=row.district,
        address=row.address,
        lat=row.lat,
        lon=row.lon,
        phone=row.phone,
        opening_hours=row.opening_hours,
        services=frozenset(Service(s) for s in row.services.split(";") if s),
        note=row.note,
        status=StationStatus(row.status),
        is_sample=row.is_sample,
    )


def _columns(station: Station) -> dict[str, object]:
    return {
        "name": station.name,
        "kind": station.kind.value,
        "city": station.city,
        "district": station.district,
        "address": station.address,
        "lat": station.lat,
        "lon": station.lon,
        "phone": station.phone,
        "opening_hours": station.opening_hours,
        "services": ";".join(sorted(s.value for s in station.services)),
        "note": station.note,
        "status": station.status.value,
        "is_sample": station.is_sample,
    }


class StationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> list[Station]:
        return [to_station(r) for r in await self.all_rows()]

    async def all_rows(self) -> list[Any]:
        """Plain rows, no ORM objects: five times quicker for 150k stations."""
        result = await self.session.execute(
            select(StationRow.__table__).order_by(StationRow.__table__.c.id)
        )
        return list(result.all())

    async def get(self, station_id: str) -> StationRow | None:
        return await self.session.get(StationRow, station_id)

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(StationRow)) or 0)

    async def fingerprint(self) -> tuple[int, str]:
        """Changes whenever a station is added, removed or edited."""
        count, latest = (
            await self.session.execute(select(func.count(), func.max(StationRow.updated_at)))
        ).one()
        return int(count), str(latest)

    async def delete_samples_except(self, keep: set[str]) -> int:
        rows = await self.session.scalars(select(StationRow).where(StationRow.is_sample))
        doomed = [row for row in rows if row.id not in keep]
        for row in doomed:
            await self.session.delete(row)
        return len(doomed)

    async def upsert_many(self, stations: list[Station]) -> UpsertCounts:
        existing: dict[str, StationRow] = {}
        ids = [s.id for s in stations]
        for start in range(0, len(ids), 500):  # SQLite caps bound variables per statement
            chunk = select(StationRow).where(StationRow.id.in_(ids[start : start + 500]))
            existing.update((row.id, row) for row in await self.session.scalars(chunk))
        added = updated = unchanged = 0
        for station in stations:
            columns = _columns(station)
            row = existing.get(station.id)
            if row is None:
                self.session.add(StationRow(id=station.id, **columns))
                added += 1
            elif any(getattr(row, k) != v for k, v in columns.items()):
                for key, value in columns.items():
                    setattr(row, key, value)
                updated += 1
            else:
                unchanged += 1
        await self.session.flush()
        return UpsertCounts(added, updated, unchanged)
