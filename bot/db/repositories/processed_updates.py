"""The record of handled updates, for de-duplication across restarts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ProcessedUpdate
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

    async def prune_before(self, cutoff: datetime) -> int:
        result = await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < cutoff)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
