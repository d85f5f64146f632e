"""The offices file in the database, and who the handlers are. No Telegram here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.complaints.repository import OfficeRepository
from bot.db.users.models import Role
from bot.db.users.repository import UserRepository
from bot.services.complaints.chain import CaseError, CaseErrorCode
from knowledge import DATA_DIR
from knowledge.complaints.categories import DEADLINES_LIKE, Category
from knowledge.complaints.offices import Deadlines, Office, OfficeBook, Route

ANY = "*"
SAMPLE_FILE = (
    DATA_DIR / "complaints_sample.yaml"
)  # the deadlines row of the default, and a route for any category


@dataclass(frozen=True, slots=True)
class StoreCounts:
    offices: int
    routes: int
    handlers: int  # handlers the file named who have used the bot
    unknown_handlers: tuple[int, ...]  # Telegram ids the file named who have not


@dataclass(frozen=True, slots=True)
class Actor:
    """Who presses: the service checks what they may do."""

    user_id: int
    admin: bool
    office_id: str | None  # the office they handle cases for, if any

    @property
    def works_cases(self) -> bool:
        return self.admin or self.office_id is not None


async def load_book(session: AsyncSession) -> OfficeBook:
    repo = OfficeRepository(session)
    handlers: dict[str, list[int]] = {}
    for handler, user in await repo.handlers():
        if user.telegram_id is not None:
            handlers.setdefault(handler.office_id, []).append(user.telegram_id)
    offices = tuple(
        Office(o.id, o.name, o.name_en, o.city, o.phone, tuple(handlers.get(o.id, ())))
        for o in await repo.offices()
    )
    routes = tuple(
        Route(Category(r.category) if r.category else None, r.city, r.office_id)
        for r in await repo.routes()
    )
    deadlines = {row.category: Deadlines(row.accept, row.respond, row.resolve)
                 for row in await repo.deadlines()}  # fmt: skip
    default = deadlines.get(ANY, Deadlines(1, 2, 5))
    for category, like in DEADLINES_LIKE.items():  # stored before the category existed
        if category.value not in deadlines and like.value in deadlines:
            deadlines[category.value] = deadlines[like.value]
    days = await repo.calendar_days()
    return OfficeBook(
        offices=offices,
        routes=routes,
        deadlines={c: deadlines.get(c.value, default) for c in Category},
        holidays=frozenset(d.day for d in days if not d.workday),
        workdays=frozenset(d.day for d in days if d.workday),
    )


async def store_book(session: AsyncSession, book: OfficeBook, now: datetime) -> StoreCounts:
    """Replace the offices, routes, deadlines and calendar with the file's; the handlers the
    file lists join their office (others keep theirs: admins set handlers in the bot too)."""
    repo = OfficeRepository(session)
    await repo.replace(
        [{"id": o.id, "name": o.name, "name_en": o.name_en, "city": o.city, "phone": o.phone}
         for o in book.offices],
        [{"category": r.category.value if r.category else None, "city": r.city,
          "office_id": r.office} for r in book.routes],
        [{"category": c.value, "accept": d.accept, "respond": d.respond, "resolve": d.resolve}
         for c, d in book.deadlines.items()],
        [{"day": d, "workday": False} for d in sorted(book.holidays)]
        + [{"day": d, "workday": True} for d in sorted(book.workdays)],
    )  # fmt: skip
    users = UserRepository(session)
    joined, unknown = 0, []
    for office in book.offices:
        for telegram_id in office.handlers:
            user = await users.by_telegram_id(telegram_id)
            if user is None or user.erased_at is not None:
                unknown.append(telegram_id)
                continue
            await set_handler(session, user.id, office.id, now)
            joined += 1
    return StoreCounts(len(book.offices), len(book.routes), joined, tuple(unknown))


async def set_handler(
    session: AsyncSession, user_id: int, office_id: str | None, now: datetime
) -> None:
    """Make a user a handler of an office (None: no longer a handler). An admin keeps the
    admin role and works the office's cases too."""
    repo = OfficeRepository(session)
    if office_id is not None and await repo.office(office_id) is None:
        raise CaseError(CaseErrorCode.OFFICE_UNKNOWN)
    await repo.set_handler(user_id, office_id, now)
    user = await UserRepository(session).by_id(user_id)
    if user is None or user.role is Role.ADMIN:
        return
    if office_id is not None:
        user.role = Role.HANDLER
    elif user.role is Role.HANDLER:
        user.role = Role.DRIVER
    await session.flush()


async def load_sample_if_empty(session: AsyncSession, now: datetime) -> StoreCounts | None:
    """First run: the illustrative offices shipped with the bot (the caller commits)."""
    from knowledge.complaints.files import parse_offices_yaml

    if await OfficeRepository(session).offices(active_only=False):
        return None
    result = parse_offices_yaml(SAMPLE_FILE.read_text(encoding="utf-8"))
    if not result.ok or result.book is None:
        raise RuntimeError("sample offices invalid: " + "; ".join(result.errors[:5]))
    return await store_book(session, result.book, now)
