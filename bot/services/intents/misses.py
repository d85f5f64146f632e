"""What fell through, kept anonymous: the texts the bot did not understand, so the labelled
set and the phrasings can grow from what drivers really type."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.intents.models import TEXT_MAX
from bot.db.intents.repository import MissCount, MissRepository
from knowledge.intents.matcher import Reading

KEEP_DAYS = 90
_DIGITS = re.compile(r"\d[\d\s-]{5,}\d")  # 7+ digits: a phone number, an id, a plate's digits


def masked(text: str) -> str:
    """The text as it may be kept: one line, at most TEXT_MAX characters, long digit runs
    replaced by #."""
    line = " ".join(text.split())
    return _DIGITS.sub(lambda m: "#" * len(m[0]), line)[:TEXT_MAX]


class Misses:
    def __init__(self, session: AsyncSession) -> None:
        self.repo = MissRepository(session)

    async def note(self, text: str, reading: Reading, at: datetime) -> None:
        outcome = "choice" if reading.guesses else "none"
        guesses = " ".join(g.label for g in reading.guesses)[:200]
        await self.repo.add(masked(text), outcome, guesses, at)

    async def since(self, since: datetime) -> list[MissCount]:
        return await self.repo.grouped(since)

    async def prune(self, now: datetime) -> int:
        return await self.repo.prune(now - timedelta(days=KEEP_DAYS))
