"""A savepoint undoes only its own statements, on both databases: a lost race inside an update
never throws away the update's other changes (SQLite's driver needs help for this)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.users.models import Role, User


async def _names(factory: async_sessionmaker[AsyncSession]) -> set[int]:
    async with factory() as session:
        return set(await session.scalars(select(User.telegram_id)))


async def test_a_failed_savepoint_keeps_the_work_before_it(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        session.add(User(telegram_id=1, language="zh", role=Role.DRIVER))
        await session.flush()
        try:
            async with session.begin_nested():
                session.add(User(telegram_id=1, language="zh", role=Role.DRIVER))  # taken
                await session.flush()
        except IntegrityError:
            pass
        session.add(User(telegram_id=2, language="zh", role=Role.DRIVER))
        await session.commit()
    assert await _names(session_factory) == {1, 2}


async def test_a_savepoint_that_comes_first_does_not_commit_the_update(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """The savepoint is the update's first write; the update fails later and rolls back:
    nothing of it may remain (SQLite would otherwise have committed at RELEASE)."""
    async with session_factory() as session:
        await session.scalar(select(func.count()).select_from(User))  # a read first, as usual
        async with session.begin_nested():
            session.add(User(telegram_id=3, language="zh", role=Role.DRIVER))
            await session.flush()
        session.add(User(telegram_id=4, language="zh", role=Role.DRIVER))
        await session.flush()
        await session.rollback()  # the update failed after it
    assert await _names(session_factory) == set()
