"""Scheduled jobs: the features' jobs with fixed ids (idempotent scheduling), and the
processed-update pruning."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.types import utcnow
from bot.db.updates.models import ProcessedUpdate
from bot.db.updates.repository import ProcessedUpdateRepository
from bot.feature import JobContext
from scheduler.jobs.updates import PROCESSED_UPDATES_KEEP, prune_processed_updates
from scheduler.setup import create_scheduler
from tests.harness import App


def _context(app: App) -> JobContext:
    return JobContext(app.dp["core"], app.bot, app.kits)


async def test_prune_keeps_recent_records(app: App) -> None:
    now = utcnow()
    async with app.session_factory() as session:
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
    assert await prune_processed_updates(_context(app)) == 1
    async with app.session_factory() as session:
        left = set(
            (await session.execute(select(ProcessedUpdate.bot_id, ProcessedUpdate.update_id))).all()
        )
    assert left == {(1, 11), (2, 10)}


async def test_every_features_jobs_are_scheduled_once_with_fixed_ids(app: App) -> None:
    jobs = [job for feature in app.dp["features"] for job in feature.jobs]
    ctx = _context(app)
    scheduler = create_scheduler(jobs, ctx)
    scheduler.start(paused=True)
    try:
        ids = sorted(job.id for job in scheduler.get_jobs())
        assert ids == [
            "announce_theme",
            "complaint_deadlines",
            "complaint_month",
            "complaint_morning",
            "complaint_week",
            "drop_broadcast_drafts",
            "extend_checkup_slots",
            "points_month_summary",
            "prune_intent_misses",
            "prune_processed_updates",
            "redraw_case_cards",
            "redraw_snap_cards",
            "redraw_task_cards",
            "refresh_intent_matcher",
            "refresh_station_index",
            "remind_activities",
            "remind_signups",
            "send_booking_notices",
            "send_booking_reminders",
            "shop_expire_vouchers",
            "shop_remind_vouchers",
            "show_broadcast_progress",
            "snap_files_sweep",
            "snap_followups",
            "start_broadcasts",
            "task_reminders",
        ]
        job = scheduler.get_job("send_booking_reminders")
        assert job is not None and list(job.args) == [ctx]
        assert job.max_instances == 1 and job.coalesce
        # Scheduling again replaces the jobs instead of adding twins.
        scheduler.add_job(prune_processed_updates, "interval", hours=1,
                          id="prune_processed_updates", replace_existing=True,
                          args=[ctx])  # fmt: skip
        assert len(scheduler.get_jobs()) == len(ids)
    finally:
        scheduler.shutdown(wait=False)
