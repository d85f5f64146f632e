"""Offices, people and cases for the complaint tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.users.models import Role
from bot.services.complaints.cases import CaseService, Draft
from bot.services.complaints.offices import Actor, set_handler, store_book
from knowledge.complaints.categories import Category
from knowledge.complaints.offices import Deadlines, Office, OfficeBook, Route
from tests.harness.people import person

TZ = ZoneInfo("Asia/Shanghai")

BOOK = OfficeBook(
    offices=(
        Office("transport", "市公路与运输管理中心", "Road and Transport Centre", None, "12328", ()),
        Office("union", "市总工会", "City Trade Union", None, None, ()),
    ),
    routes=(
        Route(Category.UNPAID_PAY, None, "union"),
        Route(Category.INSURANCE, None, "union"),
        Route(None, None, "transport"),
    ),
    deadlines={
        **{c: Deadlines(1, 2, 5) for c in Category},
        Category.INSURANCE: Deadlines(1, 2, 10),
    },
    holidays=frozenset(),
    workdays=frozenset(),
)


def local(text: str) -> datetime:
    """A local wall-clock time in TZ, as the aware moment."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


class World:
    """A driver, two handlers of the transport centre, one of the union, an admin."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.cases = CaseService(session, TZ)

    async def build(self, now: datetime) -> World:
        s = self.session
        await store_book(s, BOOK, now)
        self.driver = await person(s, 1001)
        self.other_driver = await person(s, 1002)
        self.handler = await person(s, 2001)
        self.colleague = await person(s, 2002)
        self.union_handler = await person(s, 2003)
        self.admin = await person(s, 3001, Role.ADMIN)
        for user_id, office in ((self.handler, "transport"), (self.colleague, "transport"),
                                (self.union_handler, "union")):  # fmt: skip
            await set_handler(s, user_id, office, now)
        return self

    async def actor(self, user_id: int) -> Actor:
        return await self.cases.actor(user_id, admin=user_id == self.admin)

    async def file(self, now: datetime, category: Category = Category.FREIGHT,
                   key: str = "k1", **extra: object) -> int:  # fmt: skip
        draft = Draft(category, "货主拖欠运费 3200 元，说好到货结清，至今未付。", **extra)  # type: ignore[arg-type]
        filed = await self.cases.file(self.driver, draft, key, now)
        return filed.case.id
