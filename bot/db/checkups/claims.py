"""What checkups owe drivers, as rows: due reminders, waitlist offers not yet queued,
closed-day notices not yet queued. No Telegram here.

Each is claimed by a conditional UPDATE, in the same transaction that queues its message in
the outbox, so two schedulers (or a scheduler and the after-commit path of an update) never
queue it twice, and a crash leaves it either claimed and queued or neither.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.db.checkups.models import BookingRow, ReminderRow, WaitlistRow
from bot.db.checkups.statuses import BookingStatus, ReminderStatus, WaitlistStatus
from bot.db.upsert import rows_changed


class NoticeClaims:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- reminders ---------------------------------------------------------------------------
    async def due_reminders(self, now: datetime, limit: int = 100) -> list[ReminderRow]:
        rows = await self.session.scalars(
            select(ReminderRow)
            .where(ReminderRow.status == ReminderStatus.PENDING, ReminderRow.due_at <= now)
            .order_by(ReminderRow.due_at)
            .limit(limit)
        )
        return list(rows)

    @staticmethod
    def _as_read(reminder: ReminderRow, slot_id: int | None) -> list[ColumnElement[bool]]:
        """The reminder is still the one the job read: pending, due when it was, for a
        booking still at the slot it was (a move re-arms the same rows for the new time, and
        may commit between the job's read and its write)."""
        where = [
            ReminderRow.id == reminder.id,
            ReminderRow.status == ReminderStatus.PENDING,
            ReminderRow.due_at == reminder.due_at,
        ]
        if slot_id is not None:
            where.append(
                ReminderRow.booking_id.in_(
                    select(BookingRow.id).where(
                        BookingRow.id == reminder.booking_id, BookingRow.slot_id == slot_id
                    )
                )
            )
        return where

    async def mark_sent(self, reminder: ReminderRow, slot_id: int, now: datetime) -> bool:
        """True once per reminder, however often a job retries it, and only for the time
        the job is about to tell the driver."""
        result = await self.session.execute(
            update(ReminderRow)
            .where(*self._as_read(reminder, slot_id))
            .values(status=ReminderStatus.SENT, sent_at=now)
        )
        return rows_changed(result)

    async def postpone_reminder(
        self, reminder: ReminderRow, slot_id: int, due_at: datetime
    ) -> None:
        await self.session.execute(
            update(ReminderRow).where(*self._as_read(reminder, slot_id)).values(due_at=due_at)
        )

    async def drop_reminder(
        self, reminder: ReminderRow, status: ReminderStatus, slot_id: int | None = None
    ) -> None:
        """Not sent, for good: "skipped" (too late, or quiet hours ran into the next one)
        or "failed" (the driver cannot be reached)."""
        await self.session.execute(
            update(ReminderRow).where(*self._as_read(reminder, slot_id)).values(status=status)
        )

    # --- waitlist offers ---------------------------------------------------------------------
    async def unsent_offers(self, now: datetime, limit: int = 100) -> list[int]:
        rows = await self.session.scalars(
            select(WaitlistRow.id)
            .where(
                WaitlistRow.status == WaitlistStatus.OFFERED,
                WaitlistRow.notified_at.is_(None),
                WaitlistRow.offer_expires_at > now,
            )
            .order_by(WaitlistRow.id)
            .limit(limit)
        )
        return list(rows)

    async def claim_offer(self, waitlist_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(WaitlistRow)
            .where(
                WaitlistRow.id == waitlist_id,
                WaitlistRow.status == WaitlistStatus.OFFERED,
                WaitlistRow.notified_at.is_(None),
            )
            .values(notified_at=now)
        )
        return rows_changed(result)

    # --- closed-day notices ------------------------------------------------------------------
    async def unsent_closures(self, limit: int = 100) -> list[int]:
        rows = await self.session.scalars(
            select(BookingRow.id)
            .where(BookingRow.status == BookingStatus.CLOSED, BookingRow.notified_at.is_(None))
            .order_by(BookingRow.id)
            .limit(limit)
        )
        return list(rows)

    async def claim_closure(self, booking_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(BookingRow)
            .where(
                BookingRow.id == booking_id,
                BookingRow.status == BookingStatus.CLOSED,
                BookingRow.notified_at.is_(None),
            )
            .values(notified_at=now)
        )
        return rows_changed(result)
