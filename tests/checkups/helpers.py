"""Checkup tests' helpers: the app with the sample catalog, the booking form driven by taps,
and the rows it leaves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.checkups.models import BookingRow, SlotRow
from bot.sandbox import BotApiServer, TgUser
from bot.services.checkups.catalog import CatalogCounts, load_sample_if_empty
from tests.harness.app import App, running_app
from tests.harness.chat import tap
from tests.harness.clock import NOON_MONDAY, Clock

OTHER = TgUser(1003, "李师傅")
THIRD = TgUser(1004, "王师傅")
GROUP = -100777


async def load_sample(
    factory: async_sessionmaker[AsyncSession], today: date, tz: ZoneInfo
) -> CatalogCounts | None:
    """The sample checkups, as `run` loads them on a fresh database."""
    async with factory() as session:
        counts = await load_sample_if_empty(session, today, tz)
        await session.commit()
    return counts


@asynccontextmanager
async def checkup_app(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock, **overrides: Any
) -> AsyncIterator[App]:
    """The app with the sample checkups loaded, on `clock`."""
    overrides.setdefault("booking_help_phone", "0813-1234567")
    async with running_app(server, engine, db_url, clock=clock, **overrides) as app:
        tz = app.settings.tz
        await load_sample(app.session_factory, NOON_MONDAY.astimezone(tz).date(), tz)
        yield app


async def to_summary(app: App, user: TgUser, day: str = "24", time_: str = "18:00") -> int:
    """Menu → 免费体检 → 第三人民医院 → the day → the time; returns the form's message id."""
    sent = await app.text(user, "🩺 体检预约")
    form = sent[-1]["result"]["message_id"]
    await tap(app, user, "免费体检")
    await tap(app, user, "自贡市第三人民医院")
    await tap(app, user, day, exact=True)
    await tap(app, user, time_)
    return form


async def book(app: App, user: TgUser, day: str = "24", time_: str = "18:00") -> BookingRow:
    await to_summary(app, user, day, time_)
    await tap(app, user, "✅ 确认预约")
    rows = [b for b in await bookings(app) if b.status == "active"]
    return rows[-1]


async def bookings(app: App) -> list[BookingRow]:
    async with app.session_factory() as session:
        return list(await session.scalars(select(BookingRow).order_by(BookingRow.id)))


async def slot_at(app: App, starts_at: datetime, provider: str = "zg-third-hospital") -> SlotRow:
    async with app.session_factory() as session:
        slot = await session.scalar(
            select(SlotRow).where(
                SlotRow.provider_id == provider,
                SlotRow.service_id == "general",
                SlotRow.starts_at == starts_at,
            )
        )
        assert slot is not None
        session.expunge(slot)
        return slot


async def run_reminders(app: App, now: datetime) -> int:
    """The reminder job at `now`, then the outbox sender; returns how many it queued."""
    queued: int = await app.kits["checkups"].notifier.queue_due_reminders(now)
    await app.drain(now)
    return queued


async def run_notices(app: App, now: datetime) -> int:
    """The notices job at `now` (lapsed offers pass on, owed notices are queued), then the
    outbox sender; returns how many it queued."""
    queued: int = await app.kits["checkups"].notifier.queue_notices(now)
    await app.drain(now)
    return queued
