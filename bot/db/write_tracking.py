"""A Session that notes whether it wrote, so an update's commit knows if it had effects."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

WROTE = "warmdrive_wrote"


class TrackedSession(Session):
    pass


@event.listens_for(TrackedSession, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


@event.listens_for(TrackedSession, "after_flush")
def _on_flush(session: Session, _context: Any) -> None:
    session.info[WROTE] = True


async def session_wrote(session: AsyncSession) -> bool:
    await session.flush()  # autoflush is off: pending ORM changes count too
    return bool(session.info.get(WROTE))
