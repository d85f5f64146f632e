"""The tasks' part of /mydata and /deleteme (see bot/services/personal_data.py).

Export: the places the person took (with their reports and the decisions), the tasks they
published, and whether they hear of new tasks. Erasure gives back the places they still
held (the tasks' cards are redrawn by the job, as `taken` changed), keeps their past places
anonymous so a task's record stays whole, lets go of what they published, and ends their
subscription. The points they earned follow the ledger's own part."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.tasks.models import TaskRow
from bot.db.tasks.repository import TaskRepository
from bot.services.personal_data import Part


async def export(session: AsyncSession, user_id: int, tz: ZoneInfo) -> dict[str, Any]:
    repo = TaskRepository(session)
    places = [
        {
            "task": task.title,
            "starts_at": task.starts_at.isoformat(),
            "status": t.status.value,
            "taken_at": t.taken_at.isoformat(),
            "photo": t.photo_file_id,
            "done_at": t.done_at.isoformat() if t.done_at else None,
            "dispute_reason": t.dispute_reason.value if t.dispute_reason else None,
            "dispute_note": t.dispute_note,
        }
        for t, task in await repo.of_user(user_id, limit=100_000)
    ]
    published = [
        {"title": r.title, "starts_at": r.starts_at.isoformat(), "status": r.status.value}
        for r in await session.scalars(select(TaskRow).where(TaskRow.publisher_id == user_id))
    ]
    return {
        "places": places,
        "published": published,
        "hears_of_new_tasks": await repo.subscribed(user_id),
    }


async def erase(session: AsyncSession, user_id: int, now: datetime, tz: ZoneInfo) -> None:
    await TaskRepository(session).erase_user(user_id)


PART = Part("tasks", frozenset({"tasks", "task_takers", "task_subscriptions"}), export, erase)
