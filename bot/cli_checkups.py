"""`python -m bot checkups import|export FILE`: providers, services and slot templates (YAML)."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.db.models import CheckupProviderRow, CheckupServiceRow
from bot.services.checkup_catalog import CatalogCounts, load_templates, store_catalog
from knowledge.checkups import CheckupCatalog, CheckupService, Provider, ProviderKind
from knowledge.checkups_io import dump_checkups_yaml, parse_checkups_yaml


async def _store(settings: Settings, catalog: CheckupCatalog) -> CatalogCounts:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            today = datetime.now(settings.tz).date()
            counts = await store_catalog(session, catalog, today, settings.tz)
            await session.commit()
            return counts
    finally:
        await engine.dispose()


async def _load(settings: Settings) -> CheckupCatalog:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            providers = tuple(
                Provider(
                    r.id, r.name, ProviderKind(r.kind), r.city, r.address, r.lat, r.lon, r.phone
                )
                for r in await session.scalars(select(CheckupProviderRow))
            )
            services = tuple(
                CheckupService(r.id, r.name_zh, r.name_en, r.duration_min, r.prep_zh, r.prep_en)
                for r in await session.scalars(select(CheckupServiceRow))
            )
            return CheckupCatalog(providers, services, tuple(await load_templates(session)))
    finally:
        await engine.dispose()


def import_file(settings: Settings, path: Path) -> int:
    """All or nothing: every bad entry is reported with its line and nothing is written."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 2
    result = parse_checkups_yaml(text)
    if not result.ok or result.catalog is None:
        for error in result.errors:
            print(f"{path}: {error}", file=sys.stderr)
        print(f"{len(result.errors)} error(s); nothing imported", file=sys.stderr)
        return 1
    counts = asyncio.run(_store(settings, result.catalog))
    print(
        f"{counts.providers} providers, {counts.services} services, {counts.templates} "
        f"slot templates; {counts.slots_added} new slots"
    )
    return 0


def export_file(settings: Settings, path: Path) -> int:
    catalog = asyncio.run(_load(settings))
    try:
        path.write_text(dump_checkups_yaml(catalog), encoding="utf-8")
    except OSError as exc:
        print(f"cannot write {path}: {exc}", file=sys.stderr)
        return 2
    print(f"exported {len(catalog.providers)} providers to {path}")
    return 0
