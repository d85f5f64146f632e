"""Broadcasts' part of /mydata and /deleteme: the notices an admin wrote. An erased author's
notices stay (they were the service's, not the admin's), pointing at the anonymised row."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.broadcasts.repository import BroadcastRepository
from bot.services.personal_data import Part


async def export(session: AsyncSession, user_id: int, tz: ZoneInfo) -> list[dict[str, Any]]:
    rows = await BroadcastRepository(session).authored_by(user_id)
    return [
        {"id": b.id, "status": b.status, "created_at": b.created_at.isoformat(), "text": b.text_zh}
        for b in rows
    ]


async def erase(session: AsyncSession, user_id: int, now: datetime, tz: ZoneInfo) -> None:
    return None


PART = Part("broadcasts", frozenset({"broadcasts"}), export, erase)
