"""Checkup bookings: seats, waitlist offers, reminders. No Telegram here.

Capacity is enforced by the database: a seat is taken by one conditional UPDATE
(`booked < capacity`) and a CHECK constraint backs it, so concurrent confirms can never
overbook. `booked` counts bookings and seats held for a waitlist offer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BookingRow, ReminderRow, SlotRow, SlotTemplateRow, WaitlistRow
from bot.db.upsert import insert_ignore
from knowledge.checkups import SlotTemplate

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read out over the phone
CODE_LENGTH = 6
CANCEL_CUTOFF = timedelta(hours=2)
OFFER_TTL = timedelta(minutes=30)
EVENING_REMINDER = time(18, 0)
SOON_REMINDER = timedelta(hours=2)


class BookingError(ValueError):
    """A rule a request broke; `code` picks the message to show."""

    def __init__(self, code: str, booking: BookingRow | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.booking = booking


@dataclass(frozen=True, slots=True)
class Offer:
    waitlist_id: int
    user_id: int
    slot_id: int
    expires_at: datetime


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def in_quiet_hours(local: time, start: time | None, end: time | None) -> bool:
    """Quiet hours may wrap midnight (22:00-07:00); equal ends mean none."""
    if start is None or end is None or start == end:
        return False
    return start <= local < end if start < end else local >= start or local < end


def quiet_hours_end(at: datetime, start: time | None, end: time | None, tz: ZoneInfo) -> datetime:
    """`at` itself when outside quiet hours, else the moment they end (local time)."""
    local = at.astimezone(tz)
    if end is None or not in_quiet_hours(local.time(), start, end):
        return at
    until = datetime.combine(local.date(), end, tz)
    return until if until > local else until + timedelta(days=1)


def reminder_times(starts_at: datetime, now: datetime, tz: ZoneInfo) -> dict[str, datetime]:
    """The evening before at 18:00 local time, and two hours before; only those still ahead."""
    local_day = starts_at.astimezone(tz).date()
    evening = datetime.combine(local_day - timedelta(days=1), EVENING_REMINDER, tz)
    times = {"evening": evening, "soon": starts_at - SOON_REMINDER}
    return {kind: at for kind, at in times.items() if at > now}


class BookingService:
    def __init__(self, session: AsyncSession, tz: ZoneInfo) -> None:
        self.session, self.tz = session, tz

    # --- slots -----------------------------------------------------------------------------
    async def generate_slots(self, templates: list[SlotTemplate], today: date) -> int:
        """Create the slots each template makes bookable from `today` on; existing ones stay
        as they are (their bookings too). Returns how many were added."""
        added = 0
        for template in templates:
            for offset in range(template.days_ahead):
                for start in template.slot_starts(today + timedelta(days=offset), self.tz):
                    added += await insert_ignore(
                        self.session,
                        SlotRow.__table__,  # type: ignore[arg-type]
                        {
                            "provider_id": template.provider_id,
                            "service_id": template.service_id,
                            "starts_at": start,
                            "ends_at": start + timedelta(minutes=template.slot_minutes),
                            "capacity": template.capacity,
                            "booked": 0,
                            "closed": False,
                        },
                        ["provider_id", "service_id", "starts_at"],
                    )
        return added

    async def _take_seat(self, slot_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(SlotRow)
            .where(
                SlotRow.id == slot_id,
                SlotRow.booked < SlotRow.capacity,
                SlotRow.closed.is_(False),
                SlotRow.starts_at > now,
            )
            .values(booked=SlotRow.booked + 1)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _free_seat(self, slot_id: int) -> None:
        await self.session.execute(
            update(SlotRow).where(SlotRow.id == slot_id).values(booked=SlotRow.booked - 1)
        )

    # --- booking ---------------------------------------------------------------------------
    async def book(
        self, user_id: int, slot_id: int, now: datetime, request_key: str | None = None
    ) -> BookingRow:
        """A booking for the slot; the same `request_key` again returns the same booking.

        Call it before the update's other writes: losing a race (the same confirm twice at
        once, or a second booking for this service) rolls the session back. No savepoints:
        SQLite's driver would commit a savepoint that opened the transaction.
        """
        if request_key is not None:
            done = await self.session.scalar(
                select(BookingRow).where(BookingRow.request_key == request_key)
            )
            if done is not None:
                return done
        slot = await self.session.get(SlotRow, slot_id)
        if slot is None:
            raise BookingError("slot_unknown")
        # Plain values: a rollback expires ORM objects (and async code cannot lazy-load).
        service_id, starts_at = slot.service_id, slot.starts_at
        existing = await self._active(user_id, service_id)
        if existing is not None:
            if request_key is not None and existing.request_key == request_key:
                return existing  # this very request, finished meanwhile by a retry
            raise BookingError("already_booked", existing)
        if not await self._take_seat(slot_id, now):
            raise BookingError("full")  # nothing was written
        booking = BookingRow(
            code=await self._fresh_code(), user_id=user_id, slot_id=slot_id, service_id=service_id,
            status="active", request_key=request_key, created_at=now,
        )  # fmt: skip
        self.session.add(booking)
        try:
            await self.session.flush()
        except IntegrityError:
            await self.session.rollback()  # the seat taken above goes back too
            existing = await self._active(user_id, service_id)
            if existing is not None and request_key and existing.request_key == request_key:
                return existing
            raise BookingError("already_booked", existing) from None
        await self._schedule_reminders(booking, starts_at, now)
        return booking

    async def _fresh_code(self) -> str:
        """A code no booking has yet: 31^6 codes make a clash rare, not impossible, and a
        clash would fail the whole confirm."""
        while True:
            code = new_code()
            taken = await self.session.scalar(select(BookingRow.id).where(BookingRow.code == code))
            if taken is None:
                return code

    async def _active(self, user_id: int, service_id: str) -> BookingRow | None:
        return await self.session.scalar(
            select(BookingRow).where(
                BookingRow.user_id == user_id,
                BookingRow.service_id == service_id,
                BookingRow.status == "active",
            )
        )

    async def _owned(self, user_id: int, code: str) -> tuple[BookingRow, SlotRow]:
        booking = await self.session.scalar(select(BookingRow).where(BookingRow.code == code))
        # Someone else's code looks exactly like an unknown one: nothing leaks.
        if booking is None or booking.user_id != user_id:
            raise BookingError("booking_unknown")
        if booking.status != "active":
            raise BookingError("not_active", booking)
        slot = await self.session.get(SlotRow, booking.slot_id)
        assert slot is not None
        return booking, slot

    async def cancel(self, user_id: int, code: str, now: datetime) -> Offer | None:
        """Cancel; the freed seat goes to the first on the waitlist (returned, to notify)."""
        booking, slot = await self._owned(user_id, code)
        if slot.starts_at - now < CANCEL_CUTOFF:
            raise BookingError("too_late", booking)
        booking.status, booking.cancelled_at = "cancelled", now
        await self._cancel_reminders(booking.id)
        return await self._hand_on_seat(slot.id, now)

    async def reschedule(
        self, user_id: int, code: str, new_slot_id: int, now: datetime
    ) -> tuple[BookingRow, Offer | None]:
        """Move to another slot of the same service. The new seat is taken first: if it is
        gone, nothing changes and the driver keeps the old one."""
        booking, old_slot = await self._owned(user_id, code)
        if old_slot.starts_at - now < CANCEL_CUTOFF:
            raise BookingError("too_late", booking)
        new_slot = await self.session.get(SlotRow, new_slot_id)
        if new_slot is None or new_slot.service_id != booking.service_id:
            raise BookingError("slot_unknown")
        if new_slot.id == old_slot.id:
            raise BookingError("same_slot", booking)
        starts_at = new_slot.starts_at
        if not await self._take_seat(new_slot_id, now):
            raise BookingError("full", booking)
        booking.status, booking.cancelled_at = "moved", now
        await self.session.flush()  # no longer active, before the new one is
        new = BookingRow(
            code=await self._fresh_code(), user_id=user_id, slot_id=new_slot_id,
            service_id=booking.service_id, status="active", created_at=now,
        )  # fmt: skip
        self.session.add(new)
        await self.session.flush()
        await self._cancel_reminders(booking.id)
        await self._schedule_reminders(new, starts_at, now)
        return new, await self._hand_on_seat(old_slot.id, now)

    # --- staff ------------------------------------------------------------------------------
    async def check_in(self, code: str, attended: bool, now: datetime) -> BookingRow:
        """Mark a booking attended or a no-show (a mistake can be corrected the same way)."""
        booking = await self.session.scalar(select(BookingRow).where(BookingRow.code == code))
        if booking is None:
            raise BookingError("booking_unknown")
        if booking.status not in {"active", "attended", "no_show"}:
            raise BookingError("not_active", booking)
        slot = await self.session.get(SlotRow, booking.slot_id)
        assert slot is not None
        if now.astimezone(self.tz).date() < slot.starts_at.astimezone(self.tz).date():
            raise BookingError("not_yet", booking)
        booking.status = "attended" if attended else "no_show"
        await self._cancel_reminders(booking.id)
        return booking

    async def close_day(self, provider_id: str, day: date, now: datetime) -> list[int]:
        """The provider is closed on the local day: its slots close, their bookings are
        cancelled (returned, to notify), waitlists end, and slots not generated yet will be
        generated closed. Closing an already closed day changes nothing."""
        start = datetime.combine(day, time(0), self.tz)
        slot_ids = list(
            await self.session.scalars(
                select(SlotRow.id).where(
                    SlotRow.provider_id == provider_id,
                    SlotRow.starts_at >= start,
                    SlotRow.starts_at < start + timedelta(days=1),
                )
            )
        )
        templates = await self.session.scalars(
            select(SlotTemplateRow).where(SlotTemplateRow.provider_id == provider_id)
        )
        for template in templates:
            dates = {d for d in template.closed_dates.split(",") if d}
            template.closed_dates = ",".join(sorted(dates | {day.isoformat()}))
        if not slot_ids:
            return []
        await self.session.execute(
            update(SlotRow).where(SlotRow.id.in_(slot_ids)).values(closed=True)
        )
        bookings = list(
            await self.session.scalars(
                select(BookingRow).where(
                    BookingRow.slot_id.in_(slot_ids), BookingRow.status == "active"
                )
            )
        )
        for booking in bookings:
            booking.status, booking.cancelled_at = "closed", now
            await self._cancel_reminders(booking.id)
        await self.session.execute(
            update(WaitlistRow)
            .where(
                WaitlistRow.slot_id.in_(slot_ids),
                WaitlistRow.status.in_(("waiting", "offered")),
            )
            .values(status="closed")
        )
        await self.session.flush()
        return [b.id for b in bookings]

    # --- waitlist ----------------------------------------------------------------------------
    async def join_waitlist(self, user_id: int, slot_id: int, now: datetime) -> bool:
        """True when added; False when already on it."""
        return await insert_ignore(
            self.session,
            WaitlistRow.__table__,  # type: ignore[arg-type]
            {"slot_id": slot_id, "user_id": user_id, "status": "waiting", "created_at": now},
            ["slot_id", "user_id"],
        )

    async def _hand_on_seat(self, slot_id: int, now: datetime) -> Offer | None:
        """A freed seat stays held for the next waiting driver, or goes back on sale."""
        nxt = await self.session.scalar(
            select(WaitlistRow)
            .where(WaitlistRow.slot_id == slot_id, WaitlistRow.status == "waiting")
            .order_by(WaitlistRow.created_at, WaitlistRow.id)
            .limit(1)
        )
        if nxt is None:
            await self._free_seat(slot_id)
            return None
        nxt.status, nxt.offer_expires_at = "offered", now + OFFER_TTL
        return Offer(nxt.id, nxt.user_id, slot_id, nxt.offer_expires_at)

    async def accept_offer(
        self, user_id: int, waitlist_id: int, now: datetime, request_key: str | None = None
    ) -> BookingRow:
        entry = await self.session.get(WaitlistRow, waitlist_id)
        if entry is None or entry.user_id != user_id:
            raise BookingError("offer_unknown")
        lapsed = entry.offer_expires_at is not None and entry.offer_expires_at <= now
        if entry.status == "expired" or (entry.status == "offered" and lapsed):
            raise BookingError("offer_expired")
        if entry.status != "offered":
            raise BookingError("offer_gone")
        slot = await self.session.get(SlotRow, entry.slot_id)
        assert slot is not None
        if await self._active(user_id, slot.service_id) is not None:
            raise BookingError("already_booked")
        # The seat is already held for this offer: the booking takes it over, no new seat.
        entry.status = "booked"
        booking = BookingRow(
            code=await self._fresh_code(), user_id=user_id, slot_id=slot.id,
            service_id=slot.service_id, status="active", request_key=request_key, created_at=now,
        )  # fmt: skip
        self.session.add(booking)
        await self.session.flush()
        await self._schedule_reminders(booking, slot.starts_at, now)
        return booking

    async def decline_offer(self, user_id: int, waitlist_id: int, now: datetime) -> Offer | None:
        """The driver does not want the seat: it goes to the next one waiting."""
        entry = await self.session.get(WaitlistRow, waitlist_id)
        if entry is None or entry.user_id != user_id:
            raise BookingError("offer_unknown")
        if entry.status != "offered":
            raise BookingError("offer_gone")
        entry.status = "declined"
        await self.session.flush()
        return await self._hand_on_seat(entry.slot_id, now)

    async def expire_offers(self, now: datetime) -> list[Offer]:
        """Lapsed offers pass their seat on to the next waiting driver; returns new offers."""
        lapsed = await self.session.scalars(
            select(WaitlistRow).where(
                WaitlistRow.status == "offered", WaitlistRow.offer_expires_at <= now
            )
        )
        offers = []
        for entry in list(lapsed):
            entry.status = "expired"
            await self.session.flush()
            offer = await self._hand_on_seat(entry.slot_id, now)
            if offer is not None:
                offers.append(offer)
        return offers

    # --- reminders ---------------------------------------------------------------------------
    async def _schedule_reminders(
        self, booking: BookingRow, starts_at: datetime, now: datetime
    ) -> None:
        for kind, due in reminder_times(starts_at, now, self.tz).items():
            self.session.add(
                ReminderRow(booking_id=booking.id, kind=kind, due_at=due, status="pending")
            )
        await self.session.flush()

    async def _cancel_reminders(self, booking_id: int) -> None:
        await self.session.execute(
            update(ReminderRow)
            .where(ReminderRow.booking_id == booking_id, ReminderRow.status == "pending")
            .values(status="cancelled")
        )

    async def due_reminders(self, now: datetime, limit: int = 100) -> list[ReminderRow]:
        rows = await self.session.scalars(
            select(ReminderRow)
            .where(ReminderRow.status == "pending", ReminderRow.due_at <= now)
            .order_by(ReminderRow.due_at)
            .limit(limit)
        )
        return list(rows)

    async def postpone_reminder(self, reminder_id: int, due_at: datetime) -> None:
        await self.session.execute(
            update(ReminderRow)
            .where(ReminderRow.id == reminder_id, ReminderRow.status == "pending")
            .values(due_at=due_at)
        )

    async def drop_reminder(self, reminder_id: int, status: str) -> None:
        """Not sent, for good: "skipped" (quiet hours ran into the next one) or "failed"."""
        await self.session.execute(
            update(ReminderRow)
            .where(ReminderRow.id == reminder_id, ReminderRow.status == "pending")
            .values(status=status)
        )

    async def release_reminder(self, reminder_id: int) -> None:
        """A send failed for a passing reason: try again at the next run."""
        await self.session.execute(
            update(ReminderRow)
            .where(ReminderRow.id == reminder_id, ReminderRow.status == "sent")
            .values(status="pending", sent_at=None)
        )

    async def mark_sent(self, reminder_id: int, now: datetime) -> bool:
        """True once per reminder, however often a job retries it."""
        result = await self.session.execute(
            update(ReminderRow)
            .where(ReminderRow.id == reminder_id, ReminderRow.status == "pending")
            .values(status="sent", sent_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
