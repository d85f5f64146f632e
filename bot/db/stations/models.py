"""Driver stations (the in-memory index is built from these rows)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, holds_personal
from bot.db.types import CleanString, UTCDateTime, utcnow


class StationRow(Base):
    """A driver station; knowledge.stations.Station is its in-memory twin."""

    __tablename__ = "stations"
    __table_args__ = holds_personal(False)

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
