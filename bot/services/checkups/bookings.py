"""Checkup bookings: the rules for seats, waitlist offers and reminders. No Telegram here.

Capacity is enforced by the database: a seat is taken by one conditional UPDATE
(`booked < capacity`) and a CHECK constraint backs it, so concurrent confirms can never
overbook. `booked` counts bookings and seats held for a waitlist offer. Every change of a
status is conditional on the status expected (see bot/db/checkups/repository.py), so a
scheduled job and a driver's own update never both win. Every rule is enforced here, whoever
calls: one active booking per service, only open slots, a waitlist only for a full slot, and
only one's own bookings and offers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.checkups.models import BookingRow, SlotRow
from bot.db.checkups.repository import BookingRepository
from bot.db.checkups.statuses import SETTLED, BookingStatus, ReminderKind, WaitlistStatus
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
        self.repo = BookingRepository(session)

    # --- slots -----------------------------------------------------------------------------
    async def generate_slots(self, templates: list[SlotTemplate], today: date) -> int:
        """Create the slots each template makes bookable from `today` on, except on days the
        provider is closed; existing ones stay as they are (their bookings too)."""
        closed = await self.repo.closed_days(today)
        added = 0
        for template in templates:
            for offset in range(template.days_ahead):
                day = today + timedelta(days=offset)
                if (template.provider_id, day) in closed:
                    continue
                for start in template.slot_starts(day, self.tz):
                    end = start + timedelta(minutes=template.slot_minutes)
                    added += await self.repo.add_slot(
                        template.provider_id, template.service_id, start, end, template.capacity
                    )
        return added

    async def _open_slot(self, slot_id: int, now: datetime) -> SlotRow:
        slot = await self.repo.slot(slot_id)
        if slot is None:
            raise BookingError(BookingErrorCode.SLOT_UNKNOWN)
        if slot.closed or slot.starts_at <= now:
            raise BookingError(BookingErrorCode.SLOT_CLOSED)
        return slot

    # --- booking ---------------------------------------------------------------------------
    async def book(
        self, user_id: int, slot_id: int, now: datetime, request_key: str | None = None
    ) -> BookingRow:
        """A booking for the slot; the same `request_key` again returns the same booking.

        Losing a race (the same confirm twice at once, or a second booking for this service)
        is found without an error (the insert does nothing) and gives back only the seat it
        took: the update's other changes stay, and nothing is rolled back.
        """
        if request_key is not None:
            done = await self.repo.by_request_key(request_key)
            if done is not None:
                return done
        slot = await self.repo.slot(slot_id)
        if slot is None:
            raise BookingError(BookingErrorCode.SLOT_UNKNOWN)
        service_id, starts_at = slot.service_id, slot.starts_at
        existing = await self._active(user_id, service_id, now)
        if existing is not None:
            if request_key is not None and existing.request_key == request_key:
                return existing  # this very request, finished meanwhile by a retry
            raise BookingError(BookingErrorCode.ALREADY_BOOKED, existing)
        if not await self.repo.take_seat(slot_id, now):
            raise BookingError(BookingErrorCode.FULL)
        booking = await self.repo.insert_booking(
            await self._fresh_code(), user_id, slot_id, service_id, now, request_key
        )
        if booking is None:  # lost a race: only this booking's own seat goes back
            await self.repo.free_seat(slot_id)
            existing = await self._active(user_id, service_id, now)
            if existing is not None and request_key and existing.request_key == request_key:
                return existing
            raise BookingError(BookingErrorCode.ALREADY_BOOKED, existing)
        await self._schedule_reminders(booking.id, starts_at, now)
        return booking

    async def _fresh_code(self) -> str:
        """A code no booking has yet: 31^6 codes make a clash rare, not impossible, and a
        clash would fail the whole confirm."""
        while True:
            code = new_code()
            if not await self.repo.code_taken(code):
                return code

    async def _active(self, user_id: int, service_id: str, now: datetime) -> BookingRow | None:
        """The driver's active booking for the service. One whose slot has ended and that
        nobody checked in is settled as "lapsed" first, so it blocks no new booking."""
        await self.repo.settle_lapsed(user_id, service_id, now)
        return await self.repo.active(user_id, service_id)

    async def _owned(self, user_id: int, code: str) -> tuple[BookingRow, SlotRow]:
        booking = await self.repo.by_code(code)
        # Someone else's code looks exactly like an unknown one: nothing leaks.
        if booking is None or booking.user_id != user_id:
            raise BookingError(BookingErrorCode.BOOKING_UNKNOWN)
        if booking.status != BookingStatus.ACTIVE:
            raise BookingError(BookingErrorCode.NOT_ACTIVE, booking)
        slot = await self.repo.slot(booking.slot_id)
        assert slot is not None
        return booking, slot

    async def cancel(self, user_id: int, code: str, now: datetime) -> Offer | None:
        """Cancel; the freed seat goes to the first on the waitlist (returned, to notify)."""
        booking, slot = await self._owned(user_id, code)
        if slot.starts_at - now < CANCEL_CUTOFF:
            raise BookingError(BookingErrorCode.TOO_LATE, booking)
        if not await self.repo.set_status(
            booking.id, (BookingStatus.ACTIVE,), status=BookingStatus.CANCELLED, cancelled_at=now
        ):
            raise BookingError(BookingErrorCode.NOT_ACTIVE, booking)
        await self.repo.cancel_reminders(booking.id)
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
        new_slot = await self.repo.slot(new_slot_id)
        if new_slot is None or new_slot.service_id != booking.service_id:
            raise BookingError(BookingErrorCode.SLOT_UNKNOWN)
        if new_slot.id == old_slot.id:
            raise BookingError(BookingErrorCode.SAME_SLOT, booking)
        starts_at, booking_id, old_slot_id = new_slot.starts_at, booking.id, old_slot.id
        if not await self.repo.take_seat(new_slot_id, now):
            raise BookingError(BookingErrorCode.FULL, booking)
        if not await self.repo.move(booking_id, old_slot_id, new_slot_id):
            await self.repo.free_seat(new_slot_id)
            raise BookingError(BookingErrorCode.NOT_ACTIVE, booking)
        await self._reschedule_reminders(booking_id, starts_at, now)
        await self.session.refresh(booking)
        return booking, await self._hand_on_seat(old_slot_id, now)

    # --- staff ------------------------------------------------------------------------------
    async def check_in(self, code: str, attended: bool, now: datetime) -> BookingRow:
        """Mark a booking attended or a no-show (a mistake can be corrected the same way)."""
        booking = await self.repo.by_code(code)
        if booking is None:
            raise BookingError(BookingErrorCode.BOOKING_UNKNOWN)
        slot = await self.repo.slot(booking.slot_id)
        assert slot is not None
        if booking.status in SETTLED and (
            now.astimezone(self.tz).date() < slot.starts_at.astimezone(self.tz).date()
        ):
            raise BookingError(BookingErrorCode.NOT_YET, booking)
        status = BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW
        if not await self.repo.set_status(booking.id, SETTLED, status=status):
            raise BookingError(BookingErrorCode.NOT_ACTIVE, booking)
        await self.repo.cancel_reminders(booking.id)
        await self.session.refresh(booking)
        return booking

    async def close_day(
        self, provider_id: str, day: date, now: datetime, reason: str = ""
    ) -> list[int]:
        """The provider is closed on the local day: its slots close, their bookings are
        cancelled with a notice owed to each driver (ids returned), waitlists end, and slots
        not generated yet never open. Closing an already closed day changes nothing."""
        await self.repo.add_closure(provider_id, day, reason, now)
        start = datetime.combine(day, time(0), self.tz)
        # Closing first locks the slots: a waitlist offer accepted at this moment either
        # finishes before (and its booking is cancelled below) or finds the slot closed.
        slot_ids = await self.repo.close_day(provider_id, start, start + timedelta(days=1))
        closed = []
        for booking_id in await self.repo.active_in_slots(slot_ids):
            if await self.repo.set_status(
                booking_id, (BookingStatus.ACTIVE,), status=BookingStatus.CLOSED,
                cancelled_at=now, note=reason, notified_at=None,
            ):  # fmt: skip
                await self.repo.cancel_reminders(booking_id)
                closed.append(booking_id)
        await self.repo.close_places(slot_ids)
        return closed

    # --- waitlist ----------------------------------------------------------------------------
    async def join_waitlist(self, user_id: int, slot_id: int, now: datetime) -> bool:
        """True when added (again, after a declined or lapsed offer); False when waiting.
        Only an open, full slot has a waitlist, and only for a driver without a booking of
        its service: a seat that is free is booked, not waited for."""
        slot = await self._open_slot(slot_id, now)
        if slot.booked < slot.capacity:
            raise BookingError(BookingErrorCode.NOT_FULL)
        existing = await self._active(user_id, slot.service_id, now)
        if existing is not None:
            raise BookingError(BookingErrorCode.ALREADY_BOOKED, existing)
        return await self.repo.join(slot_id, user_id, now)

    async def _hand_on_seat(self, slot_id: int, now: datetime) -> Offer | None:
        """A freed seat is held for the next waiting driver, or goes back on sale. Too close
        to the start (or on a closed day) the waitlist ends instead."""
        slot = await self.repo.slot(slot_id)
        assert slot is not None
        if slot.closed or slot.starts_at - now < OFFER_MIN_LEAD:
            await self.repo.free_seat(slot_id)
            await self.repo.end_waiting(slot_id)
            return None
        expires = min(now + OFFER_TTL, slot.starts_at - OFFER_MIN_LEAD / 3)
        while True:
            nxt = await self.repo.first_waiting(slot_id)
            if nxt is None:
                await self.repo.free_seat(slot_id)
                return None
            user_id = await self.repo.offer(nxt, expires)
            if user_id is not None:
                return Offer(nxt, user_id, slot_id, expires)

    async def accept_offer(
        self, user_id: int, waitlist_id: int, now: datetime, request_key: str | None = None
    ) -> BookingRow:
        entry = await self.repo.place(waitlist_id)
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
        slot = await self.repo.slot(slot_id)
        assert slot is not None
        service_id, starts_at = slot.service_id, slot.starts_at
        if await self._active(user_id, service_id, now) is not None:
            raise BookingError(BookingErrorCode.ALREADY_BOOKED)
        if not await self.repo.hold_open_slot(slot_id, now):
            raise BookingError(BookingErrorCode.OFFER_GONE)
        if not await self.repo.take_offer(waitlist_id, now):
            raise BookingError(BookingErrorCode.OFFER_GONE)  # expired or declined meanwhile
        # The seat is already held for this offer: the booking takes it over, no new seat.
        booking = await self.repo.insert_booking(
            await self._fresh_code(), user_id, slot_id, service_id, now, request_key
        )
        if booking is None:  # booked this service elsewhere a moment ago: the offer stays open
            await self.repo.set_place_status(
                waitlist_id, WaitlistStatus.BOOKED, WaitlistStatus.OFFERED
            )
            raise BookingError(BookingErrorCode.ALREADY_BOOKED)
        await self._schedule_reminders(booking.id, starts_at, now)
        return booking

    async def decline_offer(self, user_id: int, waitlist_id: int, now: datetime) -> Offer | None:
        """The driver does not want the seat: it goes to the next one waiting."""
        entry = await self.repo.place(waitlist_id)
        if entry is None or entry.user_id != user_id:
            raise BookingError(BookingErrorCode.OFFER_UNKNOWN)
        slot_id = entry.slot_id
        if not await self.repo.set_place_status(
            waitlist_id, WaitlistStatus.OFFERED, WaitlistStatus.DECLINED
        ):
            raise BookingError(BookingErrorCode.OFFER_GONE)
        return await self._hand_on_seat(slot_id, now)

    async def skip_offer(self, waitlist_id: int, now: datetime) -> Offer | None:
        """The driver cannot be told (blocked the bot, or Telegram refuses the chat for good):
        the seat goes to the next one waiting at once instead of being held for nobody."""
        entry = await self.repo.place(waitlist_id)
        if entry is None:
            return None
        slot_id = entry.slot_id
        if not await self.repo.set_place_status(
            waitlist_id, WaitlistStatus.OFFERED, WaitlistStatus.SKIPPED
        ):
            return None  # answered, expired or closed meanwhile
        return await self._hand_on_seat(slot_id, now)

    async def expire_offers(self, now: datetime) -> list[Offer]:
        """Lapsed offers pass their seat on to the next waiting driver; returns new offers."""
        offers = []
        for entry_id, slot_id in await self.repo.lapsed_offers(now):
            if await self.repo.set_place_status(
                entry_id, WaitlistStatus.OFFERED, WaitlistStatus.EXPIRED
            ):
                offer = await self._hand_on_seat(slot_id, now)
                if offer is not None:
                    offers.append(offer)
        return offers

    # --- reminders ---------------------------------------------------------------------------
    async def _schedule_reminders(
        self, booking_id: int, starts_at: datetime, now: datetime
    ) -> None:
        for kind, due in reminder_times(starts_at, now, self.tz).items():
            self.repo.add_reminder(booking_id, kind, due)
        await self.repo.flush()

    async def _reschedule_reminders(
        self, booking_id: int, starts_at: datetime, now: datetime
    ) -> None:
        """A moved booking's reminders follow it: one row per kind, due again for the new
        time (also one already sent for the old time); kinds now in the past are cancelled."""
        await self.repo.cancel_reminders(booking_id)
        for kind, due in reminder_times(starts_at, now, self.tz).items():
            if not await self.repo.rearm_reminder(booking_id, kind, due):
                self.repo.add_reminder(booking_id, kind, due)
        await self.repo.flush()

    # --- a driver leaving --------------------------------------------------------------------
    async def withdraw(self, user_id: int, now: datetime) -> list[Offer]:
        """/deleteme: every waitlist place is given up and every upcoming booking cancelled
        (however close its start: the driver will not come); freed seats go to the next
        drivers waiting (returned, to notify; the minute job sends what is not). Places
        first, so no seat freed here is offered to the driver who is leaving."""
        offers: list[Offer] = []
        for entry_id, slot_id, status in await self.repo.open_places_of(user_id):
            given_up = await self.repo.set_place_status(entry_id, status, WaitlistStatus.DECLINED)
            if given_up and status == WaitlistStatus.OFFERED:  # its held seat passes on
                offer = await self._hand_on_seat(slot_id, now)
                offers += [offer] if offer else []
        for booking_id, slot_id in await self.repo.upcoming_of(user_id, now):
            if await self.repo.set_status(
                booking_id, (BookingStatus.ACTIVE,), status=BookingStatus.CANCELLED,
                cancelled_at=now,
            ):  # fmt: skip
                await self.repo.cancel_reminders(booking_id)
                offer = await self._hand_on_seat(slot_id, now)
                offers += [offer] if offer else []
        return offers
