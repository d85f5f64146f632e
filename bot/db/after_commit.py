"""Work that must wait until the update's transaction has committed (e.g. refreshing an
in-memory index from the rows just written). DbSessionMiddleware runs it after the commit;
on rollback it is dropped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

_KEY = "warmdrive_after_commit"
Callback = Callable[[], Awaitable[None]]


def after_commit(session: AsyncSession, callback: Callback) -> None:
    session.info.setdefault(_KEY, []).append(callback)


def take_after_commit(session: AsyncSession) -> list[Callback]:
    return session.info.pop(_KEY, [])
