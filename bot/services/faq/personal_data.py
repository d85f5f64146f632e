"""The FAQ's part of /mydata and /deleteme (see bot/services/personal_data.py).

Export: the person's 👍/👎 votes. Erasure keeps each vote for the admins' counts, with nobody
named: the voter is unlinked, so the counters still equal the votes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.faq.repository import FaqRepository
from bot.services.personal_data import Part


async def export(session: AsyncSession, user_id: int, tz: ZoneInfo) -> dict[str, Any]:
    votes = await FaqRepository(session).votes_of(user_id)
    return {
        "votes": [
            {"entry": v.faq_key, "helpful": v.helpful, "at": v.at.astimezone(tz).isoformat()}
            for v in votes
        ]
    }


async def erase(session: AsyncSession, user_id: int, now: datetime, tz: ZoneInfo) -> None:
    await FaqRepository(session).unlink_user(user_id)


PART = Part("faq", frozenset({"faq_votes"}), export, erase)
