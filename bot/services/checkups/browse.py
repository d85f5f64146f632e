"""What a driver or an admin sees of checkups: services, providers, days, slots, bookings.

Read-only, no Telegram. Everything comes out as frozen views, never ORM rows, so handlers
and scheduled jobs can render them after the session is gone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.checkups.models import (
    BookingRow,
    CheckupProviderRow,
    CheckupServiceRow,
    ClosureRow,
    ReminderRow,
    SlotRow,
    WaitlistRow,
)
from bot.db.checkups.statuses import BookingStatus, ReminderKind, ReminderStatus, WaitlistStatus
from bot.db.users.models import User
from knowledge.cities import city_by_name
from knowledge.geo import haversine_km


@dataclass(frozen=True, slots=True)
class ServiceView:
    id: str
    name_zh: str
    name_en: str
    duration_min: int
    prep_zh: str
    prep_en: str

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_zh

    def prep(self, language: str) -> str:
        return self.prep_en if language == "en" else self.prep_zh

    @classmethod
    def of(cls, row: CheckupServiceRow) -> ServiceView:
        return cls(row.id, row.name_zh, row.name_en, row.duration_min, row.prep_zh, row.prep_en)


@dataclass(frozen=True, slots=True)
class ProviderView:
    id: str
    name: str
    kind: str
    city: str
    address: str
    lat: float
    lon: float
    phone: str
    distance_km: float | None = None

    @classmethod
    def of(cls, row: CheckupProviderRow, distance_km: float | None = None) -> ProviderView:
        return cls(
            row.id, row.name, row.kind, row.city, row.address, row.lat, row.lon, row.phone,
            distance_km,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class SlotView:
    id: int
    provider_id: str
    service_id: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    free: int
    closed: bool

    @classmethod
    def of(cls, row: SlotRow) -> SlotView:
        return cls(
            row.id, row.provider_id, row.service_id, row.starts_at, row.ends_at, row.capacity,
            max(row.capacity - row.booked, 0), row.closed,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class DayAvailability:
    day: date  # local date
    slots: int
    free: int

    @property
    def full(self) -> bool:
        return self.free == 0


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where and how to reach a user outside an update of theirs."""

    user_id: int
    telegram_id: int
    language: str
    name: str
    phone: str
    quiet_start: time | None
    quiet_end: time | None
    blocked: bool

    @classmethod
    def of(cls, user: User) -> Recipient | None:
        if user.telegram_id is None or user.erased_at is not None:
            return None
        return cls(
            user.id, user.telegram_id, user.language, user.display_name or "",
            user.phone or "", user.quiet_start, user.quiet_end, user.blocked_bot,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class BookingView:
    code: str
    status: BookingStatus
    user_id: int
    slot: SlotView
    provider: ProviderView
    service: ServiceView
    note: str = ""  # why the provider closed the day, for a closed booking


@dataclass(frozen=True, slots=True)
class OfferView:
    waitlist_id: int
    status: WaitlistStatus
    user_id: int
    expires_at: datetime | None
    slot: SlotView
    provider: ProviderView
    service: ServiceView


def _booking_query() -> Select[tuple[BookingRow, SlotRow, CheckupProviderRow, CheckupServiceRow]]:
    return (
        select(BookingRow, SlotRow, CheckupProviderRow, CheckupServiceRow)
        .join(SlotRow, SlotRow.id == BookingRow.slot_id)
        .join(CheckupProviderRow, CheckupProviderRow.id == SlotRow.provider_id)
        .join(CheckupServiceRow, CheckupServiceRow.id == SlotRow.service_id)
    )


class CheckupBrowser:
    def __init__(self, session: AsyncSession, tz: ZoneInfo) -> None:
        self.session, self.tz = session, tz

    def _local_day_bounds(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, datetime.min.time(), self.tz)
        return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), self.tz)

    def _bookable(self, now: datetime) -> list[object]:
        return [SlotRow.starts_at > now, SlotRow.closed.is_(False)]

    # --- the booking flow ------------------------------------------------------------------
    async def services(self, now: datetime) -> list[ServiceView]:
        """Services that some provider still has a future slot for."""
        offered = select(SlotRow.service_id).where(*self._bookable(now)).distinct()
        rows = await self.session.scalars(
            select(CheckupServiceRow)
            .where(CheckupServiceRow.id.in_(offered))
            .order_by(CheckupServiceRow.position, CheckupServiceRow.id)
        )
        return [ServiceView.of(r) for r in rows]

    async def service(self, service_id: str) -> ServiceView | None:
        row = await self.session.get(CheckupServiceRow, service_id)
        return ServiceView.of(row) if row else None

    async def provider(self, provider_id: str) -> ProviderView | None:
        row = await self.session.get(CheckupProviderRow, provider_id)
        return ProviderView.of(row) if row else None

    async def providers(
        self,
        service_id: str,
        now: datetime,
        origin: tuple[float, float] | None = None,
        city: str | None = None,
    ) -> list[ProviderView]:
        """Providers with a future slot for the service: nearest first from `origin`; else the
        driver's city first (nearest to its centre), then the others by city and name."""
        offering = (
            select(SlotRow.provider_id)
            .where(SlotRow.service_id == service_id, *self._bookable(now))
            .distinct()
        )
        rows = list(
            await self.session.scalars(
                select(CheckupProviderRow).where(CheckupProviderRow.id.in_(offering))
            )
        )
        if not rows:
            return []
        centre = origin
        if centre is None and city and (known := city_by_name(city)) is not None:
            centre = (known.lat, known.lon)
        if centre is None:
            rows.sort(key=lambda r: (r.city != city, r.city, r.name))
            return [ProviderView.of(r) for r in rows]
        distances = haversine_km(
            centre[0],
            centre[1],
            np.array([r.lat for r in rows]),
            np.array([r.lon for r in rows]),
        )
        views = [ProviderView.of(r, float(d)) for r, d in zip(rows, distances, strict=True)]
        if origin is None:  # a city centre is no place to measure from: city first, then km
            views.sort(key=lambda v: (v.city != city, v.distance_km))
            return views
        views.sort(key=lambda v: v.distance_km or 0.0)
        return views

    async def calendar(
        self, provider_id: str, service_id: str, now: datetime
    ) -> list[DayAvailability]:
        """Every local day with a future slot, and how many seats are left on it."""
        rows = await self.session.execute(
            select(SlotRow.starts_at, SlotRow.capacity, SlotRow.booked).where(
                SlotRow.provider_id == provider_id,
                SlotRow.service_id == service_id,
                *self._bookable(now),
            )
        )
        slots: dict[date, int] = defaultdict(int)
        free: dict[date, int] = defaultdict(int)
        for starts_at, capacity, booked in rows:
            day = starts_at.astimezone(self.tz).date()
            slots[day] += 1
            free[day] += max(capacity - booked, 0)
        return [DayAvailability(d, slots[d], free[d]) for d in sorted(slots)]

    async def day_slots(
        self, provider_id: str, service_id: str, day: date, now: datetime
    ) -> list[SlotView]:
        start, end = self._local_day_bounds(day)
        rows = await self.session.scalars(
            select(SlotRow)
            .where(
                SlotRow.provider_id == provider_id,
                SlotRow.service_id == service_id,
                SlotRow.starts_at >= start,
                SlotRow.starts_at < end,
                *self._bookable(now),
            )
            .order_by(SlotRow.starts_at)
        )
        return [SlotView.of(r) for r in rows]

    async def slot(self, slot_id: int) -> SlotView | None:
        row = await self.session.get(SlotRow, slot_id)
        return SlotView.of(row) if row else None

    # --- bookings --------------------------------------------------------------------------
    @staticmethod
    def _booking_view(
        b: BookingRow, s: SlotRow, p: CheckupProviderRow, sv: CheckupServiceRow
    ) -> BookingView:
        return BookingView(
            b.code, BookingStatus(b.status), b.user_id, SlotView.of(s), ProviderView.of(p),
            ServiceView.of(sv), b.note,
        )  # fmt: skip

    async def booking(self, code: str) -> BookingView | None:
        row = (await self.session.execute(_booking_query().where(BookingRow.code == code))).first()
        return self._booking_view(*row) if row else None

    async def pending_reminders(self, code: str) -> frozenset[ReminderKind]:
        """The kinds of reminder still to go out for a booking."""
        rows = await self.session.scalars(
            select(ReminderRow.kind)
            .join(BookingRow, BookingRow.id == ReminderRow.booking_id)
            .where(BookingRow.code == code, ReminderRow.status == ReminderStatus.PENDING)
        )
        return frozenset(ReminderKind(kind) for kind in rows)

    async def active_in_slot(self, user_id: int, slot_id: int) -> BookingView | None:
        """The driver's active booking at this slot, if any (a confirm that already landed)."""
        row = (
            await self.session.execute(
                _booking_query().where(
                    BookingRow.user_id == user_id,
                    BookingRow.slot_id == slot_id,
                    BookingRow.status == BookingStatus.ACTIVE,
                )
            )
        ).first()
        return self._booking_view(*row) if row else None

    async def bookings_by_id(self, booking_ids: list[int]) -> dict[int, BookingView]:
        if not booking_ids:
            return {}
        rows = await self.session.execute(
            _booking_query().where(BookingRow.id.in_(set(booking_ids)))
        )
        return {b.id: self._booking_view(b, s, p, sv) for b, s, p, sv in rows}

    async def upcoming(self, user_id: int, now: datetime) -> list[BookingView]:
        rows = await self.session.execute(
            _booking_query()
            .where(
                BookingRow.user_id == user_id,
                BookingRow.status == BookingStatus.ACTIVE,
                SlotRow.ends_at > now,
            )
            .order_by(SlotRow.starts_at)
        )
        return [self._booking_view(*r) for r in rows]

    async def bookings_on(self, day: date) -> list[tuple[BookingView, Recipient | None]]:
        """Every booking (any status but moved) starting on the local day, with its driver."""
        start, end = self._local_day_bounds(day)
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
        return [(self._booking_view(b, s, p, sv), Recipient.of(u)) for b, s, p, sv, u in rows]

    async def closed_on(self, provider_id: str, day: date) -> int | None:
        """How many bookings closing the provider's local day cancelled; None: not closed."""
        closure = await self.session.get(ClosureRow, (provider_id, day))
        if closure is None:
            return None
        start, end = self._local_day_bounds(day)
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

    async def offer(self, waitlist_id: int) -> OfferView | None:
        row = (
            await self.session.execute(
                select(WaitlistRow, SlotRow, CheckupProviderRow, CheckupServiceRow)
                .join(SlotRow, SlotRow.id == WaitlistRow.slot_id)
                .join(CheckupProviderRow, CheckupProviderRow.id == SlotRow.provider_id)
                .join(CheckupServiceRow, CheckupServiceRow.id == SlotRow.service_id)
                .where(WaitlistRow.id == waitlist_id)
            )
        ).first()
        if row is None:
            return None
        w, s, p, sv = row
        return OfferView(
            w.id, WaitlistStatus(w.status), w.user_id, w.offer_expires_at, SlotView.of(s),
            ProviderView.of(p), ServiceView.of(sv),
        )  # fmt: skip

    async def recipients(self, user_ids: list[int]) -> dict[int, Recipient]:
        if not user_ids:
            return {}
        users = await self.session.scalars(select(User).where(User.id.in_(set(user_ids))))
        found = {u.id: Recipient.of(u) for u in users}
        return {uid: r for uid, r in found.items() if r is not None}
