"""Checkup providers, services and slot templates in the database, and the slots they make.

Import is one transaction: a file lands whole or not at all. Slots are generated from the
stored templates on import and then daily, so the bookable window keeps moving forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
    rows = await session.scalars(select(SlotTemplateRow).order_by(SlotTemplateRow.id))
    return [_template(r) for r in rows]


async def store_catalog(
    session: AsyncSession, catalog: CheckupCatalog, today: date, tz: ZoneInfo
) -> CatalogCounts:
    """Upsert providers and services by id; the file's templates replace the stored ones for
    the same provider and service. Existing slots (and their bookings) are kept."""
    for p in catalog.providers:
        await session.merge(
            CheckupProviderRow(id=p.id, name=p.name, kind=p.kind.value, city=p.city,
                               address=p.address, lat=p.lat, lon=p.lon, phone=p.phone)
        )  # fmt: skip
    for position, s in enumerate(catalog.services):
        await session.merge(
            CheckupServiceRow(id=s.id, name_zh=s.name_zh, name_en=s.name_en,
                              duration_min=s.duration_min, prep_zh=s.prep_zh, prep_en=s.prep_en,
                              position=position)
        )  # fmt: skip
    await session.flush()
    for pair in {(t.provider_id, t.service_id) for t in catalog.templates}:
        await session.execute(
            delete(SlotTemplateRow).where(
                SlotTemplateRow.provider_id == pair[0], SlotTemplateRow.service_id == pair[1]
            )
        )
    session.add_all(_template_row(t) for t in catalog.templates)
    await session.flush()
    added = await BookingService(session, tz).generate_slots(list(catalog.templates), today)
    return CatalogCounts(
        len(catalog.providers), len(catalog.services), len(catalog.templates), added
    )


async def extend_slots(factory: async_sessionmaker[AsyncSession], today: date, tz: ZoneInfo) -> int:
    """The daily job: make the next day of every template bookable."""
    async with factory() as session:
        added = await BookingService(session, tz).generate_slots(
            await load_templates(session), today
        )
        await session.commit()
    return added


async def load_sample_if_empty(
    factory: async_sessionmaker[AsyncSession], today: date, tz: ZoneInfo
) -> CatalogCounts | None:
    """First run: the illustrative providers and slots shipped with the bot."""
    from knowledge.checkups.files import parse_checkups_yaml

    async with factory() as session:
        if await session.scalar(select(func.count()).select_from(CheckupProviderRow)):
            return None
        result = parse_checkups_yaml(SAMPLE_FILE.read_text(encoding="utf-8"))
        if not result.ok or result.catalog is None:
            raise RuntimeError("sample checkups invalid: " + "; ".join(result.errors[:5]))
        counts = await store_catalog(session, result.catalog, today, tz)
        await session.commit()
        return counts
