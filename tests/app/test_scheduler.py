"""Scheduled jobs: fixed ids (idempotent scheduling) and the processed-update pruning."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.types import utcnow
from bot.db.updates.models import ProcessedUpdate
from bot.db.updates.repository import ProcessedUpdateRepository
from bot.services.stations.service import StationCatalog
from scheduler.jobs import PROCESSED_UPDATES_KEEP, prune_processed_updates
from scheduler.setup import create_scheduler


async def test_prune_keeps_recent_records(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    now = utcnow()
    async with session_factory() as session:
        repo = ProcessedUpdateRepository(session)
        await repo.claim_many(
            [
                (1, 10, now - PROCESSED_UPDATES_KEEP - timedelta(hours=1)),
                (1, 11, now - timedelta(hours=1)),
                (2, 10, now),
            ]
        )
        assert not await repo.claim(1, 11, now)  # already recorded
        await session.commit()
    assert await prune_processed_updates(session_factory) == 1
    async with session_factory() as session:
        left = set(
            (await session.execute(select(ProcessedUpdate.bot_id, ProcessedUpdate.update_id))).all()
        )
    assert left == {(1, 11), (2, 10)}


async def test_scheduler_jobs_have_fixed_ids(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    scheduler = create_scheduler(session_factory, "Asia/Shanghai", StationCatalog(session_factory))
    scheduler.start(paused=True)
    try:
        ids = sorted(job.id for job in scheduler.get_jobs())
        assert ids == ["extend_checkup_slots", "prune_processed_updates", "refresh_station_index"]
        job = scheduler.get_job("prune_processed_updates")
        assert job is not None and job.max_instances == 1 and job.coalesce
        # Scheduling again replaces the jobs instead of adding twins.
        scheduler.add_job(prune_processed_updates, "interval", hours=1,
                          id="prune_processed_updates", replace_existing=True,
                          args=[session_factory])  # fmt: skip
        assert len(scheduler.get_jobs()) == 3
    finally:
        scheduler.shutdown(wait=False)


async def test_booking_jobs_need_a_bot(session_factory: async_sessionmaker[AsyncSession]) -> None:
    """Reminders and offer expiry are scheduled only where the scheduler can send messages."""
    from aiogram import Bot

    from bot.i18n import create_i18n
    from handlers.checkups.notices import CheckupNotifier

    notifier = CheckupNotifier(create_i18n("zh"), session_factory, ZoneInfo("Asia/Shanghai"))
    bot = Bot("123456:TEST")
    scheduler = create_scheduler(session_factory, "Asia/Shanghai", None, bot, notifier)
    scheduler.start(paused=True)
    try:
        ids = sorted(job.id for job in scheduler.get_jobs())
        assert ids == [
            "extend_checkup_slots",
            "prune_processed_updates",
            "send_booking_notices",
            "send_booking_reminders",
        ]
        job = scheduler.get_job("send_booking_reminders")
        assert job is not None and list(job.args) == [notifier, bot] and job.max_instances == 1
    finally:
        scheduler.shutdown(wait=False)
        await bot.session.close()
