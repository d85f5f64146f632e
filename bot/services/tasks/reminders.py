"""Reminders to the people holding a place: the day before and shortly before the start.
Each is claimed with a conditional UPDATE on the place's `reminded` level in the job's
transaction, together with its outbox row, so a reminder goes once however often the job
runs (and its dedupe key says which reminder it is)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.tasks.repository import TaskRepository
from bot.services.tasks.model import TaskView
from bot.services.tasks.service import REMIND_DAY, REMIND_SOON

BATCH = 200  # places reminded per run at most; the next run takes the rest


@dataclass(frozen=True, slots=True)
class Reminder:
    user_id: int
    task: TaskView
    soon: bool  # the one shortly before the start (else: the day before)

    @property
    def dedupe_key(self) -> str:
        return f"task-remind:{self.task.id}:u{self.user_id}:{'soon' if self.soon else 'day'}"


async def claim_due(session: AsyncSession, now: datetime) -> list[Reminder]:
    """The reminders due now, each claimed; the caller queues them before it commits. A
    place taken late enough to be due both gets only the nearer one."""
    repo, due = TaskRepository(session), []
    for level, ahead, soon in ((2, REMIND_SOON, True), (1, REMIND_DAY, False)):
        for taker, task in await repo.due_reminders(now + ahead, now, level, BATCH):
            if taker.user_id is not None and await repo.claim_reminder(taker.id, 2 if soon else 1):
                due.append(Reminder(taker.user_id, TaskView.of(task), soon))
    return due
