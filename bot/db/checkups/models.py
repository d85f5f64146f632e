"""Checkup providers, services, slot templates, slots, bookings, waitlist, closures, reminders."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

import bot.db.users.models  # noqa: F401  (bookings and waitlist places point at users)
from bot.db.base import Base, holds_personal
from bot.db.checkups.statuses import BookingStatus, ReminderStatus, WaitlistStatus
from bot.db.types import BigIntId, CleanString, UTCDateTime, utcnow


class CheckupProviderRow(Base):
    __tablename__ = "checkup_providers"
    __table_args__ = holds_personal(False)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(CleanString(80))
    kind: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(CleanString(32), default="")
    address: Mapped[str] = mapped_column(CleanString(160), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    phone: Mapped[str] = mapped_column(CleanString(32), default="")


class CheckupServiceRow(Base):
    __tablename__ = "checkup_services"
    __table_args__ = holds_personal(False)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(CleanString(80))
    name_en: Mapped[str] = mapped_column(CleanString(80))
    duration_min: Mapped[int] = mapped_column(Integer)
    prep_zh: Mapped[str] = mapped_column(CleanString(300, multiline=True), default="")
    prep_en: Mapped[str] = mapped_column(CleanString(300, multiline=True), default="")
    # Drivers see services in the order the checkups file lists them.
    position: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class SlotTemplateRow(Base):
    """knowledge.checkups.SlotTemplate, stored: slots are generated from it every day."""

    __tablename__ = "checkup_slot_templates"
    __table_args__ = holds_personal(False)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("checkup_providers.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("checkup_services.id"))
    weekdays: Mapped[str] = mapped_column(String(16))  # "0,1,2" (0 = Monday)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    days_ahead: Mapped[int] = mapped_column(Integer, default=30)
    closed_dates: Mapped[str] = mapped_column(String(2000), default="")  # ISO dates, ","


class SlotRow(Base):
    """One dated time slot. `booked` counts bookings and seats held for a waitlist offer;
    the database refuses more than `capacity` (CHECK), so no code path can overbook."""

    __tablename__ = "checkup_slots"
    __table_args__ = (
        UniqueConstraint("provider_id", "service_id", "starts_at", name="uq_slot_time"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_slot_capacity"),
        holds_personal(False),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("checkup_providers.id"), index=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("checkup_services.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)


class BookingRow(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        # One active booking per service per driver, enforced where races cannot slip past.
        Index(
            "uq_booking_active_service",
            "user_id",
            "service_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        holds_personal(True),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("checkup_slots.id"), index=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("checkup_services.id"))
    status: Mapped[str] = mapped_column(String(16), default=BookingStatus.ACTIVE)
    # The confirm's idempotency key (e.g. the callback's update): a redelivery books nothing.
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A notice owed to the driver (a closed day) is sent by a job until this is set.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(
        CleanString(200, multiline=True), default="", server_default=""
    )


class WaitlistRow(Base):
    __tablename__ = "checkup_waitlist"
    __table_args__ = (
        UniqueConstraint("slot_id", "user_id", name="uq_waitlist_slot_user"),
        holds_personal(True),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("checkup_slots.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=WaitlistStatus.WAITING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once the driver has been sent the offer: a job sends offers still without it.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ClosureRow(Base):
    """A provider closed for a local day: existing slots are closed, later ones never open."""

    __tablename__ = "checkup_closures"
    __table_args__ = holds_personal(False)

    provider_id: Mapped[str] = mapped_column(ForeignKey("checkup_providers.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(
        CleanString(200, multiline=True), default="", server_default=""
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderRow(Base):
    """A reminder due to be sent; the scheduler polls for due pending rows."""

    __tablename__ = "booking_reminders"
    __table_args__ = (
        UniqueConstraint("booking_id", "kind", name="uq_reminder_kind"),
        holds_personal(True),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # a ReminderKind
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default=ReminderStatus.PENDING)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
