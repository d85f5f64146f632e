"""Checkup reads' SQL: what drivers and admins look at (services, providers, slots, bookings,
offers, the people to tell). Every statement of `CheckupBrowser`; read-only, never flushes.

Rows come out as ORM objects or plain tuples; turning them into views (and local days) is the
browser's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Row, Select, func, select
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
from bot.db.checkups.statuses import BookingStatus, ReminderStatus
from bot.db.users.models import User

BookingRows = tuple[BookingRow, SlotRow, CheckupProviderRow, CheckupServiceRow]
OfferRows = tuple[WaitlistRow, SlotRow, CheckupProviderRow, CheckupServiceRow]


def _booking_query() -> Select[BookingRow, SlotRow, CheckupProviderRow, CheckupServiceRow]:
    return (
        select(BookingRow, SlotRow, CheckupProviderRow, CheckupServiceRow)
        .join(SlotRow, SlotRow.id == BookingRow.slot_id)
        .join(CheckupProviderRow, CheckupProviderRow.id == SlotRow.provider_id)
        .join(CheckupServiceRow, CheckupServiceRow.id == SlotRow.service_id)
    )


def _bookable(now: datetime) -> list[ColumnElement[bool]]:
    return [SlotRow.starts_at > now, SlotRow.closed.is_(False)]


def _tuple(row: Row[BookingRow, SlotRow, CheckupProviderRow, CheckupServiceRow]) -> BookingRows:
    return row[0], row[1], row[2], row[3]


class CheckupReads:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- the catalog and the slots -----------------------------------------------------------
    async def offered_services(self, now: datetime) -> Sequence[CheckupServiceRow]:
        """Services that some provider still has a future slot for, in catalog order."""
        offered = select(SlotRow.service_id).where(*_bookable(now)).distinct()
        rows = await self.session.scalars(
            select(CheckupServiceRow)
            .where(CheckupServiceRow.id.in_(offered))
            .order_by(CheckupServiceRow.position, CheckupServiceRow.id)
        )
        return rows.all()

    async def service(self, service_id: str) -> CheckupServiceRow | None:
        return await self.session.get(CheckupServiceRow, service_id)

    async def provider(self, provider_id: str) -> CheckupProviderRow | None:
        return await self.session.get(CheckupProviderRow, provider_id)

    async def providers_offering(self, service_id: str, now: datetime) -> list[CheckupProviderRow]:
        """Providers with a future slot for the service, in no particular order."""
        offering = (
            select(SlotRow.provider_id)
            .where(SlotRow.service_id == service_id, *_bookable(now))
            .distinct()
        )
        rows = await self.session.scalars(
            select(CheckupProviderRow).where(CheckupProviderRow.id.in_(offering))
        )
        return list(rows)

    async def seats(
        self, provider_id: str, service_id: str, now: datetime
    ) -> list[tuple[datetime, int, int]]:
        """(starts_at, capacity, booked) of every bookable slot of the provider's service."""
        rows = await self.session.execute(
            select(SlotRow.starts_at, SlotRow.capacity, SlotRow.booked).where(
                SlotRow.provider_id == provider_id,
                SlotRow.service_id == service_id,
                *_bookable(now),
            )
        )
        return [(starts_at, capacity, booked) for starts_at, capacity, booked in rows]

    async def bookable_slots(
        self, provider_id: str, service_id: str, start: datetime, end: datetime, now: datetime
    ) -> Sequence[SlotRow]:
        """The provider's bookable slots of the service starting in [start, end), in order."""
        rows = await self.session.scalars(
            select(SlotRow)
            .where(
                SlotRow.provider_id == provider_id,
                SlotRow.service_id == service_id,
                SlotRow.starts_at >= start,
                SlotRow.starts_at < end,
                *_bookable(now),
            )
            .order_by(SlotRow.starts_at)
        )
        return rows.all()

    async def slot(self, slot_id: int) -> SlotRow | None:
        return await self.session.get(SlotRow, slot_id)

    # --- bookings ----------------------------------------------------------------------------
    async def booking(self, code: str) -> BookingRows | None:
        row = (await self.session.execute(_booking_query().where(BookingRow.code == code))).first()
        return _tuple(row) if row else None

    async def pending_reminder_kinds(self, code: str) -> list[str]:
        rows = await self.session.scalars(
            select(ReminderRow.kind)
            .join(BookingRow, BookingRow.id == ReminderRow.booking_id)
            .where(BookingRow.code == code, ReminderRow.status == ReminderStatus.PENDING)
        )
        return list(rows)

    async def active_in_slot(self, user_id: int, slot_id: int) -> BookingRows | None:
        row = (
            await self.session.execute(
                _booking_query().where(
                    BookingRow.user_id == user_id,
                    BookingRow.slot_id == slot_id,
                    BookingRow.status == BookingStatus.ACTIVE,
                )
            )
        ).first()
        return _tuple(row) if row else None

    async def bookings_by_id(self, booking_ids: set[int]) -> list[BookingRows]:
        rows = await self.session.execute(_booking_query().where(BookingRow.id.in_(booking_ids)))
        return [_tuple(row) for row in rows]

    async def upcoming(self, user_id: int, now: datetime) -> list[BookingRows]:
        """The driver's active bookings that have not ended, soonest first."""
        rows = await self.session.execute(
            _booking_query()
            .where(
                BookingRow.user_id == user_id,
                BookingRow.status == BookingStatus.ACTIVE,
                SlotRow.ends_at > now,
            )
            .order_by(SlotRow.starts_at)
        )
        return [_tuple(row) for row in rows]

    async def bookings_starting(
        self, start: datetime, end: datetime
    ) -> list[tuple[BookingRow, SlotRow, CheckupProviderRow, CheckupServiceRow, User]]:
        """Every booking (any status but moved) starting in [start, end), with its driver."""
        rows = await self.session.execute(
            _booking_query()
            .add_columns(User)
            .join(User, User.id == BookingRow.user_id)
            .where(
                SlotRow.starts_at >= start,
                SlotRow.starts_at < end,
                BookingRow.status != BookingStatus.MOVED,
            )
            .order_by(CheckupProviderRow.name, SlotRow.starts_at, BookingRow.code)
        )
        return [(b, s, p, sv, u) for b, s, p, sv, u in rows]

    async def closure(self, provider_id: str, day: date) -> ClosureRow | None:
        return await self.session.get(ClosureRow, (provider_id, day))

    async def closed_bookings(self, provider_id: str, start: datetime, end: datetime) -> int:
        """How many of the provider's bookings starting in [start, end) a closure cancelled."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(BookingRow)
            .join(SlotRow, SlotRow.id == BookingRow.slot_id)
            .where(
                SlotRow.provider_id == provider_id,
                SlotRow.starts_at >= start,
                SlotRow.starts_at < end,
                BookingRow.status == BookingStatus.CLOSED,
            )
        )
        return count or 0

    # --- waitlist offers and people ----------------------------------------------------------
    async def offer(self, waitlist_id: int) -> OfferRows | None:
        row = (
            await self.session.execute(
                select(WaitlistRow, SlotRow, CheckupProviderRow, CheckupServiceRow)
                .join(SlotRow, SlotRow.id == WaitlistRow.slot_id)
                .join(CheckupProviderRow, CheckupProviderRow.id == SlotRow.provider_id)
                .join(CheckupServiceRow, CheckupServiceRow.id == SlotRow.service_id)
                .where(WaitlistRow.id == waitlist_id)
            )
        ).first()
        return (row[0], row[1], row[2], row[3]) if row else None

    async def users(self, user_ids: set[int]) -> Sequence[User]:
        return (await self.session.scalars(select(User).where(User.id.in_(user_ids)))).all()
