"""Places on a task: never more than asked for under a race, one per person, given back only
before the cut-off, volunteers-only enforced; done → confirm pays once, dispute pays none."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.outbox.models import MessageKind, OutboxRow, OutboxStatus
from bot.db.tasks.models import TakerRow, TaskRow
from bot.db.tasks.statuses import DisputeReason, TakerStatus, TaskAudience
from bot.db.users.models import Role
from bot.services.outbox.messages import OutMessage
from bot.services.outbox.service import Outbox
from bot.services.points.ledger import Ledger, PointsRules, check
from tests.harness.people import person
from tests.tasks.helpers import NOW, START, TZ, Factory, attempt, draft, service, setup


async def _counts(factory: Factory, task_id: int) -> tuple[int, Counter[TakerStatus]]:
    async with factory() as session:
        taken = await session.scalar(select(TaskRow.taken).where(TaskRow.id == task_id))
        rows = await session.scalars(select(TakerRow.status).where(TakerRow.task_id == task_id))
        return int(taken or 0), Counter(rows)


async def _balance(session: AsyncSession, user_id: int) -> int:
    return await Ledger(session, TZ, PointsRules()).balance(user_id)


async def test_20_volunteers_race_for_3_places(session_factory: Factory) -> None:
    _admin, task, users = await setup(session_factory, 20, places=3)
    results = await asyncio.gather(
        *(attempt(session_factory, "take", task, u, Role.VOLUNTEER, NOW) for u in users)
    )
    assert Counter(results) == {"ok": 3, "full": 17}
    taken, statuses = await _counts(session_factory, task)
    assert taken == 3 and statuses == {TakerStatus.TAKEN: 3}
    async with session_factory() as session:
        assert await check(session) == []


async def test_the_last_place_taken_drops_the_offers_still_waiting(
    session_factory: Factory,
) -> None:
    _admin, task, users = await setup(session_factory, 3, places=2)
    async with session_factory() as session:  # offers held back by someone's quiet hours
        for n, user in enumerate(users):
            await Outbox(session).put(OutMessage(
                chat_id=9000 + n, user_id=user, kind=MessageKind.TASK_OFFER,
                dedupe_key=f"offer-test:{task}:{n}", text="offer", ref=str(task),
                not_before=NOW + timedelta(hours=8)), NOW)  # fmt: skip
        await session.commit()

    async def waiting() -> int:
        async with session_factory() as session:
            return int(await session.scalar(select(func.count()).select_from(OutboxRow).where(
                OutboxRow.status == OutboxStatus.PENDING)) or 0)  # fmt: skip

    assert await attempt(session_factory, "take", task, users[0], Role.VOLUNTEER, NOW) == "ok"
    assert await waiting() == 3  # a place is still free: the offers still go
    assert await attempt(session_factory, "take", task, users[1], Role.VOLUNTEER, NOW) == "ok"
    assert await waiting() == 0  # full: nobody is offered a task they cannot take


async def test_a_double_tap_takes_one_place(session_factory: Factory) -> None:
    _admin, task, (user,) = await setup(session_factory, 1)
    results = await asyncio.gather(
        *(attempt(session_factory, "take", task, user, Role.VOLUNTEER, NOW) for _ in range(5))
    )
    assert Counter(results) == {"ok": 1, "already": 4}
    assert await _counts(session_factory, task) == (1, Counter({TakerStatus.TAKEN: 1}))
    async with session_factory() as session:
        assert await check(session) == []


async def test_volunteers_only_refuses_a_driver(session_factory: Factory) -> None:
    _admin, task, (driver,) = await setup(session_factory, 1, role=Role.DRIVER)
    assert await attempt(session_factory, "take", task, driver, Role.DRIVER, NOW) == (
        "volunteers_only"
    )
    assert await _counts(session_factory, task) == (0, Counter())
    async with session_factory() as session:
        assert await check(session) == []


async def test_a_task_for_all_drivers_takes_a_driver(session_factory: Factory) -> None:
    _admin, task, (driver,) = await setup(
        session_factory, 1, role=Role.DRIVER, audience=TaskAudience.ALL
    )
    assert await attempt(session_factory, "take", task, driver, Role.DRIVER, NOW) == "ok"
    async with session_factory() as session:
        assert await check(session) == []


async def test_withdraw_before_the_cut_off_frees_the_place_after_it_is_refused(
    session_factory: Factory,
) -> None:
    _admin, task, (a, b, c) = await setup(session_factory, 3, places=1)
    assert await attempt(session_factory, "take", task, a, Role.VOLUNTEER, NOW) == "ok"
    assert await attempt(session_factory, "take", task, b, Role.VOLUNTEER, NOW) == "full"
    assert await attempt(session_factory, "withdraw", task, a, NOW) == "ok"
    assert await attempt(session_factory, "withdraw", task, a, NOW) == "not_taken"  # again
    assert await _counts(session_factory, task) == (0, Counter({TakerStatus.WITHDRAWN: 1}))
    assert await attempt(session_factory, "take", task, b, Role.VOLUNTEER, NOW) == "ok"
    late = START - timedelta(hours=2) + timedelta(minutes=1)  # inside the 2 h cut-off
    assert await attempt(session_factory, "withdraw", task, b, late) == "too_late"
    assert await _counts(session_factory, task) == (
        1, Counter({TakerStatus.WITHDRAWN: 1, TakerStatus.TAKEN: 1}),
    )  # fmt: skip
    # The one who gave it back may take it again once it is free; not after the start.
    assert await attempt(session_factory, "take", task, a, Role.VOLUNTEER, NOW) == "full"
    assert await attempt(session_factory, "take", task, c, Role.VOLUNTEER, START) == "started"
    async with session_factory() as session:
        assert await check(session) == []


async def test_done_then_confirm_pays_once_whoever_presses(session_factory: Factory) -> None:
    admin, task, (user,) = await setup(session_factory, 1, points=20)
    async with session_factory() as session:
        second_admin = await _admin(session)
    assert await attempt(session_factory, "take", task, user, Role.VOLUNTEER, NOW) == "ok"
    early = START - timedelta(minutes=1)
    assert await attempt(session_factory, "report_done", task, user, None, early) == ("not_started")
    during = START + timedelta(hours=1)
    assert await attempt(session_factory, "report_done", task, user, "file-1", during) == "ok"
    assert await attempt(session_factory, "report_done", task, user, None, during) == "reported"
    async with session_factory() as session:
        taker = await session.scalar(select(TakerRow.id).where(TakerRow.task_id == task))
    # Two admins at once, then the first again.
    results = await asyncio.gather(
        attempt(session_factory, "confirm", task, taker, admin, Role.ADMIN, during),
        attempt(session_factory, "confirm", task, taker, second_admin, Role.ADMIN, during),
    )
    assert sorted(results) == ["confirmed", "ok"]
    assert await attempt(session_factory, "confirm", task, taker, admin, Role.ADMIN, during) == (
        "confirmed"
    )
    # A volunteer cannot confirm their own work.
    assert await attempt(session_factory, "confirm", task, taker, user, Role.VOLUNTEER,
                         during) == "not_allowed"  # fmt: skip
    async with session_factory() as session:
        assert await _balance(session, user) == 20
        row = await session.get(TakerRow, taker)
        assert row is not None and row.status is TakerStatus.CONFIRMED
        assert row.photo_file_id == "file-1"
        assert await check(session) == []


async def _admin(session: AsyncSession) -> int:
    admin = await person(session, 9001, Role.ADMIN)
    await session.commit()
    return admin


async def test_a_dispute_pays_nothing_until_confirmed_after_all(session_factory: Factory) -> None:
    admin, task, (user,) = await setup(session_factory, 1, points=30)
    during = START + timedelta(hours=1)
    assert await attempt(session_factory, "take", task, user, Role.VOLUNTEER, NOW) == "ok"
    async with session_factory() as session:
        taker = await session.scalar(select(TakerRow.id).where(TakerRow.task_id == task))
    # Nothing reported yet: nothing to dispute.
    assert await attempt(session_factory, "dispute", task, taker, DisputeReason.NOT_SEEN, None,
                         admin, Role.ADMIN, during) == "not_reported"  # fmt: skip
    assert await attempt(session_factory, "report_done", task, user, None, during) == "ok"
    assert await attempt(session_factory, "dispute", task, taker, DisputeReason.NOT_SEEN, None,
                         admin, Role.ADMIN, during) == "ok"  # fmt: skip
    assert await attempt(session_factory, "dispute", task, taker, DisputeReason.NOT_SEEN, None,
                         admin, Role.ADMIN, during) == "disputed"  # fmt: skip
    async with session_factory() as session:
        assert await _balance(session, user) == 0
        row = await session.get(TakerRow, taker)
        assert row is not None and row.dispute_reason is DisputeReason.NOT_SEEN
        assert await check(session) == []
    # The admin changes their mind: confirmed, paid once; a dispute can no longer follow.
    assert await attempt(session_factory, "confirm", task, taker, admin, Role.ADMIN, during) == "ok"
    assert await attempt(session_factory, "dispute", task, taker, DisputeReason.NO_PROOF, None,
                         admin, Role.ADMIN, during) == "confirmed"  # fmt: skip
    async with session_factory() as session:
        assert await _balance(session, user) == 30
        assert await check(session) == []


async def test_cancel_drops_the_places_and_refuses_new_ones(session_factory: Factory) -> None:
    admin, task, (a, b) = await setup(session_factory, 2, places=2)
    assert await attempt(session_factory, "take", task, a, Role.VOLUNTEER, NOW) == "ok"
    async with session_factory() as session:
        change = await service(session).cancel(task, admin, Role.ADMIN, NOW)
        await session.commit()
    assert change.told == (a,)
    assert await _counts(session_factory, task) == (0, Counter({TakerStatus.DROPPED: 1}))
    assert await attempt(session_factory, "take", task, b, Role.VOLUNTEER, NOW) == "cancelled"
    assert await attempt(session_factory, "withdraw", task, a, NOW) == "cancelled"
    assert await attempt(session_factory, "cancel", task, admin, Role.ADMIN, NOW) == "cancelled"
    assert await attempt(session_factory, "take", 999, b, Role.VOLUNTEER, NOW) == "not_found"
    async with session_factory() as session:
        assert await check(session) == []


async def test_publishing_twice_with_one_key_makes_one_task(session_factory: Factory) -> None:
    _admin, _task, _users = await setup(session_factory, 0)
    async with session_factory() as session:
        again = await service(session).publish(draft(), "key-1", _admin, NOW, None)
        await session.commit()
        assert not again.new and again.task.id == _task
        assert await session.scalar(select(func.count(TaskRow.id))) == 1
        assert await check(session) == []


async def test_a_forged_decision_changes_nothing(session_factory: Factory) -> None:
    admin, task, (user,) = await setup(session_factory, 1)
    async with session_factory() as session:
        other = await service(session).publish(draft(), "key-2", admin, NOW, None)
        await session.commit()
    during = START + timedelta(hours=1)
    assert await attempt(session_factory, "take", task, user, Role.VOLUNTEER, NOW) == "ok"
    assert await attempt(session_factory, "report_done", task, user, None, during) == "ok"
    async with session_factory() as session:
        taker = await session.scalar(select(TakerRow.id).where(TakerRow.task_id == task))
    # The place's id with another task's id, and an id that does not exist.
    assert await attempt(session_factory, "confirm", other.task.id, taker, admin, Role.ADMIN,
                         during) == "not_reported"  # fmt: skip
    assert await attempt(session_factory, "confirm", task, 10_000, admin, Role.ADMIN, during) == (
        "not_reported"
    )
    async with session_factory() as session:
        row = await session.get(TakerRow, taker)
        assert row is not None and row.status is TakerStatus.DONE
        assert await _balance(session, user) == 0
        assert await check(session) == []
