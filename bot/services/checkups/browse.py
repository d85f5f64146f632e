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
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.checkups.models import BookingRow, CheckupProviderRow, CheckupServiceRow, SlotRow
from bot.db.checkups.reads import CheckupReads
from bot.db.checkups.statuses import BookingStatus, ReminderKind, WaitlistStatus
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


class CheckupBrowser:
    """The views of checkups; the SQL is `CheckupReads`'."""

    def __init__(self, session: AsyncSession, tz: ZoneInfo) -> None:
        self.session, self.tz = session, tz
        self.reads = CheckupReads(session)

    def _local_day_bounds(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, datetime.min.time(), self.tz)
        return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), self.tz)

    # --- the booking flow ------------------------------------------------------------------
    async def services(self, now: datetime) -> list[ServiceView]:
        """Services that some provider still has a future slot for."""
        return [ServiceView.of(r) for r in await self.reads.offered_services(now)]

    async def service(self, service_id: str) -> ServiceView | None:
        row = await self.reads.service(service_id)
        return ServiceView.of(row) if row else None

    async def provider(self, provider_id: str) -> ProviderView | None:
        row = await self.reads.provider(provider_id)
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
        rows = await self.reads.providers_offering(service_id, now)
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
        slots: dict[date, int] = defaultdict(int)
        free: dict[date, int] = defaultdict(int)
        for starts_at, capacity, booked in await self.reads.seats(provider_id, service_id, now):
            day = starts_at.astimezone(self.tz).date()
            slots[day] += 1
            free[day] += max(capacity - booked, 0)
        return [DayAvailability(d, slots[d], free[d]) for d in sorted(slots)]

    async def day_slots(
        self, provider_id: str, service_id: str, day: date, now: datetime
    ) -> list[SlotView]:
        start, end = self._local_day_bounds(day)
        rows = await self.reads.bookable_slots(provider_id, service_id, start, end, now)
        return [SlotView.of(r) for r in rows]

    async def slot(self, slot_id: int) -> SlotView | None:
        row = await self.reads.slot(slot_id)
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
        row = await self.reads.booking(code)
        return self._booking_view(*row) if row else None

    async def pending_reminders(self, code: str) -> frozenset[ReminderKind]:
        """The kinds of reminder still to go out for a booking."""
        return frozenset(ReminderKind(k) for k in await self.reads.pending_reminder_kinds(code))

    async def active_in_slot(self, user_id: int, slot_id: int) -> BookingView | None:
        """The driver's active booking at this slot, if any (a confirm that already landed)."""
        row = await self.reads.active_in_slot(user_id, slot_id)
        return self._booking_view(*row) if row else None

    async def bookings_by_id(self, booking_ids: list[int]) -> dict[int, BookingView]:
        if not booking_ids:
            return {}
        rows = await self.reads.bookings_by_id(set(booking_ids))
        return {b.id: self._booking_view(b, s, p, sv) for b, s, p, sv in rows}

    async def upcoming(self, user_id: int, now: datetime) -> list[BookingView]:
        return [self._booking_view(*r) for r in await self.reads.upcoming(user_id, now)]

    async def bookings_on(self, day: date) -> list[tuple[BookingView, Recipient | None]]:
        """Every booking (any status but moved) starting on the local day, with its driver."""
        rows = await self.reads.bookings_starting(*self._local_day_bounds(day))
        return [(self._booking_view(b, s, p, sv), Recipient.of(u)) for b, s, p, sv, u in rows]

    async def closed_on(self, provider_id: str, day: date) -> int | None:
        """How many bookings closing the provider's local day cancelled; None: not closed."""
        if await self.reads.closure(provider_id, day) is None:
            return None
        start, end = self._local_day_bounds(day)
        return await self.reads.closed_bookings(provider_id, start, end)

    async def offer(self, waitlist_id: int) -> OfferView | None:
        row = await self.reads.offer(waitlist_id)
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
        found = {u.id: Recipient.of(u) for u in await self.reads.users(set(user_ids))}
        return {uid: r for uid, r in found.items() if r is not None}
