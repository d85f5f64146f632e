"""`python -m bot checkups import|export FILE`: providers, services and slot templates (YAML)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from bot.cli.files import job_session, read_input, report_errors, write_output
from bot.config import Settings
from bot.db.checkups.catalog import CatalogRepository
from bot.services.checkups.catalog import CatalogCounts, load_templates, store_catalog
from knowledge.checkups.catalog import CheckupCatalog, CheckupService, Provider, ProviderKind
from knowledge.checkups.files import dump_checkups_yaml, parse_checkups_yaml


async def _store(settings: Settings, catalog: CheckupCatalog) -> CatalogCounts:
    async with job_session(settings) as session:
        today = datetime.now(settings.tz).date()
        counts = await store_catalog(session, catalog, today, settings.tz)
        await session.commit()
        return counts


async def _load(settings: Settings) -> CheckupCatalog:
    async with job_session(settings) as session:
        repo = CatalogRepository(session)
        providers = tuple(
            Provider(r.id, r.name, ProviderKind(r.kind), r.city, r.address, r.lat, r.lon, r.phone)
            for r in await repo.providers()
        )
        services = tuple(
            CheckupService(r.id, r.name_zh, r.name_en, r.duration_min, r.prep_zh, r.prep_en)
            for r in await repo.services()
        )
        return CheckupCatalog(providers, services, tuple(await load_templates(session)))


def import_file(settings: Settings, path: Path) -> int:
    """All or nothing: every bad entry is reported with its line and nothing is written."""
    text = read_input(path)
    if text is None:
        return 2
    result = parse_checkups_yaml(text)
    if not result.ok or result.catalog is None:
        return report_errors(path, result.errors)
    counts = asyncio.run(_store(settings, result.catalog))
    print(
        f"{counts.providers} providers, {counts.services} services, {counts.templates} "
        f"slot templates; {counts.slots_added} new slots"
    )
    return 0


def export_file(settings: Settings, path: Path) -> int:
    catalog = asyncio.run(_load(settings))
    if not write_output(path, dump_checkups_yaml(catalog)):
        return 2
    print(f"exported {len(catalog.providers)} providers to {path}")
    return 0
