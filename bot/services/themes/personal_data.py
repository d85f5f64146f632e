"""The themes feature's part of /mydata and /deleteme (see bot/services/personal_data.py).

Export: the activities the person signed up for and those they checked in at. Erasure
removes both; their seats are freed at once (the counter moves with the rows). Points earned
by checking in follow the points part (forfeited, the ledger still balancing)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.themes.repository import AttendanceRepository
from bot.services.personal_data import Part


async def export(session: AsyncSession, user_id: int, tz: ZoneInfo) -> dict[str, Any]:
    signups, checkins = await AttendanceRepository(session).of_user(user_id)
    return {
        "signups": [{"activity": key, "at": row.created_at.isoformat()} for row, key in signups],
        "checkins": [
            {"activity": key, "at": row.at.isoformat(), "points": row.points}
            for row, key in checkins
        ],
    }


async def erase(session: AsyncSession, user_id: int, now: datetime, tz: ZoneInfo) -> None:
    await AttendanceRepository(session).erase_user(user_id)


PART = Part("themes", frozenset({"activity_signups", "activity_checkins"}), export, erase)
