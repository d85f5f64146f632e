"""The APScheduler instance. Jobs have fixed ids and are replaced, so scheduling is idempotent."""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.jobs import prune_processed_updates

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


def create_scheduler(
    session_factory: async_sessionmaker[AsyncSession], timezone: str
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
    return scheduler
