"""Free health checkups: providers, services and slot templates. Pure data, no I/O.

A template says when a provider offers a service (weekdays, a daily window cut into slots of a
fixed length, seats per slot, how far ahead it can be booked, dates it is closed); concrete
slots are generated from it, so a booking always points at one dated, capacity-limited slot.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class ProviderKind(enum.StrEnum):
    HOSPITAL = "hospital"
    CLINIC = "clinic"
    STATION = "station"  # a driver home or station hosting checkup days


@dataclass(frozen=True, slots=True)
class Provider:
    id: str
    name: str
    kind: ProviderKind
    city: str
    address: str
    lat: float
    lon: float
    phone: str


@dataclass(frozen=True, slots=True)
class CheckupService:
    id: str
    name_zh: str
    name_en: str
    duration_min: int
    prep_zh: str  # preparation notes, e.g. 空腹 (fasting)
    prep_en: str


@dataclass(frozen=True, slots=True)
class SlotTemplate:
    provider_id: str
    service_id: str
    weekdays: frozenset[int]  # 0 = Monday
    start: time  # first slot starts (local time)
    end: time  # last slot ends by then
    slot_minutes: int
    capacity: int
    days_ahead: int = 30
    closed_dates: frozenset[date] = frozenset()

    def slot_starts(self, day: date, tz: ZoneInfo) -> list[datetime]:
        """The aware start times of this template's slots on `day` (none when closed)."""
        if day.weekday() not in self.weekdays or day in self.closed_dates:
            return []
        starts = []
        at = datetime.combine(day, self.start, tz)
        last = datetime.combine(day, self.end, tz) - timedelta(minutes=self.slot_minutes)
        while at <= last:
            starts.append(at)
            at += timedelta(minutes=self.slot_minutes)
        return starts


@dataclass(frozen=True, slots=True)
class CheckupCatalog:
    """Everything one checkups file describes."""

    providers: tuple[Provider, ...]
    services: tuple[CheckupService, ...]
    templates: tuple[SlotTemplate, ...]
