"""The record of handled updates, for de-duplication across restarts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.updates.models import ProcessedUpdate
from bot.db.upsert import insert_ignore


class ProcessedUpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, bot_id: int, update_id: int, now: datetime) -> bool:
        """Record the update; False when it was recorded before (a redelivery)."""
        return await insert_ignore(
            self.session,
            ProcessedUpdate.__table__,  # type: ignore[arg-type]
            {"bot_id": bot_id, "update_id": update_id, "processed_at": now},
            ["bot_id", "update_id"],
        )

    async def claim_many(self, rows: list[tuple[int, int, datetime]]) -> None:
        # Chunks keep each statement under SQLite's limit on bound variables.
        for start in range(0, len(rows), 500):
            await insert_ignore(
                self.session,
                ProcessedUpdate.__table__,  # type: ignore[arg-type]
                [
                    {"bot_id": b, "update_id": u, "processed_at": at}
                    for b, u, at in rows[start : start + 500]
                ],
                ["bot_id", "update_id"],
            )

    async def recent(self, limit: int) -> list[tuple[int, int]]:
        """The newest records, oldest first."""
        rows = await self.session.execute(
            select(ProcessedUpdate.bot_id, ProcessedUpdate.update_id)
            .order_by(ProcessedUpdate.processed_at.desc())
            .limit(limit)
        )
        return [(b, u) for b, u in reversed(rows.all())]

    async def exists(self, bot_id: int, update_id: int) -> bool:
        found = await self.session.scalar(
            select(ProcessedUpdate.update_id).where(
                ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.update_id == update_id
            )
        )
        return found is not None

    async def prune_before(self, cutoff: datetime) -> int:
        result = await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < cutoff)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
