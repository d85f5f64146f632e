"""The misses' SQL: one row per occurrence (no upsert to race on), grouped when read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.intents.models import IntentMissRow


@dataclass(frozen=True, slots=True)
class MissCount:
    text: str
    outcome: str
    guesses: str
    count: int
    last: datetime


class MissRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, text: str, outcome: str, guesses: str, at: datetime) -> None:
        self.session.add(IntentMissRow(text=text, outcome=outcome, guesses=guesses, at=at))
        await self.session.flush()

    async def grouped(self, since: datetime) -> list[MissCount]:
        """Each text once with how often it fell through since `since`, most frequent first."""
        count = func.count().label("n")
        last = func.max(IntentMissRow.at).label("last")
        rows = await self.session.execute(
            select(IntentMissRow.text, IntentMissRow.outcome, func.max(IntentMissRow.guesses),
                   count, last)
            .where(IntentMissRow.at >= since)
            .group_by(IntentMissRow.text, IntentMissRow.outcome)
            .order_by(count.desc(), last.desc())
        )  # fmt: skip
        return [MissCount(t, o, g or "", n, at) for t, o, g, n, at in rows.all()]

    async def prune(self, before: datetime) -> int:
        result = await self.session.execute(delete(IntentMissRow).where(IntentMissRow.at < before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
