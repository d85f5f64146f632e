"""The SQL of cards in the admins' group kept in step with their rows (a complaint, a snap
report, a volunteer task). Such a row counts its changes in `card_version` and records the
version its card shows in `card_shown`, so a card whose edit failed is simply drawn again
later. One implementation for every model with those columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession


class CardRows:
    """`model`: a mapped class with `id`, `card_chat_id`, `card_message_id`, `card_version`
    and `card_shown`."""

    def __init__(self, session: AsyncSession, model: type[Any]) -> None:
        self.session, self.model = session, model

    async def get(self, row_id: int) -> Any:
        return await self.session.get(self.model, row_id, populate_existing=True)

    async def behind(self, limit: int) -> list[int]:
        """The rows whose cards show an older version, oldest row first."""
        m = self.model
        ids = await self.session.scalars(
            select(m.id)
            .where(m.card_shown < m.card_version, m.card_chat_id.is_not(None))
            .order_by(m.id)
            .limit(limit)
        )
        return list(ids)

    async def mark(self, row_id: int, version: int, message_id: int) -> None:
        """The card shows `version` (never moved back by a slower, older redraw)."""
        m = self.model
        await self.session.execute(
            update(m)
            .where(m.id == row_id, m.card_shown < version)
            .values(card_shown=version, card_message_id=message_id)
        )
