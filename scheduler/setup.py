"""The APScheduler instance. Jobs have fixed ids and are replaced, so scheduling is idempotent."""

from __future__ import annotations

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.stations.service import StationCatalog
from handlers.checkups.notices import CheckupNotifier
from scheduler.jobs import (
    extend_checkup_slots,
    prune_processed_updates,
    send_booking_notices,
    send_booking_reminders,
)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


def create_scheduler(
    session_factory: async_sessionmaker[AsyncSession],
    timezone: str,
    stations: StationCatalog | None = None,
    bot: Bot | None = None,
    notifier: CheckupNotifier | None = None,
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=timezone, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(
        prune_processed_updates,
        "cron",
        hour=4,
        minute=17,
        id="prune_processed_updates",
        replace_existing=True,
        args=[session_factory],
    )
    scheduler.add_job(
        extend_checkup_slots,
        "cron",
        hour=0,
        minute=5,
        id="extend_checkup_slots",
        replace_existing=True,
        args=[session_factory, timezone],
    )
    if stations is not None:
        # Another process (the import CLI, another worker) may have changed the stations.
        scheduler.add_job(
            stations.refresh,
            "interval",
            seconds=60,
            id="refresh_station_index",
            replace_existing=True,
        )
    if bot is not None and notifier is not None:
        # Due rows are polled every minute: a reminder is at most a minute late, and one that
        # fell due while the bot was down goes out at the first run after the restart.
        for job in (send_booking_reminders, send_booking_notices):
            scheduler.add_job(
                job,
                "interval",
                seconds=60,
                id=job.__name__,
                replace_existing=True,
                args=[notifier, bot],
            )
    return scheduler
