"""Tasks for the service tests: a published task and its people, made in their own session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.tasks.statuses import TaskAudience
from bot.db.users.models import Role
from bot.services.points.ledger import Ledger, PointsRules
from bot.services.tasks.model import Draft, TaskError
from bot.services.tasks.service import TaskService
from tests.harness.people import person

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # Wednesday noon in Shanghai
START = NOW + timedelta(days=2)
Factory = async_sessionmaker[AsyncSession]


def service(session: AsyncSession) -> TaskService:
    return TaskService(session, TZ, Ledger(session, TZ, PointsRules()))


def draft(
    places: int = 3,
    points: int = 20,
    city: str | None = "自贡",
    audience: TaskAudience = TaskAudience.VOLUNTEERS,
) -> Draft:
    return Draft(
        "高速路口安全宣传",
        "发放交通安全传单",
        "自贡东收费站",
        city,
        START,
        START + timedelta(hours=3),
        places,
        points,
        audience,
    )


async def setup(
    factory: Factory, people: int, role: Role = Role.VOLUNTEER, **task: object
) -> tuple[int, int, list[int]]:
    """An admin, `people` users of `role`, and a task the admin published."""
    async with factory() as session:
        admin = await person(session, 9000, Role.ADMIN)
        users = [await person(session, 100 + i, role) for i in range(people)]
        change = await service(session).publish(draft(**task), "key-1", admin, NOW, None)  # type: ignore[arg-type]
        await session.commit()
        return admin, change.task.id, users


async def attempt(factory: Factory, call: str, *args: object) -> str:
    """One service call in its own transaction: "ok", or the refusal's code."""
    async with factory() as session:
        try:
            await getattr(service(session), call)(*args)
        except TaskError as exc:
            await session.rollback()
            return exc.code.value
        await session.commit()
        return "ok"
