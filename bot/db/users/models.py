"""The people: drivers, volunteers, admins."""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    String,
    Time,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, holds_personal, str_enum
from bot.db.types import BigIntId, CleanString, UTCDateTime


class Role(enum.StrEnum):
    DRIVER = "driver"
    VOLUNTEER = "volunteer"
    ADMIN = "admin"
    HANDLER = "handler"  # works complaints for a handling office (bot/db/complaints)


class Occupation(enum.StrEnum):
    TRUCK = "truck"
    RIDE_HAILING = "ride_hailing"
    DELIVERY = "delivery"
    COURIER = "courier"
    OTHER = "other"


class User(Base):
    __tablename__ = "users"
    __table_args__ = holds_personal(True)

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
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"), default=Role.DRIVER)
    occupation: Mapped[Occupation | None] = mapped_column(str_enum(Occupation, "occupation"))
    city: Mapped[str | None] = mapped_column(CleanString(64))
    phone: Mapped[str | None] = mapped_column(CleanString(32))
    party_member: Mapped[bool | None] = mapped_column(Boolean)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    onboarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Opt-ins for bulk messages: admins' notices, and the theme of the month with its
    # activities. Personal messages (reminders, offers, case updates) cannot be opted out.
    notifications: Mapped[bool] = mapped_column(Boolean, default=True)
    theme_notices: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    # Local wall-clock times in TIMEZONE; both NULL means the default (QUIET_HOURS, 22:00-07:00),
    # equal times mean none.
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
