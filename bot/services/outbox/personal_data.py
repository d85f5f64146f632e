"""The outbox's part of /mydata and /deleteme: the messages queued for or sent to a user."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.outbox.repository import OutboxRepository
from bot.services.personal_data import Part


async def export(session: AsyncSession, user_id: int, tz: ZoneInfo) -> list[dict[str, Any]]:
    return [
        {
            "kind": row.kind,
            "status": row.status,
            "queued_at": row.created_at.isoformat(),
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            "text": row.text,
        }
        for row in await OutboxRepository(session).of_user(user_id)
    ]


async def erase(session: AsyncSession, user_id: int, now: datetime, tz: ZoneInfo) -> None:
    """Nothing more is sent to them; what was sent keeps only its kind, status and times."""
    await OutboxRepository(session).forget_user(user_id)


PART = Part("messages", frozenset({"outbox"}), export, erase)
