"""The checkup feature's part of /mydata and /deleteme (see bot/services/personal_data.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.checkups.models import (
    BookingRow,
    CheckupProviderRow,
    CheckupServiceRow,
    ReminderRow,
    SlotRow,
    WaitlistRow,
)
from bot.services.checkups.bookings import BookingService
from bot.services.personal_data import Part


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export(session: AsyncSession, user_id: int, tz: ZoneInfo) -> dict[str, Any]:
    rows = await session.execute(
        select(BookingRow, SlotRow, CheckupProviderRow, CheckupServiceRow)
        .join(SlotRow, SlotRow.id == BookingRow.slot_id)
        .join(CheckupProviderRow, CheckupProviderRow.id == SlotRow.provider_id)
        .join(CheckupServiceRow, CheckupServiceRow.id == BookingRow.service_id)
        .where(BookingRow.user_id == user_id)
        .order_by(SlotRow.starts_at)
    )
    bookings = list(rows)
    reminders: dict[int, list[dict[str, Any]]] = {}
    if bookings:
        found = await session.scalars(
            select(ReminderRow)
            .where(ReminderRow.booking_id.in_([b.id for b, *_ in bookings]))
            .order_by(ReminderRow.due_at)
        )
        for r in found:
            reminders.setdefault(r.booking_id, []).append(
                {"kind": r.kind, "due_at": _iso(r.due_at), "status": r.status,
                 "sent_at": _iso(r.sent_at)}
            )  # fmt: skip
    waitlist = await session.execute(
        select(WaitlistRow, SlotRow, CheckupProviderRow)
        .join(SlotRow, SlotRow.id == WaitlistRow.slot_id)
        .join(CheckupProviderRow, CheckupProviderRow.id == SlotRow.provider_id)
        .where(WaitlistRow.user_id == user_id)
        .order_by(WaitlistRow.created_at)
    )
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
