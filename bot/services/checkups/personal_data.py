"""The checkup feature's part of /mydata and /deleteme (see bot/services/personal_data.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.checkups.repository import BookingRepository
from bot.services.checkups.bookings import BookingService
from bot.services.personal_data import Part


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export(session: AsyncSession, user_id: int, tz: ZoneInfo) -> dict[str, Any]:
    repo = BookingRepository(session)
    bookings = await repo.bookings_of(user_id)
    reminders: dict[int, list[dict[str, Any]]] = {}
    for r in await repo.reminders_of([b.id for b, *_ in bookings]):
        reminders.setdefault(r.booking_id, []).append(
            {"kind": r.kind, "due_at": _iso(r.due_at), "status": r.status,
             "sent_at": _iso(r.sent_at)}
        )  # fmt: skip
    waitlist = await repo.places_of(user_id)
    return {
        "bookings": [
            {
                "code": b.code,
                "service": sv.name_zh,
                "provider": p.name,
                "starts_at": _iso(s.starts_at),
                "status": b.status,
                "booked_at": _iso(b.created_at),
                "cancelled_at": _iso(b.cancelled_at),
                "reminders": reminders.get(b.id, []),
            }
            for b, s, p, sv in bookings
        ],
        "waitlist": [
            {
                "provider": p.name,
                "starts_at": _iso(s.starts_at),
                "status": w.status,
                "joined_at": _iso(w.created_at),
            }
            for w, s, p in waitlist
        ],
    }


async def erase(session: AsyncSession, user_id: int, now: datetime, tz: ZoneInfo) -> None:
    """Upcoming bookings are cancelled and waitlist places given up; the seats freed are
    offered to the next drivers waiting (owed as rows, sent after the commit). Past bookings
    stay (the providers' attendance records) but point only at the anonymised user row."""
    await BookingService(session, tz).withdraw(user_id, now)


PART = Part(
    "checkups",
    frozenset({"bookings", "checkup_waitlist", "booking_reminders"}),
    export,
    erase,
)
