"""`python -m bot stations import|export FILE`: station files in CSV or GeoJSON."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.db.repositories.stations import StationRepository, UpsertCounts
from bot.services.stations import import_stations
from knowledge.station_io import parse_file, to_csv, to_geojson
from knowledge.stations import Station


async def _upsert(settings: Settings, stations: list[Station]) -> UpsertCounts:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        return await import_stations(create_session_factory(engine), stations)
    finally:
        await engine.dispose()


async def _load_all(settings: Settings) -> list[Station]:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            return await StationRepository(session).all()
    finally:
        await engine.dispose()


def import_file(settings: Settings, path: Path) -> int:
    """All or nothing: every bad row is reported and nothing is written."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 2
    result = parse_file(path.name, text)
    if not result.ok:
        for error in result.errors:
            print(f"{path}: {error}", file=sys.stderr)
        print(f"{len(result.errors)} error(s); nothing imported", file=sys.stderr)
        return 1
    counts = asyncio.run(_upsert(settings, result.stations))
    print(f"added {counts.added}, updated {counts.updated}, unchanged {counts.unchanged}")
    if counts.samples_removed:
        print(f"removed {counts.samples_removed} sample stations (illustrative data)")
    return 0


def export_file(settings: Settings, path: Path) -> int:
    stations = asyncio.run(_load_all(settings))
    geo = path.suffix.lower() in {".geojson", ".json"}
    try:
        path.write_text(to_geojson(stations) if geo else to_csv(stations), encoding="utf-8")
    except OSError as exc:
        print(f"cannot write {path}: {exc}", file=sys.stderr)
        return 2
    print(f"exported {len(stations)} stations to {path}")
    return 0
