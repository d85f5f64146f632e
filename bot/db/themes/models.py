"""The theme of the month (一月一主题) and its activities, loaded from the themes file."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, holds_personal
from bot.db.types import BigIntId, UTCDateTime


class ThemeRow(Base):
    __tablename__ = "themes"
    __table_args__ = holds_personal(False)

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2027-03"
    title_zh: Mapped[str] = mapped_column(String(120))
    title_en: Mapped[str] = mapped_column(String(120))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    # The illustrative sample loaded on a first run: shown marked as such, never sent to
    # drivers, and gone with the first real import.
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the month's notice was queued for everyone (once, however often the job runs).
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ActivityRow(Base):
    __tablename__ = "theme_activities"
    __table_args__ = (
        # The seat counter never goes below zero; that it stays within the capacity is the
        # sign-up's conditional UPDATE (a re-import may lower the capacity under it: those
        # signed up keep their seats, and nobody new gets one until it is below again).
        CheckConstraint("signed_up >= 0", name="ck_theme_activities_signed_up"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="ck_theme_activities_capacity"),
        CheckConstraint("points >= 0", name="ck_theme_activities_points"),
        holds_personal(False),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(ForeignKey("themes.month"), index=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # stable across re-imports
    day: Mapped[date] = mapped_column(Date)
    time: Mapped[str] = mapped_column(String(16), default="")  # "09:00-11:30", free form
    title_zh: Mapped[str] = mapped_column(String(120))
    title_en: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(64), default="")  # "" : every city
    link: Mapped[str] = mapped_column(String(512), default="")
    # When the day-before reminders were queued (cleared when a re-import moves its day).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)  # sign-up seats; NULL: no sign-up
    points: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # How many are signed up: what the sign-up's conditional UPDATE counts seats by.
    signed_up: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # The check-in codes' key (hex), made when an organiser first asks for a code.
    secret: Mapped[str | None] = mapped_column(String(32))


class SignupRow(Base):
    """A driver's seat at an activity (one per person)."""

    __tablename__ = "activity_signups"
    __table_args__ = (UniqueConstraint("activity_id", "user_id"), holds_personal(True))

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("theme_activities.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the personal reminder was queued (cleared when a re-import moves the activity).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CheckinRow(Base):
    """Someone was there: checked in with the organiser's code (once per person)."""

    __tablename__ = "activity_checkins"
    __table_args__ = (
        UniqueConstraint("activity_id", "user_id"),
        Index("ix_activity_checkins_user_id", "user_id"),
        holds_personal(True),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("theme_activities.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    points: Mapped[int] = mapped_column(Integer)  # what it earned (the activity's, then)
