"""Volunteer tasks, the rules: publishing once, taking a place (never more than asked for),
withdrawing before the cut-off, reporting done from the start, the publisher's confirm
(points through the ledger, once) or dispute, and cancelling. No Telegram here.

Every change of a place is a conditional UPDATE on the status it expects, so a double tap,
two admins at once or a stale card button change nothing the second time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.outbox.models import MessageKind, OutboxStatus
from bot.db.outbox.repository import OutboxRepository
from bot.db.points.models import Reason
from bot.db.tasks.models import TakerRow, TaskRow
from bot.db.tasks.repository import TaskRepository
from bot.db.tasks.statuses import DisputeReason, TakerStatus, TaskAudience, TaskStatus
from bot.db.users.models import Role
from bot.services.points.ledger import Ledger
from bot.services.tasks.model import (
    Action,
    Change,
    Detail,
    Draft,
    Mine,
    RosterLine,
    Screen,
    TakerView,
    TaskError,
    TaskErrorCode,
    TaskView,
)

# A place can be given back until this long before the start: later, the organiser could
# not find someone else in time. (Worth a setting: TASK_WITHDRAW_CUTOFF_HOURS.)
WITHDRAW_CUTOFF = timedelta(hours=2)
# Reminders to each taker: the day before, and shortly before the start.
REMIND_DAY = timedelta(hours=24)
REMIND_SOON = timedelta(hours=2)
PAGE = 3  # open tasks per /tasks page: the screen fits a phone
MINE = 4  # own tasks shown on /tasks (the latest)


def may_take(role: Role, audience: TaskAudience) -> bool:
    return audience is TaskAudience.ALL or role is Role.VOLUNTEER


def reminded_at_take(starts_at: datetime, now: datetime) -> int:
    """Who takes a place within a reminder's reach has no need of that reminder."""
    left = starts_at - now
    return 2 if left <= REMIND_SOON else 1 if left <= REMIND_DAY else 0


class TaskService:
    def __init__(self, session: AsyncSession, tz: ZoneInfo, ledger: Ledger) -> None:
        self.session, self.tz, self.ledger = session, tz, ledger
        self.repo = TaskRepository(session)

    # --- reading -----------------------------------------------------------------------------
    async def get(self, task_id: int) -> TaskView | None:
        row = await self.repo.get(task_id)
        return None if row is None else TaskView.of(row)

    async def _task(self, task_id: int) -> TaskRow:
        row = await self.repo.get(task_id)
        if row is None:
            raise TaskError(TaskErrorCode.NOT_FOUND)
        return row

    async def _numbered(self, task_id: int, taker_id: int) -> TakerView:
        for n, row in enumerate(await self.repo.takers(task_id), start=1):
            if row.id == taker_id:
                return TakerView.of(row, n)
        raise TaskError(TaskErrorCode.NOT_REPORTED)

    async def takers(self, task_id: int) -> list[TakerView]:
        return [TakerView.of(r, n) for n, r in enumerate(await self.repo.takers(task_id), 1)]

    async def roster(self, task_id: int) -> tuple[TaskView, list[RosterLine]]:
        task = await self._task(task_id)
        lines = [
            RosterLine(
                n,
                (user.display_name or "") if user and user.erased_at is None else None,
                user.phone if user and user.erased_at is None else None,
                row.status,
                row.photo_file_id,
            )
            for n, (row, user) in enumerate(await self.repo.roster(task_id), start=1)
        ]
        return TaskView.of(task), lines

    async def screen(self, user_id: int, city: str | None, now: datetime, page: int) -> Screen:
        rows, total = await self.repo.open_near(city, now, max(page, 0) * PAGE, PAGE)
        last = max(0, -(-total // PAGE) - 1)
        if page > last or page < 0:  # a page that emptied meanwhile: the last one there is
            page = min(max(page, 0), last)
            rows, total = await self.repo.open_near(city, now, page * PAGE, PAGE)
        mine = tuple(
            Mine(TaskView.of(task), taker.status)
            for taker, task in await self.repo.of_user(user_id, MINE)
        )
        return Screen(
            tuple(TaskView.of(r) for r in rows),
            total,
            page,
            mine,
            await self.repo.subscribed(user_id),
            city,
        )

    async def detail(self, task_id: int, user_id: int, role: Role, now: datetime) -> Detail:
        task = await self._task(task_id)
        taker = await self.repo.taker(task_id, user_id)
        status = taker.status if taker is not None else None
        is_open = task.status is TaskStatus.OPEN
        holds = status in (
            TakerStatus.TAKEN,
            TakerStatus.DONE,
            TakerStatus.CONFIRMED,
            TakerStatus.DISPUTED,
        )
        return Detail(
            TaskView.of(task),
            status,
            may_withdraw=status is TakerStatus.TAKEN
            and is_open
            and now < task.starts_at - WITHDRAW_CUTOFF,
            may_report=status is TakerStatus.TAKEN and is_open and now >= task.starts_at,
            may_take=not holds
            and is_open
            and now < task.starts_at
            and task.taken < task.places
            and may_take(role, task.audience),
        )

    # --- publishing --------------------------------------------------------------------------
    async def publish(
        self, draft: Draft, key: str, publisher_id: int, now: datetime, card_chat_id: int | None
    ) -> Change:
        """The task, once per form key: a second Publish returns it unchanged (new=False)."""
        if draft.starts_at <= now or draft.ends_at <= draft.starts_at:
            raise TaskError(TaskErrorCode.STARTED)
        added = await self.repo.add(
            {
                "publish_key": key,
                "publisher_id": publisher_id,
                "title": draft.title,
                "description": draft.description,
                "place": draft.place,
                "city": draft.city,
                "starts_at": draft.starts_at,
                "ends_at": draft.ends_at,
                "places": draft.places,
                "taken": 0,
                "points": draft.points,
                "audience": draft.audience.value,
                "status": TaskStatus.OPEN.value,
                "created_at": now,
                "card_chat_id": card_chat_id,
                "card_version": 1,
                "card_shown": 0,
            }
        )
        row = await self.repo.by_key(key)
        assert row is not None
        return Change(Action.PUBLISHED, TaskView.of(row), new=added)

    # --- a volunteer's place -----------------------------------------------------------------
    async def take(self, task_id: int, user_id: int, role: Role, now: datetime) -> Change:
        task = await self._task(task_id)
        if task.status is TaskStatus.CANCELLED:
            raise TaskError(TaskErrorCode.CANCELLED)
        if now >= task.starts_at:
            raise TaskError(TaskErrorCode.STARTED)
        if not may_take(role, task.audience):
            raise TaskError(TaskErrorCode.VOLUNTEERS_ONLY)
        held = await self.repo.taker(task_id, user_id)
        if held is not None and held.status is not TakerStatus.WITHDRAWN:
            raise TaskError(TaskErrorCode.ALREADY)
        # The place and the row together, or neither: a lost race gives the place back.
        async with self.session.begin_nested():
            if not await self.repo.take_place(task_id, now):
                code = TaskErrorCode.FULL
                fresh = await self.repo.get(task_id)
                if fresh is not None and fresh.status is TaskStatus.CANCELLED:
                    code = TaskErrorCode.CANCELLED
                raise TaskError(code)
            if not await self.repo.add_taker(
                task_id, user_id, now, reminded_at_take(task.starts_at, now)
            ):
                raise TaskError(TaskErrorCode.ALREADY)  # the same tap, handled in parallel
        change = await self._change(Action.TAKEN, task_id, user_id)
        if change.task.left <= 0:  # full: offers still held back by quiet hours would only
            await self.repo.drop_offers(task_id)  # lead to "this task is full"
        return change

    async def _change(self, action: Action, task_id: int, user_id: int) -> Change:
        taker = await self.repo.taker(task_id, user_id)
        task = await self._task(task_id)
        assert taker is not None
        return Change(action, TaskView.of(task), await self._numbered(task_id, taker.id))

    async def _held(self, task_id: int, user_id: int) -> tuple[TaskRow, TakerRow]:
        task = await self._task(task_id)
        taker = await self.repo.taker(task_id, user_id)
        if taker is None or taker.status in (TakerStatus.WITHDRAWN, TakerStatus.DROPPED):
            raise TaskError(
                TaskErrorCode.CANCELLED
                if task.status is TaskStatus.CANCELLED
                else TaskErrorCode.NOT_TAKEN
            )
        return task, taker

    async def withdraw(self, task_id: int, user_id: int, now: datetime) -> Change:
        task, taker = await self._held(task_id, user_id)
        if taker.status is not TakerStatus.TAKEN:
            raise TaskError(TaskErrorCode.REPORTED)
        if now >= task.starts_at - WITHDRAW_CUTOFF:
            raise TaskError(TaskErrorCode.TOO_LATE)
        if not await self.repo.move(
            taker.id, [TakerStatus.TAKEN], TakerStatus.WITHDRAWN, withdrawn_at=now
        ):
            raise TaskError(TaskErrorCode.NOT_TAKEN)
        await self.repo.free_places(task_id)
        return await self._change(Action.WITHDRAWN, task_id, user_id)

    async def report_done(
        self, task_id: int, user_id: int, photo_file_id: str | None, now: datetime
    ) -> Change:
        """From the start of the task on (a volunteer may finish early, or report at the end)."""
        task, taker = await self._held(task_id, user_id)
        if taker.status is not TakerStatus.TAKEN:
            raise TaskError(TaskErrorCode.REPORTED)
        if task.status is TaskStatus.CANCELLED:
            raise TaskError(TaskErrorCode.CANCELLED)
        if now < task.starts_at:
            raise TaskError(TaskErrorCode.NOT_STARTED)
        if not await self.repo.move(
            taker.id,
            [TakerStatus.TAKEN],
            TakerStatus.DONE,
            done_at=now,
            photo_file_id=photo_file_id,
        ):
            raise TaskError(TaskErrorCode.REPORTED)
        await self.repo.bump_card(task_id)
        return await self._change(Action.DONE, task_id, user_id)

    # --- the publisher's decision ------------------------------------------------------------
    async def _decidable(
        self, task_id: int, taker_id: int, actor_id: int, actor_role: Role
    ) -> tuple[TaskRow, TakerRow]:
        task = await self._task(task_id)
        if actor_role is not Role.ADMIN and actor_id != task.publisher_id:
            raise TaskError(TaskErrorCode.NOT_ALLOWED)
        taker = await self.repo.taker_by_id(taker_id)
        if taker is None or taker.task_id != task_id:
            raise TaskError(TaskErrorCode.NOT_REPORTED)
        return task, taker

    async def confirm(
        self, task_id: int, taker_id: int, actor_id: int, actor_role: Role, now: datetime
    ) -> Change:
        """Done as reported (a dispute may be overturned): the points go once, whoever
        presses and however often."""
        task, taker = await self._decidable(task_id, taker_id, actor_id, actor_role)
        if taker.status is TakerStatus.CONFIRMED:
            raise TaskError(TaskErrorCode.CONFIRMED)
        if not await self.repo.move(
            taker.id,
            [TakerStatus.DONE, TakerStatus.DISPUTED],
            TakerStatus.CONFIRMED,
            decided_at=now,
            decided_by=actor_id,
        ):
            fresh = await self.repo.taker_by_id(taker_id)
            confirmed = fresh is not None and fresh.status is TakerStatus.CONFIRMED
            raise TaskError(TaskErrorCode.CONFIRMED if confirmed else TaskErrorCode.NOT_REPORTED)
        paid = 0
        if task.points > 0 and taker.user_id is not None:
            posted = await self.ledger.award(
                taker.user_id,
                task.points,
                f"task:{task_id}:{taker.user_id}",
                Reason.TASK,
                now,
                ref=f"task:{task_id}",
                actor_id=actor_id,
            )
            paid = task.points if posted.new else 0
        await self.repo.bump_card(task_id)
        view = await self._numbered(task_id, taker.id)
        return Change(Action.CONFIRMED, TaskView.of(await self._task(task_id)), view, paid=paid)

    async def dispute(
        self,
        task_id: int,
        taker_id: int,
        reason: DisputeReason,
        note: str | None,
        actor_id: int,
        actor_role: Role,
        now: datetime,
    ) -> Change:
        _task, taker = await self._decidable(task_id, taker_id, actor_id, actor_role)
        if taker.status is TakerStatus.CONFIRMED:
            raise TaskError(TaskErrorCode.CONFIRMED)
        if taker.status is TakerStatus.DISPUTED:
            raise TaskError(TaskErrorCode.DISPUTED)
        if not await self.repo.move(
            taker.id,
            [TakerStatus.DONE],
            TakerStatus.DISPUTED,
            decided_at=now,
            decided_by=actor_id,
            dispute_reason=reason,
            dispute_note=(note or None) and note[:300],
        ):
            raise TaskError(TaskErrorCode.NOT_REPORTED)
        await self.repo.bump_card(task_id)
        view = await self._numbered(task_id, taker.id)
        return Change(Action.DISPUTED, TaskView.of(await self._task(task_id)), view)

    async def cancel(self, task_id: int, actor_id: int, actor_role: Role, now: datetime) -> Change:
        """The held places are dropped and their holders told; reports of done stay to be
        decided (the work was done)."""
        task = await self._task(task_id)
        if actor_role is not Role.ADMIN and actor_id != task.publisher_id:
            raise TaskError(TaskErrorCode.NOT_ALLOWED)
        if task.status is TaskStatus.CANCELLED:
            raise TaskError(TaskErrorCode.CANCELLED)
        if not await self.repo.cancel(task_id, now):
            raise TaskError(TaskErrorCode.ENDED)
        told = await self.repo.drop_all(task_id)
        if told:
            await self.repo.free_places(task_id, len(told))
        await self.repo.drop_offers(task_id)
        return Change(Action.CANCELLED, TaskView.of(await self._task(task_id)), told=tuple(told))

    # --- hearing of new tasks ----------------------------------------------------------------
    async def subscribed(self, user_id: int) -> bool:
        return await self.repo.subscribed(user_id)

    async def set_subscribed(self, user_id: int, on: bool, now: datetime) -> None:
        if on:
            await self.repo.subscribe(user_id, now)
        else:
            await self.repo.unsubscribe(user_id)
            # Offers still waiting for the quiet hours to end are not sent either.
            await OutboxRepository(self.session).drop_for_user(
                user_id, OutboxStatus.CANCELLED, [MessageKind.TASK_OFFER]
            )
