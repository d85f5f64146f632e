"""The theme of the month (一月一主题) and its activities, loaded from the themes file."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
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
    __table_args__ = holds_personal(False)

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
