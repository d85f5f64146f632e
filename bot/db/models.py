"""SQLAlchemy models. Tables change only through Alembic migrations in bot/db/migrations."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db.types import BigIntId, CleanString, UTCDateTime, utcnow


class Base(DeclarativeBase):
    pass


class Role(enum.StrEnum):
    DRIVER = "driver"
    VOLUNTEER = "volunteer"
    ADMIN = "admin"


class Occupation(enum.StrEnum):
    TRUCK = "truck"
    RIDE_HAILING = "ride_hailing"
    DELIVERY = "delivery"
    COURIER = "courier"
    OTHER = "other"


def _str_enum(cls: type[enum.StrEnum], name: str) -> Enum:
    # VARCHAR + CHECK instead of a native PG enum: adding a value later is a plain migration.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda e: [m.value for m in e],
    )


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    # NULL once the user erased their data; the row stays for records that point at it.
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str | None] = mapped_column(CleanString(128))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    # Picked with /language (or on the consent screen); until then the language follows the
    # one the user's Telegram app reports.
    language_chosen: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    role: Mapped[Role] = mapped_column(_str_enum(Role, "user_role"), default=Role.DRIVER)
    occupation: Mapped[Occupation | None] = mapped_column(_str_enum(Occupation, "occupation"))
    city: Mapped[str | None] = mapped_column(CleanString(64))
    phone: Mapped[str | None] = mapped_column(CleanString(32))
    party_member: Mapped[bool | None] = mapped_column(Boolean)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    onboarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notifications: Mapped[bool] = mapped_column(Boolean, default=True)
    # Local wall-clock times in TIMEZONE; both NULL means no quiet hours.
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    blocked_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    # Admin because listed in ADMIN_IDS (and so no longer admin once removed from it).
    admin_from_config: Mapped[bool] = mapped_column(Boolean, default=False)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.now(), onupdate=func.now()
    )


class ProcessedUpdate(Base):
    """One row per handled Telegram update, so a redelivery after a restart is ignored."""

    __tablename__ = "processed_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class StationRow(Base):
    """A driver station; knowledge.stations.Station is its in-memory twin."""

    __tablename__ = "stations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(CleanString(80))
    kind: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(CleanString(32), default="")
    district: Mapped[str] = mapped_column(CleanString(32), default="")
    address: Mapped[str] = mapped_column(CleanString(160), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    phone: Mapped[str] = mapped_column(CleanString(32), default="")
    opening_hours: Mapped[str] = mapped_column(CleanString(255), default="24/7")
    services: Mapped[str] = mapped_column(String(400), default="")  # ';'-separated codes
    note: Mapped[str] = mapped_column(CleanString(300, multiline=True), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set in Python for microsecond precision (SQLite's now() has whole seconds): the index
    # notices a change by the newest updated_at.
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class CheckupProviderRow(Base):
    __tablename__ = "checkup_providers"

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
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("checkup_slots.id"), index=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("checkup_services.id"))
    status: Mapped[str] = mapped_column(String(16), default="active")
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
    __table_args__ = (UniqueConstraint("slot_id", "user_id", name="uq_waitlist_slot_user"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("checkup_slots.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once the driver has been sent the offer: a job sends offers still without it.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ClosureRow(Base):
    """A provider closed for a local day: existing slots are closed, later ones never open."""

    __tablename__ = "checkup_closures"

    provider_id: Mapped[str] = mapped_column(ForeignKey("checkup_providers.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(
        CleanString(200, multiline=True), default="", server_default=""
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderRow(Base):
    """A reminder due to be sent; the scheduler polls for due pending rows."""

    __tablename__ = "booking_reminders"
    __table_args__ = (UniqueConstraint("booking_id", "kind", name="uq_reminder_kind"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "evening" | "soon"
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
