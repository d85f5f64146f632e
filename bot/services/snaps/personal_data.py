"""The snap reports' part of /mydata and /deleteme (see bot/services/personal_data.py).

Export: the person's reports with their trail and photos' names, and the reports they follow.
Erasure keeps each report for the city, anonymous: its text, voice note and the person's own
photos go (the files follow with the sweep job, which deletes files no row names any more),
and they stop following others' reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.snaps.repository import SnapRepository
from bot.services.personal_data import Part


async def export(session: AsyncSession, user_id: int, tz: ZoneInfo) -> dict[str, Any]:
    repo = SnapRepository(session)
    reports = []
    for row in await repo.of_user(user_id, limit=100_000):
        reports.append({
            "number": row.number, "category": row.category.value, "status": row.status.value,
            "lat": row.lat, "lon": row.lon, "text": row.text, "voice": row.voice_file_id,
            "created_at": row.created_at.isoformat(),
            "photos": [p.path for p in await repo.photos(row.id)],
            "events": [
                {"at": e.at.isoformat(), "action": e.action.value, "note": e.note}
                for e in await repo.events(row.id)
            ],
        })  # fmt: skip
    return {"reports": reports, "following": await repo.followed_by(user_id)}


async def erase(session: AsyncSession, user_id: int, now: datetime, tz: ZoneInfo) -> None:
    await SnapRepository(session).erase_user(user_id)


PART = Part(
    "snaps",
    frozenset({"snap_reports", "snap_photos", "snap_followers", "snap_events"}),
    export,
    erase,
)
