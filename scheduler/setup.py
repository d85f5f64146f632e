"""The APScheduler instance. Jobs have fixed ids and are replaced, so scheduling is idempotent;
which jobs run, and when, the features declare (bot/feature.py `Job`)."""

from __future__ import annotations

from collections.abc import Sequence

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.feature import Job, JobContext

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


def create_scheduler(jobs: Sequence[Job], ctx: JobContext) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=ctx.core.settings.timezone, job_defaults=JOB_DEFAULTS)
    for job in jobs:
        scheduler.add_job(
            job.run, job.trigger, id=job.id, replace_existing=True, args=[ctx], **job.schedule
        )
    return scheduler
