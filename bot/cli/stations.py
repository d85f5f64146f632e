"""`python -m bot stations import|export FILE`: station files in CSV or GeoJSON."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.cli.files import job_session, read_input, report_errors, write_output
from bot.config import Settings
from bot.db.stations.repository import StationRepository, UpsertCounts
from bot.services.stations.service import store_stations
from knowledge.stations.files import parse_file, to_csv, to_geojson
from knowledge.stations.station import Station


async def _upsert(settings: Settings, stations: list[Station]) -> UpsertCounts:
    async with job_session(settings) as session:
        counts = await store_stations(session, stations)
        await session.commit()
        return counts


async def _load_all(settings: Settings) -> list[Station]:
    async with job_session(settings) as session:
        return await StationRepository(session).all()


def import_file(settings: Settings, path: Path) -> int:
    """All or nothing: every bad row is reported and nothing is written."""
    text = read_input(path)
    if text is None:
        return 2
    result = parse_file(path.name, text)
    if not result.ok:
        return report_errors(path, result.errors)
    counts = asyncio.run(_upsert(settings, result.stations))
    print(f"added {counts.added}, updated {counts.updated}, unchanged {counts.unchanged}")
    if counts.samples_removed:
        print(f"removed {counts.samples_removed} sample stations (illustrative data)")
    return 0


def export_file(settings: Settings, path: Path) -> int:
    stations = asyncio.run(_load_all(settings))
    geo = path.suffix.lower() in {".geojson", ".json"}
    if not write_output(path, to_geojson(stations) if geo else to_csv(stations)):
        return 2
    print(f"exported {len(stations)} stations to {path}")
    return 0
