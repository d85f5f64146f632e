"""Every statement of the tasks feature. Places are counted by the database: a conditional
UPDATE takes one (`taken < places`) and the CHECK backs it, so no race can overfill a task.
Repositories flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.outbox.models import MessageKind, OutboxRow, OutboxStatus
from bot.db.tasks.models import TakerRow, TaskRow, TaskSubscriptionRow
from bot.db.tasks.statuses import TakerStatus, TaskAudience, TaskStatus
from bot.db.upsert import insert_ignore, rows_changed
from bot.db.users.models import Role, User


class TaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- tasks -------------------------------------------------------------------------------
    async def add(self, values: dict[str, Any]) -> bool:
        """A new task unless its publish key exists (the same Publish pressed twice)."""
        table = cast(Table, TaskRow.__table__)
        return await insert_ignore(self.session, table, values, ["publish_key"])

    async def by_key(self, key: str) -> TaskRow | None:
        return await self.session.scalar(select(TaskRow).where(TaskRow.publish_key == key))

    async def get(self, task_id: int) -> TaskRow | None:
        return await self.session.scalar(
            select(TaskRow).where(TaskRow.id == task_id).execution_options(populate_existing=True)
        )

    async def take_place(self, task_id: int, now: datetime) -> bool:
        """One place of an open task that has not started, if any is left."""
        result = await self.session.execute(
            update(TaskRow)
            .where(
                TaskRow.id == task_id,
                TaskRow.status == TaskStatus.OPEN,
                TaskRow.starts_at > now,
                TaskRow.taken < TaskRow.places,
            )
            .values(taken=TaskRow.taken + 1, card_version=TaskRow.card_version + 1)
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result)

    async def free_places(self, task_id: int, count: int = 1) -> None:
        await self.session.execute(
            update(TaskRow)
            .where(TaskRow.id == task_id, TaskRow.taken >= count)
            .values(taken=TaskRow.taken - count, card_version=TaskRow.card_version + 1)
            .execution_options(synchronize_session=False)
        )

    async def bump_card(self, task_id: int) -> None:
        await self.session.execute(
            update(TaskRow)
            .where(TaskRow.id == task_id)
            .values(card_version=TaskRow.card_version + 1)
            .execution_options(synchronize_session=False)
        )

    async def cancel(self, task_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(TaskRow)
            .where(TaskRow.id == task_id, TaskRow.status == TaskStatus.OPEN, TaskRow.ends_at > now)
            .values(
                status=TaskStatus.CANCELLED, cancelled_at=now, card_version=TaskRow.card_version + 1
            )
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result)

    async def open_near(
        self, city: str | None, now: datetime, offset: int, limit: int
    ) -> tuple[list[TaskRow], int]:
        """Open tasks not yet started in the city or every city, soonest first, and how many."""
        where = [
            TaskRow.status == TaskStatus.OPEN,
            TaskRow.starts_at > now,
            or_(TaskRow.city.is_(None), TaskRow.city == city),
        ]
        total = await self.session.scalar(select(func.count(TaskRow.id)).where(*where))
        rows = await self.session.scalars(
            select(TaskRow)
            .where(*where)
            .order_by(TaskRow.starts_at, TaskRow.id)
            .offset(offset)
            .limit(limit)
        )
        return list(rows), int(total or 0)

    # --- places ------------------------------------------------------------------------------
    async def taker(self, task_id: int, user_id: int) -> TakerRow | None:
        return await self.session.scalar(
            select(TakerRow)
            .where(TakerRow.task_id == task_id, TakerRow.user_id == user_id)
            .execution_options(populate_existing=True)
        )

    async def taker_by_id(self, taker_id: int) -> TakerRow | None:
        return await self.session.scalar(
            select(TakerRow)
            .where(TakerRow.id == taker_id)
            .execution_options(populate_existing=True)
        )

    async def add_taker(self, task_id: int, user_id: int, now: datetime, reminded: int) -> bool:
        """The person's place: a new row, or their old one (withdrawn) taken again."""
        table = cast(Table, TakerRow.__table__)
        row = {
            "task_id": task_id,
            "user_id": user_id,
            "status": TakerStatus.TAKEN.value,
            "taken_at": now,
            "reminded": reminded,
        }
        if await insert_ignore(self.session, table, row, ["task_id", "user_id"]):
            return True
        result = await self.session.execute(
            update(TakerRow)
            .where(
                TakerRow.task_id == task_id,
                TakerRow.user_id == user_id,
                TakerRow.status == TakerStatus.WITHDRAWN,
            )
            .values(status=TakerStatus.TAKEN, taken_at=now, withdrawn_at=None, reminded=reminded)
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result)

    async def move(
        self, taker_id: int, was: Sequence[TakerStatus], to: TakerStatus, **values: Any
    ) -> bool:
        """A place's status changes only from one expected: the first of two taps wins."""
        result = await self.session.execute(
            update(TakerRow)
            .where(TakerRow.id == taker_id, TakerRow.status.in_(list(was)))
            .values(status=to, **values)
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result)

    async def drop_all(self, task_id: int) -> list[int]:
        """A cancelled task's held places (not yet reported done): the people who held them."""
        result = await self.session.execute(
            update(TakerRow)
            .where(TakerRow.task_id == task_id, TakerRow.status == TakerStatus.TAKEN)
            .values(status=TakerStatus.DROPPED)
            .returning(TakerRow.user_id)
            .execution_options(synchronize_session=False)
        )
        return [uid for (uid,) in result.all() if uid is not None]

    async def takers(self, task_id: int) -> list[TakerRow]:
        rows = await self.session.scalars(
            select(TakerRow)
            .where(TakerRow.task_id == task_id)
            .order_by(TakerRow.id)
            .execution_options(populate_existing=True)
        )
        return list(rows)

    async def roster(self, task_id: int) -> list[tuple[TakerRow, User | None]]:
        rows = await self.session.execute(
            select(TakerRow, User)
            .outerjoin(User, User.id == TakerRow.user_id)
            .where(TakerRow.task_id == task_id)
            .order_by(TakerRow.id)
        )
        return [(t, u) for t, u in rows.all()]

    async def of_user(self, user_id: int, limit: int) -> list[tuple[TakerRow, TaskRow]]:
        rows = await self.session.execute(
            select(TakerRow, TaskRow)
            .join(TaskRow, TaskRow.id == TakerRow.task_id)
            .where(TakerRow.user_id == user_id)
            .order_by(TaskRow.starts_at.desc(), TaskRow.id.desc())
            .limit(limit)
        )
        return [(t, k) for t, k in rows.all()]

    async def due_reminders(
        self, until: datetime, now: datetime, level: int, limit: int
    ) -> list[tuple[TakerRow, TaskRow]]:
        """Held places of open tasks starting between now and `until` not reminded to `level`."""
        rows = await self.session.execute(
            select(TakerRow, TaskRow)
            .join(TaskRow, TaskRow.id == TakerRow.task_id)
            .where(
                TakerRow.status == TakerStatus.TAKEN,
                TakerRow.reminded < level,
                TakerRow.user_id.is_not(None),
                TaskRow.status == TaskStatus.OPEN,
                TaskRow.starts_at > now,
                TaskRow.starts_at <= until,
            )
            .order_by(TaskRow.starts_at, TakerRow.id)
            .limit(limit)
        )
        return [(t, k) for t, k in rows.all()]

    async def claim_reminder(self, taker_id: int, level: int) -> bool:
        result = await self.session.execute(
            update(TakerRow)
            .where(TakerRow.id == taker_id, TakerRow.reminded < level)
            .values(reminded=level)
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result)

    # --- who hears of new tasks --------------------------------------------------------------
    async def subscribed(self, user_id: int) -> bool:
        found = await self.session.get(TaskSubscriptionRow, user_id, populate_existing=True)
        return found is not None

    async def subscribe(self, user_id: int, now: datetime) -> None:
        table = cast(Table, TaskSubscriptionRow.__table__)
        await insert_ignore(
            self.session, table, {"user_id": user_id, "created_at": now}, ["user_id"]
        )

    async def unsubscribe(self, user_id: int) -> None:
        await self.session.execute(
            delete(TaskSubscriptionRow).where(TaskSubscriptionRow.user_id == user_id)
        )

    async def audience(self, task: TaskRow, after: int, limit: int) -> Sequence[Any]:
        """Who hears of the task: subscribed, reachable, of a role that may take it, in its
        city (or any, for an all-city task); by id after `after`."""
        where = [
            User.telegram_id.is_not(None),
            User.consent_at.is_not(None),
            User.erased_at.is_(None),
            User.blocked_bot.is_(False),
            User.id > after,
        ]
        if task.audience is TaskAudience.VOLUNTEERS:
            where.append(User.role == Role.VOLUNTEER)
        if task.city is not None:
            where.append(User.city == task.city)
        rows = await self.session.execute(
            select(User.id, User.telegram_id, User.language, User.quiet_start, User.quiet_end)
            .join(TaskSubscriptionRow, TaskSubscriptionRow.user_id == User.id)
            .where(*where)
            .order_by(User.id)
            .limit(limit)
        )
        return rows.all()

    async def drop_offers(self, task_id: int) -> int:
        """The offers of a task that is no longer open, still waiting (quiet hours): not sent."""
        result = await self.session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.kind == MessageKind.TASK_OFFER,
                OutboxRow.ref == str(task_id),
                OutboxRow.status == OutboxStatus.PENDING,
            )
            .values(status=OutboxStatus.CANCELLED)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # --- personal data -----------------------------------------------------------------------
    async def erase_user(self, user_id: int) -> list[int]:
        """Their held places are given back (the tasks whose places were freed are returned),
        the rows stay anonymous for the tasks' records, and they hear of no more tasks."""
        freed: list[int] = []
        for row in await self.session.scalars(
            select(TakerRow).where(
                TakerRow.user_id == user_id, TakerRow.status == TakerStatus.TAKEN
            )
        ):
            freed.append(row.task_id)
        for task_id in freed:
            await self.free_places(task_id)
        await self.session.execute(
            update(TakerRow)
            .where(TakerRow.user_id == user_id, TakerRow.status == TakerStatus.TAKEN)
            .values(status=TakerStatus.WITHDRAWN)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(TakerRow)
            .where(TakerRow.user_id == user_id)
            .values(user_id=None, photo_file_id=None, dispute_note=None)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(TakerRow)
            .where(TakerRow.decided_by == user_id)
            .values(decided_by=None)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(TaskRow)
            .where(TaskRow.publisher_id == user_id)
            .values(publisher_id=None)
            .execution_options(synchronize_session=False)
        )
        await self.unsubscribe(user_id)
        return freed
