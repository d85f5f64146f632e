"""Checkup providers, services and slot templates in the database, and the slots they make.

Import is one transaction: a file lands whole or not at all. Slots are generated from the
stored templates on import and then daily, so the bookable window keeps moving forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.checkups.catalog import CatalogRepository
from bot.db.checkups.models import CheckupProviderRow, CheckupServiceRow, SlotTemplateRow
from bot.services.checkups.bookings import BookingService
from knowledge import DATA_DIR
from knowledge.checkups.catalog import CheckupCatalog, SlotTemplate

SAMPLE_FILE = DATA_DIR / "checkups_sample.yaml"


@dataclass(frozen=True, slots=True)
class CatalogCounts:
    providers: int
    services: int
    templates: int
    slots_added: int


def _template_row(t: SlotTemplate) -> SlotTemplateRow:
    return SlotTemplateRow(
        provider_id=t.provider_id,
        service_id=t.service_id,
        weekdays=",".join(str(d) for d in sorted(t.weekdays)),
        start_time=t.start,
        end_time=t.end,
        slot_minutes=t.slot_minutes,
        capacity=t.capacity,
        days_ahead=t.days_ahead,
        closed_dates=",".join(d.isoformat() for d in sorted(t.closed_dates)),
    )


def _template(row: SlotTemplateRow) -> SlotTemplate:
    return SlotTemplate(
        provider_id=row.provider_id,
        service_id=row.service_id,
        weekdays=frozenset(int(d) for d in row.weekdays.split(",") if d),
        start=row.start_time,
        end=row.end_time,
        slot_minutes=row.slot_minutes,
        capacity=row.capacity,
        days_ahead=row.days_ahead,
        closed_dates=frozenset(date.fromisoformat(d) for d in row.closed_dates.split(",") if d),
    )


async def load_templates(session: AsyncSession) -> list[SlotTemplate]:
    return [_template(r) for r in await CatalogRepository(session).templates()]


async def store_catalog(
    session: AsyncSession, catalog: CheckupCatalog, today: date, tz: ZoneInfo
) -> CatalogCounts:
    """Upsert providers and services by id; the file's templates replace the stored ones for
    the same provider and service. Existing slots (and their bookings) are kept."""
    repo = CatalogRepository(session)
    providers = [
        CheckupProviderRow(id=p.id, name=p.name, kind=p.kind.value, city=p.city,
                           address=p.address, lat=p.lat, lon=p.lon, phone=p.phone)
        for p in catalog.providers
    ]  # fmt: skip
    services = [
        CheckupServiceRow(id=s.id, name_zh=s.name_zh, name_en=s.name_en,
                          duration_min=s.duration_min, prep_zh=s.prep_zh, prep_en=s.prep_en,
                          position=position)
        for position, s in enumerate(catalog.services)
    ]  # fmt: skip
    await repo.upsert(providers, services)
    await repo.replace_templates([_template_row(t) for t in catalog.templates])
    added = await BookingService(session, tz).generate_slots(list(catalog.templates), today)
    return CatalogCounts(
        len(catalog.providers), len(catalog.services), len(catalog.templates), added
    )


async def extend_slots(session: AsyncSession, today: date, tz: ZoneInfo) -> int:
    """The daily job: make the next day of every template bookable (the caller commits)."""
    return await BookingService(session, tz).generate_slots(await load_templates(session), today)


async def load_sample_if_empty(
    session: AsyncSession, today: date, tz: ZoneInfo
) -> CatalogCounts | None:
    """First run: the illustrative providers and slots shipped with the bot (the caller
    commits)."""
    from knowledge.checkups.files import parse_checkups_yaml

    if await CatalogRepository(session).has_providers():
        return None
    result = parse_checkups_yaml(SAMPLE_FILE.read_text(encoding="utf-8"))
    if not result.ok or result.catalog is None:
        raise RuntimeError("sample checkups invalid: " + "; ".join(result.errors[:5]))
    return await store_catalog(session, result.catalog, today, tz)
