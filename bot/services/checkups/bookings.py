"""Checkup bookings: seats, waitlist offers, reminders. No Telegram here.

Capacity is enforced by the database: a seat is taken by one conditional UPDATE
(`booked < capacity`) and a CHECK constraint backs it, so concurrent confirms can never
overbook. `booked` counts bookings and seats held for a waitlist offer.

Every change of a booking's or a waitlist entry's status is a conditional UPDATE on the status
it expects (`WHERE status = 'offered'`...): the scheduled jobs run beside the drivers' own
updates, and whichever comes second finds nothing to change instead of doubling an effect.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.db.checkups.models import BookingRow, ClosureRow, ReminderRow, SlotRow, WaitlistRow
from bot.db.checkups.statuses import (
    OPEN_PLACES,
    REJOINABLE,
    SETTLED,
    BookingStatus,
    ReminderKind,
    ReminderStatus,
    WaitlistStatus,
)
from bot.db.upsert import insert_ignore, rows_changed
from knowledge.checkups.catalog import SlotTemplate

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read out over the phone
CODE_LENGTH = 6
CANCEL_CUTOFF = timedelta(hours=2)
OFFER_TTL = timedelta(minutes=30)
# A seat freed later than this before the start goes back on sale instead of to the waitlist:
# nobody can be told, answer and drive there in less.
OFFER_MIN_LEAD = timedelta(minutes=45)
EVENING_REMINDER = time(18, 0)
SOON_REMINDER = timedelta(hours=2)


class BookingErrorCode(StrEnum):
    SLOT_UNKNOWN = "slot_unknown"  # no such slot, or not one this request may use
    SLOT_CLOSED = "slot_closed"  # past, or its day closed
    FULL = "full"
    NOT_FULL = "not_full"  # a waitlist for a slot with a free seat: book it instead
    ALREADY_BOOKED = "already_booked"  # one active booking per service
    SAME_SLOT = "same_slot"
    TOO_LATE = "too_late"  # within the cancel cutoff
    BOOKING_UNKNOWN = "booking_unknown"  # also someone else's code: nothing leaks
    NOT_ACTIVE = "not_active"
    NOT_YET = "not_yet"  # a check-in before the booking's day
    OFFER_UNKNOWN = "offer_unknown"
    OFFER_GONE = "offer_gone"
    OFFER_EXPIRED = "offer_expired"


class BookingError(ValueError):
    """A rule a request broke; `code` picks the message to show."""

    def __init__(self, code: BookingErrorCode, booking: BookingRow | None = None) -> None:
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


def reminder_times(
    starts_at: datetime, now: datetime, tz: ZoneInfo
) -> dict[ReminderKind, datetime]:
    """The evening before at 18:00 local time, and two hours before; only those still ahead."""
    local_day = starts_at.astimezone(tz).date()
    evening = datetime.combine(local_day - timedelta(days=1), EVENING_REMINDER, tz)
    times = {ReminderKind.EVENING: evening, ReminderKind.SOON: starts_at - SOON_REMINDER}
    return {kind: at for kind, at in times.items() if at > now}


class BookingService:
    def __init__(self, session: AsyncSession, tz: ZoneInfo) -> None:
        self.session, self.tz = session, tz

    # --- slots -----------------------------------------------------------------------------
    async def generate_slots(self, templates: list[SlotTemplate], today: date) -> int:
        """Create the slots each template makes bookable from `today` on, except on days the
        provider is closed; existing ones stay as they are (their bookings too)."""
        rows = await self.session.execute(
            select(ClosureRow.provider_id, ClosureRow.day).where(ClosureRow.day >= today)
        )
        closed = {(provider_id, day) for provider_id, day in rows}
        added = 0
        for template in templates:
            for offset in range(template.days_ahead):
                day = today + timedelta(days=offset)
                if (template.provider_id, day) in closed:
                    continue
                for start in template.slot_starts(day, self.tz):
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

    def _open(self, now: datetime) -> list[ColumnElement[bool]]:
        return [SlotRow.closed.is_(False), SlotRow.starts_at > now]

    async def _take_seat(self, slot_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(SlotRow)
            .where(SlotRow.id == slot_id, SlotRow.booked < SlotRow.capacity, *self._open(now))
            .values(booked=SlotRow.booked + 1)
        )
        return rows_changed(result)

    async def _hold_open_slot(self, slot_id: int, now: datetime) -> bool:
        """Lock the slot row if it is still open (a no-op UPDATE): a day being closed at the
        same moment waits for this transaction, or this one sees it closed."""
        result = await self.session.execute(
            update(SlotRow)
            .where(SlotRow.id == slot_id, *self._open(now))
            .values(booked=SlotRow.booked)
        )
        return rows_changed(result)

    async def _free_seat(self, slot_id: int) -> None:
        await self.session.execute(
            update(SlotRow).where(SlotRow.id == slot_id).values(booked=SlotRow.booked - 1)
        )

    async def _set_status(
        self, booking_id: int, expected: tuple[BookingStatus, ...], **values: object
    ) -> bool:
        result = await self.session.execute(
            update(BookingRow)
            .where(BookingRow.id == booking_id, BookingRow.status.in_(expected))
            .values(**values)
        )
        return rows_changed(result)

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
            raise BookingError(BookingErrorCode.SLOT_UNKNOWN)
        # Plain values: a rollback expires ORM objects (and async code cannot lazy-load).
        service_id, starts_at = slot.service_id, slot.starts_at
        existing = await self._active(user_id, service_id, now)
        if existing is not None:
            if request_key is not None and existing.request_key == request_key:
                return existing  # this very request, finished meanwhile by a retry
            raise BookingError(BookingErrorCode.ALREADY_BOOKED, existing)
        if not await self._take_seat(slot_id, now):
            raise BookingError(BookingErrorCode.FULL)
        booking = await self._new_booking(user_id, slot_id, service_id, now, request_key)
        try:
            await self.session.flush()
        except IntegrityError:
            await self.session.rollback()  # the seat taken above goes back too
            existing = await self._active(user_id, service_id, now)
            if existing is not None and request_key and existing.request_key == request_key:
                return existing
            raise BookingError(BookingErrorCode.ALREADY_BOOKED, existing) from None
        await self._schedule_reminders(booking, starts_at, now)
        return booking

    async def _new_booking(
        self,
        user_id: int,
        slot_id: int,
        service_id: str,
        now: datetime,
        request_key: str | None = None,
    ) -> BookingRow:
        """An active booking with an unused code, added to the session (not flushed)."""
        booking = BookingRow(
            code=await self._fresh_code(),
            user_id=user_id,
            slot_id=slot_id,
            service_id=service_id,
            status=BookingStatus.ACTIVE,
            request_key=request_key,
            created_at=now,
        )
        self.session.add(booking)
        return booking

    async def _fresh_code(self) -> str:
        """A code no booking has yet: 31^6 codes make a clash rare, not impossible, and a
        clash would fail the whole confirm."""
        while True:
            code = new_code()
            taken = await self.session.scalar(select(BookingRow.id).where(BookingRow.code == code))
            if taken is None:
                return code

    async def _active(self, user_id: int, service_id: str, now: datetime) -> BookingRow | None:
        """The driver's active booking for the service. One whose slot has ended and that
        nobody checked in is settled as "lapsed" first, so it blocks no new booking."""
        ended = select(SlotRow.id).where(SlotRow.ends_at <= now)
        await self.session.execute(
            update(BookingRow)
            .where(
                BookingRow.user_id == user_id,
                BookingRow.service_id == service_id,
                BookingRow.status == BookingStatus.ACTIVE,
                BookingRow.slot_id.in_(ended),
            )
            .values(status=BookingStatus.LAPSED)
        )
        return await self.session.scalar(
            select(BookingRow).where(
                BookingRow.user_id == user_id,
                BookingRow.service_id == service_id,
                BookingRow.status == BookingStatus.ACTIVE,
            )
        )

    async def _owned(self, user_id: int, code: str) -> tuple[BookingRow, SlotRow]:
        booking = await self.session.scalar(select(BookingRow).where(BookingRow.code == code))
        # Someone else's code looks exactly like an unknown one: nothing leaks.
        if booking is None or booking.user_id != user_id:
            raise BookingError(BookingErrorCode.BOOKING_UNKNOWN)
        if booking.status != BookingStatus.ACTIVE:
            raise BookingError(BookingErrorCode.NOT_ACTIVE, booking)
        slot = await self.session.get(SlotRow, booking.slot_id)
        assert slot is not None
        return booking, slot

    async def cancel(self, user_id: int, code: str, now: datetime) -> Offer | None:
        """Cancel; the freed seat goes to the first on the waitlist (returned, to notify)."""
        booking, slot = await self._owned(user_id, code)
        if slot.starts_at - now < CANCEL_CUTOFF:
            raise BookingError(BookingErrorCode.TOO_LATE, booking)
        if not await self._set_status(
            booking.id, (BookingStatus.ACTIVE,), status=BookingStatus.CANCELLED, cancelled_at=now
        ):
            raise BookingError(BookingErrorCode.NOT_ACTIVE, booking)
        await self._cancel_reminders(booking.id)
        return await self._hand_on_seat(slot.id, now)

    async def reschedule(
        self, user_id: int, code: str, new_slot_id: int, now: datetime
    ) -> tuple[BookingRow, Offer | None]:
        """Move to another slot of the same service; the booking keeps its code (the driver
        may have written it down or passed it on). The new seat is taken first: if it is
        gone, nothing changes and the driver keeps the old one."""
        booking, old_slot = await self._owned(user_id, code)
        if old_slot.starts_at - now < CANCEL_CUTOFF:
            raise BookingError(BookingErrorCode.TOO_LATE, booking)
        new_slot = await self.session.get(SlotRow, new_slot_id)
        if new_slot is None or new_slot.service_id != booking.service_id:
            raise BookingError(BookingErrorCode.SLOT_UNKNOWN)
        if new_slot.id == old_slot.id:
            raise BookingError(BookingErrorCode.SAME_SLOT, booking)
        starts_at, booking_id, old_slot_id = new_slot.starts_at, booking.id, old_slot.id
        if not await self._take_seat(new_slot_id, now):
            raise BookingError(BookingErrorCode.FULL, booking)
        moved = await self.session.execute(
            update(BookingRow)
            .where(
                BookingRow.id == booking_id,
                BookingRow.status == BookingStatus.ACTIVE,
                BookingRow.slot_id == old_slot_id,
            )
            .values(slot_id=new_slot_id)
        )
        if not rows_changed(moved):  # cancelled or moved meanwhile: nothing to move
            await self._free_seat(new_slot_id)
            raise BookingError(BookingErrorCode.NOT_ACTIVE, booking)
        await self._reschedule_reminders(booking_id, starts_at, now)
        await self.session.refresh(booking)
        return booking, await self._hand_on_seat(old_slot_id, now)

    # --- staff ------------------------------------------------------------------------------
    async def check_in(self, code: str, attended: bool, now: datetime) -> BookingRow:
        """Mark a booking attended or a no-show (a mistake can be corrected the same way)."""
        booking = await self.session.scalar(select(BookingRow).where(BookingRow.code == code))
        if booking is None:
            raise BookingError(BookingErrorCode.BOOKING_UNKNOWN)
        slot = await self.session.get(SlotRow, booking.slot_id)
        assert slot is not None
        if booking.status in SETTLED and (
            now.astimezone(self.tz).date() < slot.starts_at.astimezone(self.tz).date()
        ):
            raise BookingError(BookingErrorCode.NOT_YET, booking)
        status = BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW
        if not await self._set_status(booking.id, SETTLED, status=status):
            raise BookingError(BookingErrorCode.NOT_ACTIVE, booking)
        await self._cancel_reminders(booking.id)
        await self.session.refresh(booking)
        return booking

    async def close_day(
        self, provider_id: str, day: date, now: datetime, reason: str = ""
    ) -> list[int]:
        """The provider is closed on the local day: its slots close, their bookings are
        cancelled with a notice owed to each driver (ids returned), waitlists end, and slots
        not generated yet never open. Closing an already closed day changes nothing."""
        await insert_ignore(
            self.session,
            ClosureRow.__table__,  # type: ignore[arg-type]
            {"provider_id": provider_id, "day": day, "reason": reason, "created_at": now},
            ["provider_id", "day"],
        )
        start = datetime.combine(day, time(0), self.tz)
        in_day = and_(
            SlotRow.provider_id == provider_id,
            SlotRow.starts_at >= start,
            SlotRow.starts_at < start + timedelta(days=1),
        )
        # Closing first locks the slots: a waitlist offer accepted at this moment either
        # finishes before (and its booking is cancelled below) or finds the slot closed.
        await self.session.execute(update(SlotRow).where(in_day).values(closed=True))
        slot_ids = select(SlotRow.id).where(in_day)
        bookings = list(
            await self.session.scalars(
                select(BookingRow.id).where(
                    BookingRow.slot_id.in_(slot_ids), BookingRow.status == BookingStatus.ACTIVE
                )
            )
        )
        closed = []
        for booking_id in bookings:
            if await self._set_status(
                booking_id,
                (BookingStatus.ACTIVE,),
                status=BookingStatus.CLOSED,
                cancelled_at=now,
                note=reason,
                notified_at=None,
            ):
                await self._cancel_reminders(booking_id)
                closed.append(booking_id)
        await self.session.execute(
            update(WaitlistRow)
            .where(
                WaitlistRow.slot_id.in_(slot_ids),
                WaitlistRow.status.in_(OPEN_PLACES),
            )
            .values(status=WaitlistStatus.CLOSED)
        )
        return closed

    # --- waitlist ----------------------------------------------------------------------------
    async def join_waitlist(self, user_id: int, slot_id: int, now: datetime) -> bool:
        """True when added (again, after a declined or lapsed offer); False when waiting."""
        if await insert_ignore(
            self.session,
            WaitlistRow.__table__,  # type: ignore[arg-type]
            {
                "slot_id": slot_id,
                "user_id": user_id,
                "status": WaitlistStatus.WAITING,
                "created_at": now,
            },
            ["slot_id", "user_id"],
        ):
            return True
        result = await self.session.execute(
            update(WaitlistRow)
            .where(
                WaitlistRow.slot_id == slot_id,
                WaitlistRow.user_id == user_id,
                WaitlistRow.status.in_(REJOINABLE),
            )
            .values(
                status=WaitlistStatus.WAITING,
                created_at=now,
                offer_expires_at=None,
                notified_at=None,
            )
        )
        return rows_changed(result)

    async def _hand_on_seat(self, slot_id: int, now: datetime) -> Offer | None:
        """A freed seat is held for the next waiting driver, or goes back on sale. Too close
        to the start (or on a closed day) the waitlist ends instead."""
        slot = await self.session.get(SlotRow, slot_id)
        assert slot is not None
        if slot.closed or slot.starts_at - now < OFFER_MIN_LEAD:
            await self._free_seat(slot_id)
            await self.session.execute(
                update(WaitlistRow)
                .where(WaitlistRow.slot_id == slot_id, WaitlistRow.status == WaitlistStatus.WAITING)
                .values(status=WaitlistStatus.ENDED)
            )
            return None
        expires = min(now + OFFER_TTL, slot.starts_at - OFFER_MIN_LEAD / 3)
        while True:
            nxt = await self.session.scalar(
                select(WaitlistRow.id)
                .where(WaitlistRow.slot_id == slot_id, WaitlistRow.status == WaitlistStatus.WAITING)
                .order_by(WaitlistRow.created_at, WaitlistRow.id)
                .limit(1)
            )
            if nxt is None:
                await self._free_seat(slot_id)
                return None
            result = await self.session.execute(
                update(WaitlistRow)
                .where(WaitlistRow.id == nxt, WaitlistRow.status == WaitlistStatus.WAITING)
                .values(status=WaitlistStatus.OFFERED, offer_expires_at=expires, notified_at=None)
            )
            if rows_changed(result):
                user_id = await self.session.scalar(
                    select(WaitlistRow.user_id).where(WaitlistRow.id == nxt)
                )
                assert user_id is not None
                return Offer(nxt, user_id, slot_id, expires)

    async def accept_offer(
        self, user_id: int, waitlist_id: int, now: datetime, request_key: str | None = None
    ) -> BookingRow:
        entry = await self.session.get(WaitlistRow, waitlist_id)
        if entry is None or entry.user_id != user_id:
            raise BookingError(BookingErrorCode.OFFER_UNKNOWN)
        slot_id = entry.slot_id
        lapsed = entry.offer_expires_at is not None and entry.offer_expires_at <= now
        if entry.status == WaitlistStatus.EXPIRED or (
            entry.status == WaitlistStatus.OFFERED and lapsed
        ):
            raise BookingError(BookingErrorCode.OFFER_EXPIRED)
        if entry.status != WaitlistStatus.OFFERED:
            raise BookingError(BookingErrorCode.OFFER_GONE)
        slot = await self.session.get(SlotRow, slot_id)
        assert slot is not None
        service_id, starts_at = slot.service_id, slot.starts_at
        if await self._active(user_id, service_id, now) is not None:
            raise BookingError(BookingErrorCode.ALREADY_BOOKED)
        if not await self._hold_open_slot(slot_id, now):
            raise BookingError(BookingErrorCode.OFFER_GONE)
        taken = await self.session.execute(
            update(WaitlistRow)
            .where(
                WaitlistRow.id == waitlist_id,
                WaitlistRow.status == WaitlistStatus.OFFERED,
                WaitlistRow.offer_expires_at > now,
            )
            .values(status=WaitlistStatus.BOOKED)
        )
        if not rows_changed(taken):  # expired or declined by another process a moment ago
            raise BookingError(BookingErrorCode.OFFER_GONE)
        # The seat is already held for this offer: the booking takes it over, no new seat.
        booking = await self._new_booking(user_id, slot_id, service_id, now, request_key)
        await self.session.flush()
        await self._schedule_reminders(booking, starts_at, now)
        return booking

    async def decline_offer(self, user_id: int, waitlist_id: int, now: datetime) -> Offer | None:
        """The driver does not want the seat: it goes to the next one waiting."""
        entry = await self.session.get(WaitlistRow, waitlist_id)
        if entry is None or entry.user_id != user_id:
            raise BookingError(BookingErrorCode.OFFER_UNKNOWN)
        slot_id = entry.slot_id
        result = await self.session.execute(
            update(WaitlistRow)
            .where(WaitlistRow.id == waitlist_id, WaitlistRow.status == WaitlistStatus.OFFERED)
            .values(status=WaitlistStatus.DECLINED)
        )
        if not rows_changed(result):
            raise BookingError(BookingErrorCode.OFFER_GONE)
        return await self._hand_on_seat(slot_id, now)

    async def skip_offer(self, waitlist_id: int, now: datetime) -> Offer | None:
        """The driver cannot be told (blocked the bot, or Telegram refuses the chat for good):
        the seat goes to the next one waiting at once instead of being held for nobody."""
        entry = await self.session.get(WaitlistRow, waitlist_id)
        if entry is None:
            return None
        slot_id = entry.slot_id
        result = await self.session.execute(
            update(WaitlistRow)
            .where(WaitlistRow.id == waitlist_id, WaitlistRow.status == WaitlistStatus.OFFERED)
            .values(status=WaitlistStatus.SKIPPED)
        )
        if not rows_changed(result):  # answered, expired or closed meanwhile
            return None
        return await self._hand_on_seat(slot_id, now)

    async def expire_offers(self, now: datetime) -> list[Offer]:
        """Lapsed offers pass their seat on to the next waiting driver; returns new offers."""
        lapsed = await self.session.execute(
            select(WaitlistRow.id, WaitlistRow.slot_id).where(
                WaitlistRow.status == WaitlistStatus.OFFERED, WaitlistRow.offer_expires_at <= now
            )
        )
        offers = []
        for entry_id, slot_id in list(lapsed):
            result = await self.session.execute(
                update(WaitlistRow)
                .where(WaitlistRow.id == entry_id, WaitlistRow.status == WaitlistStatus.OFFERED)
                .values(status=WaitlistStatus.EXPIRED)
            )
            if rows_changed(result):
                offer = await self._hand_on_seat(slot_id, now)
                if offer is not None:
                    offers.append(offer)
        return offers

    # --- reminders ---------------------------------------------------------------------------
    async def _schedule_reminders(
        self, booking: BookingRow, starts_at: datetime, now: datetime
    ) -> None:
        for kind, due in reminder_times(starts_at, now, self.tz).items():
            self.session.add(
                ReminderRow(
                    booking_id=booking.id, kind=kind, due_at=due, status=ReminderStatus.PENDING
                )
            )
        await self.session.flush()

    async def _reschedule_reminders(
        self, booking_id: int, starts_at: datetime, now: datetime
    ) -> None:
        """A moved booking's reminders follow it: one row per kind, due again for the new
        time (also one already sent for the old time); kinds now in the past are cancelled."""
        await self._cancel_reminders(booking_id)
        for kind, due in reminder_times(starts_at, now, self.tz).items():
            result = await self.session.execute(
                update(ReminderRow)
                .where(ReminderRow.booking_id == booking_id, ReminderRow.kind == kind)
                .values(due_at=due, status=ReminderStatus.PENDING, sent_at=None)
            )
            if not rows_changed(result):
                self.session.add(
                    ReminderRow(
                        booking_id=booking_id, kind=kind, due_at=due, status=ReminderStatus.PENDING
                    )
                )
        await self.session.flush()

    async def _cancel_reminders(self, booking_id: int) -> None:
        await self.session.execute(
            update(ReminderRow)
            .where(
                ReminderRow.booking_id == booking_id, ReminderRow.status == ReminderStatus.PENDING
            )
            .values(status=ReminderStatus.CANCELLED)
        )

    # --- a driver leaving --------------------------------------------------------------------
    async def withdraw(self, user_id: int, now: datetime) -> list[Offer]:
        """/deleteme: every waitlist place is given up and every upcoming booking cancelled
        (however close its start: the driver will not come); freed seats go to the next
        drivers waiting (returned, to notify; the minute job sends what is not). Places
        first, so no seat freed here is offered to the driver who is leaving."""
        offers: list[Offer] = []
        entries = await self.session.execute(
            select(WaitlistRow.id, WaitlistRow.slot_id, WaitlistRow.status).where(
                WaitlistRow.user_id == user_id,
                WaitlistRow.status.in_(OPEN_PLACES),
            )
        )
        for entry_id, slot_id, status in list(entries):
            result = await self.session.execute(
                update(WaitlistRow)
                .where(WaitlistRow.id == entry_id, WaitlistRow.status == status)
                .values(status=WaitlistStatus.DECLINED)
            )
            if rows_changed(result) and status == WaitlistStatus.OFFERED:  # its held seat passes on
                offer = await self._hand_on_seat(slot_id, now)
                offers += [offer] if offer else []
        bookings = await self.session.execute(
            select(BookingRow.id, BookingRow.slot_id)
            .join(SlotRow, SlotRow.id == BookingRow.slot_id)
            .where(BookingRow.user_id == user_id, BookingRow.status == BookingStatus.ACTIVE,
                   SlotRow.ends_at > now)
        )  # fmt: skip
        for booking_id, slot_id in list(bookings):
            if await self._set_status(
                booking_id,
                (BookingStatus.ACTIVE,),
                status=BookingStatus.CANCELLED,
                cancelled_at=now,
            ):
                await self._cancel_reminders(booking_id)
                offer = await self._hand_on_seat(slot_id, now)
                offers += [offer] if offer else []
        return offers
