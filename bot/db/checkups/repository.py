"""Checkup bookings' SQL: slots and their seats, bookings, waitlist places, reminders, closed
days. Repositories add, update and flush; whoever opened the transaction commits.

Every change of a status is a conditional UPDATE on the status it expects and returns whether
it changed a row: the scheduled jobs run beside the drivers' own updates, and whichever comes
second finds nothing to change instead of doubling an effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, and_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.db.checkups.models import (
    BookingRow,
    CheckupProviderRow,
    CheckupServiceRow,
    ClosureRow,
    ReminderRow,
    SlotRow,
    WaitlistRow,
)
from bot.db.checkups.statuses import (
    OPEN_PLACES,
    REJOINABLE,
    BookingStatus,
    ReminderKind,
    ReminderStatus,
    WaitlistStatus,
)
from bot.db.upsert import insert_ignore, rows_changed


def _open(now: datetime) -> list[ColumnElement[bool]]:
    return [SlotRow.closed.is_(False), SlotRow.starts_at > now]


class BookingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- slots -----------------------------------------------------------------------------
    async def slot(self, slot_id: int) -> SlotRow | None:
        return await self.session.get(SlotRow, slot_id)

    async def closed_days(self, since: date) -> set[tuple[str, date]]:
        rows = await self.session.execute(
            select(ClosureRow.provider_id, ClosureRow.day).where(ClosureRow.day >= since)
        )
        return {(provider_id, day) for provider_id, day in rows}

    async def add_slot(
        self,
        provider_id: str,
        service_id: str,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int,
    ) -> bool:
        """True when added; a slot already there stays as it is (its bookings too)."""
        return await insert_ignore(
            self.session,
            SlotRow.__table__,  # type: ignore[arg-type]
            {
                "provider_id": provider_id,
                "service_id": service_id,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "capacity": capacity,
                "booked": 0,
                "closed": False,
            },
            ["provider_id", "service_id", "starts_at"],
        )

    async def take_seat(self, slot_id: int, now: datetime) -> bool:
        """One seat of an open slot, if any is left: the database decides, not a read."""
        result = await self.session.execute(
            update(SlotRow)
            .where(SlotRow.id == slot_id, SlotRow.booked < SlotRow.capacity, *_open(now))
            .values(booked=SlotRow.booked + 1)
        )
        return rows_changed(result)

    async def hold_open_slot(self, slot_id: int, now: datetime) -> bool:
        """Lock the slot row if it is still open (a no-op UPDATE): a day being closed at the
        same moment waits for this transaction, or this one sees it closed."""
        result = await self.session.execute(
            update(SlotRow).where(SlotRow.id == slot_id, *_open(now)).values(booked=SlotRow.booked)
        )
        return rows_changed(result)

    async def free_seat(self, slot_id: int) -> None:
        await self.session.execute(
            update(SlotRow).where(SlotRow.id == slot_id).values(booked=SlotRow.booked - 1)
        )

    async def close_day(self, provider_id: str, start: datetime, end: datetime) -> list[int]:
        """Close the provider's slots starting in [start, end); their ids. Closing locks them:
        a waitlist offer accepted at this moment finishes first or finds the slot closed."""
        in_day = and_(
            SlotRow.provider_id == provider_id, SlotRow.starts_at >= start, SlotRow.starts_at < end
        )
        await self.session.execute(update(SlotRow).where(in_day).values(closed=True))
        return list(await self.session.scalars(select(SlotRow.id).where(in_day)))

    async def add_closure(self, provider_id: str, day: date, reason: str, now: datetime) -> None:
        await insert_ignore(
            self.session,
            ClosureRow.__table__,  # type: ignore[arg-type]
            {"provider_id": provider_id, "day": day, "reason": reason, "created_at": now},
            ["provider_id", "day"],
        )

    # --- bookings ----------------------------------------------------------------------------
    async def by_request_key(self, request_key: str) -> BookingRow | None:
        return await self.session.scalar(
            select(BookingRow).where(BookingRow.request_key == request_key)
        )

    async def by_code(self, code: str) -> BookingRow | None:
        return await self.session.scalar(select(BookingRow).where(BookingRow.code == code))

    async def code_taken(self, code: str) -> bool:
        return (
            await self.session.scalar(select(BookingRow.id).where(BookingRow.code == code))
            is not None
        )

    async def insert_booking(
        self,
        code: str,
        user_id: int,
        slot_id: int,
        service_id: str,
        now: datetime,
        request_key: str | None,
    ) -> BookingRow | None:
        """An active booking, in one statement; None when a unique key refused it (another
        active booking of this service for the driver, the same request key, the same code):
        the race is lost without an error, so nothing else of the transaction is undone."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(BookingRow)
            .values(
                code=code, user_id=user_id, slot_id=slot_id, service_id=service_id,
                status=BookingStatus.ACTIVE, request_key=request_key, created_at=now, note="",
            )
            .on_conflict_do_nothing()
            .returning(BookingRow)
        )  # fmt: skip
        return await self.session.scalar(statement)

    async def settle_lapsed(self, user_id: int, service_id: str, now: datetime) -> None:
        """The driver's active bookings of the service whose slot has ended become "lapsed"."""
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

    async def active(self, user_id: int, service_id: str) -> BookingRow | None:
        return await self.session.scalar(
            select(BookingRow).where(
                BookingRow.user_id == user_id,
                BookingRow.service_id == service_id,
                BookingRow.status == BookingStatus.ACTIVE,
            )
        )

    async def set_status(
        self, booking_id: int, expected: Sequence[BookingStatus], **values: Any
    ) -> bool:
        result = await self.session.execute(
            update(BookingRow)
            .where(BookingRow.id == booking_id, BookingRow.status.in_(expected))
            .values(**values)
        )
        return rows_changed(result)

    async def move(self, booking_id: int, old_slot_id: int, new_slot_id: int) -> bool:
        """False when the booking was cancelled or moved meanwhile: nothing to move."""
        result = await self.session.execute(
            update(BookingRow)
            .where(
                BookingRow.id == booking_id,
                BookingRow.status == BookingStatus.ACTIVE,
                BookingRow.slot_id == old_slot_id,
            )
            .values(slot_id=new_slot_id)
        )
        return rows_changed(result)

    async def active_in_slots(self, slot_ids: list[int]) -> list[int]:
        if not slot_ids:
            return []
        return list(
            await self.session.scalars(
                select(BookingRow.id).where(
                    BookingRow.slot_id.in_(slot_ids), BookingRow.status == BookingStatus.ACTIVE
                )
            )
        )

    async def upcoming_of(self, user_id: int, now: datetime) -> list[tuple[int, int]]:
        """(booking id, slot id) of the driver's active bookings whose slot has not ended."""
        rows = await self.session.execute(
            select(BookingRow.id, BookingRow.slot_id)
            .join(SlotRow, SlotRow.id == BookingRow.slot_id)
            .where(
                BookingRow.user_id == user_id,
                BookingRow.status == BookingStatus.ACTIVE,
                SlotRow.ends_at > now,
            )
        )
        return [(booking_id, slot_id) for booking_id, slot_id in rows]

    # --- waitlist places ---------------------------------------------------------------------
    async def place(self, waitlist_id: int) -> WaitlistRow | None:
        return await self.session.get(WaitlistRow, waitlist_id)

    async def join(self, slot_id: int, user_id: int, now: datetime) -> bool:
        """A place at the end of the slot's waitlist: added, or back after one that ended
        (declined, expired...); False when the driver is already waiting or offered."""
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
                status=WaitlistStatus.WAITING, created_at=now, offer_expires_at=None,
                notified_at=None,
            )
        )  # fmt: skip
        return rows_changed(result)

    async def set_place_status(
        self, waitlist_id: int, expected: WaitlistStatus, status: WaitlistStatus
    ) -> bool:
        result = await self.session.execute(
            update(WaitlistRow)
            .where(WaitlistRow.id == waitlist_id, WaitlistRow.status == expected)
            .values(status=status)
        )
        return rows_changed(result)

    async def take_offer(self, waitlist_id: int, now: datetime) -> bool:
        """The offer becomes a booking: only while it is open and not past its time."""
        result = await self.session.execute(
            update(WaitlistRow)
            .where(
                WaitlistRow.id == waitlist_id,
                WaitlistRow.status == WaitlistStatus.OFFERED,
                WaitlistRow.offer_expires_at > now,
            )
            .values(status=WaitlistStatus.BOOKED)
        )
        return rows_changed(result)

    async def end_waiting(self, slot_id: int) -> None:
        await self.session.execute(
            update(WaitlistRow)
            .where(WaitlistRow.slot_id == slot_id, WaitlistRow.status == WaitlistStatus.WAITING)
            .values(status=WaitlistStatus.ENDED)
        )

    async def close_places(self, slot_ids: list[int]) -> None:
        if slot_ids:
            await self.session.execute(
                update(WaitlistRow)
                .where(WaitlistRow.slot_id.in_(slot_ids), WaitlistRow.status.in_(OPEN_PLACES))
                .values(status=WaitlistStatus.CLOSED)
            )

    async def first_waiting(self, slot_id: int) -> int | None:
        return await self.session.scalar(
            select(WaitlistRow.id)
            .where(WaitlistRow.slot_id == slot_id, WaitlistRow.status == WaitlistStatus.WAITING)
            .order_by(WaitlistRow.created_at, WaitlistRow.id)
            .limit(1)
        )

    async def offer(self, waitlist_id: int, expires_at: datetime) -> int | None:
        """Offer the held seat to a waiting place; its driver's user id, or None when the
        place stopped waiting meanwhile."""
        result = await self.session.execute(
            update(WaitlistRow)
            .where(WaitlistRow.id == waitlist_id, WaitlistRow.status == WaitlistStatus.WAITING)
            .values(status=WaitlistStatus.OFFERED, offer_expires_at=expires_at, notified_at=None)
        )
        if not rows_changed(result):
            return None
        return await self.session.scalar(
            select(WaitlistRow.user_id).where(WaitlistRow.id == waitlist_id)
        )

    async def lapsed_offers(self, now: datetime) -> list[tuple[int, int]]:
        """(place id, slot id) of offers not answered in time."""
        rows = await self.session.execute(
            select(WaitlistRow.id, WaitlistRow.slot_id).where(
                WaitlistRow.status == WaitlistStatus.OFFERED, WaitlistRow.offer_expires_at <= now
            )
        )
        return [(place_id, slot_id) for place_id, slot_id in rows]

    async def open_places_of(self, user_id: int) -> list[tuple[int, int, WaitlistStatus]]:
        """(place id, slot id, status) of the driver's places still waiting or offered."""
        rows = await self.session.execute(
            select(WaitlistRow.id, WaitlistRow.slot_id, WaitlistRow.status).where(
                WaitlistRow.user_id == user_id, WaitlistRow.status.in_(OPEN_PLACES)
            )
        )
        return [(place_id, slot_id, WaitlistStatus(status)) for place_id, slot_id, status in rows]

    # --- reminders ---------------------------------------------------------------------------
    def add_reminder(self, booking_id: int, kind: ReminderKind, due_at: datetime) -> None:
        self.session.add(
            ReminderRow(
                booking_id=booking_id, kind=kind, due_at=due_at, status=ReminderStatus.PENDING
            )
        )

    async def rearm_reminder(self, booking_id: int, kind: ReminderKind, due_at: datetime) -> bool:
        """The booking's reminder of this kind due again (also one already sent); False when
        it has none of this kind yet."""
        result = await self.session.execute(
            update(ReminderRow)
            .where(ReminderRow.booking_id == booking_id, ReminderRow.kind == kind)
            .values(due_at=due_at, status=ReminderStatus.PENDING, sent_at=None)
        )
        return rows_changed(result)

    async def cancel_reminders(self, booking_id: int) -> None:
        await self.session.execute(
            update(ReminderRow)
            .where(
                ReminderRow.booking_id == booking_id,
                ReminderRow.status == ReminderStatus.PENDING,
            )
            .values(status=ReminderStatus.CANCELLED)
        )

    async def flush(self) -> None:
        await self.session.flush()

    # --- a driver's data (/mydata) -------------------------------------------------------------
    async def bookings_of(
        self, user_id: int
    ) -> Sequence[Row[BookingRow, SlotRow, CheckupProviderRow, CheckupServiceRow]]:
        rows = await self.session.execute(
            select(BookingRow, SlotRow, CheckupProviderRow, CheckupServiceRow)
            .join(SlotRow, SlotRow.id == BookingRow.slot_id)
            .join(CheckupProviderRow, CheckupProviderRow.id == SlotRow.provider_id)
            .join(CheckupServiceRow, CheckupServiceRow.id == BookingRow.service_id)
            .where(BookingRow.user_id == user_id)
            .order_by(SlotRow.starts_at)
        )
        return rows.all()

    async def reminders_of(self, booking_ids: list[int]) -> list[ReminderRow]:
        if not booking_ids:
            return []
        rows = await self.session.scalars(
            select(ReminderRow)
            .where(ReminderRow.booking_id.in_(booking_ids))
            .order_by(ReminderRow.due_at)
        )
        return list(rows)

    async def places_of(
        self, user_id: int
    ) -> Sequence[Row[WaitlistRow, SlotRow, CheckupProviderRow]]:
        rows = await self.session.execute(
            select(WaitlistRow, SlotRow, CheckupProviderRow)
            .join(SlotRow, SlotRow.id == WaitlistRow.slot_id)
            .join(CheckupProviderRow, CheckupProviderRow.id == SlotRow.provider_id)
            .where(WaitlistRow.user_id == user_id)
            .order_by(WaitlistRow.created_at)
        )
        return rows.all()
