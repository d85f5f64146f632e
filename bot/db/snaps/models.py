"""随手拍 snap reports: the report, its photos (before and after), the drivers who saw the
same problem (me too), and the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text  # a column below is called `text`
from sqlalchemy.orm import Mapped, mapped_column

import bot.db.complaints.models  # (a report is forwarded to a complaint office)
import bot.db.users.models  # noqa: F401  (reports, followers and events point at users)
from bot.db.base import Base, holds_personal, str_enum
from bot.db.snaps.statuses import (
    LocationSource,
    PhotoKind,
    RejectReason,
    SnapAction,
    SnapStatus,
)
from bot.db.types import BigIntId, CleanString, UTCDateTime
from knowledge.snaps.categories import SnapCategory


class SnapRow(Base):
    __tablename__ = "snap_reports"
    __table_args__ = (
        Index("ix_snap_reports_user", "user_id", "id"),
        Index("ix_snap_reports_status", "status", "created_at"),
        Index("ix_snap_reports_followup", "followup_due"),
        holds_personal(True),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)  # SP-2026-000123
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The report form's token: the same confirm pressed twice files one report.
    submit_key: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[SnapCategory] = mapped_column(str_enum(SnapCategory, "snap_category"))
    status: Mapped[SnapStatus] = mapped_column(str_enum(SnapStatus, "snap_status"))
    reject_reason: Mapped[RejectReason | None] = mapped_column(
        str_enum(RejectReason, "snap_reject_reason")
    )
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    location_source: Mapped[LocationSource | None] = mapped_column(
        str_enum(LocationSource, "snap_location_source")
    )
    text: Mapped[str] = mapped_column(CleanString(500, multiline=True), default="")
    voice_file_id: Mapped[str | None] = mapped_column(String(255))
    office_id: Mapped[str | None] = mapped_column(ForeignKey("complaint_offices.id"))
    handled_note: Mapped[str | None] = mapped_column(CleanString(500, multiline=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the reporter is asked "still a problem?" (28 days after handled); NULL once asked.
    followup_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    points: Mapped[int] = mapped_column(Integer, default=0)  # what the verification paid
    # The card in the admins' group; `card_version` counts changes, `card_shown` what it shows.
    card_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    card_photo: Mapped[bool] = mapped_column(Boolean, default=False)  # a caption, not a text
    card_version: Mapped[int] = mapped_column(Integer, default=1)
    card_shown: Mapped[int] = mapped_column(Integer, default=0)
    erased: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))


class SnapPhotoRow(Base):
    """A stored photo (metadata stripped, resized) and Telegram's file id to send it again."""

    __tablename__ = "snap_photos"
    __table_args__ = (UniqueConstraint("report_id", "kind", "n"), holds_personal(True))

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("snap_reports.id"), index=True)
    kind: Mapped[PhotoKind] = mapped_column(str_enum(PhotoKind, "snap_photo_kind"))
    n: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(200))  # relative to the files directory
    file_id: Mapped[str | None] = mapped_column(String(255))
    phash: Mapped[str] = mapped_column(String(16), index=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SnapFollowerRow(Base):
    """A driver who said "me too": told of every change, as the reporter is."""

    __tablename__ = "snap_followers"
    __table_args__ = holds_personal(True)

    report_id: Mapped[int] = mapped_column(ForeignKey("snap_reports.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SnapEventRow(Base):
    __tablename__ = "snap_events"
    __table_args__ = (Index("ix_snap_events_report", "report_id", "id"), holds_personal(True))

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("snap_reports.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # NULL: the system
    action: Mapped[SnapAction] = mapped_column(str_enum(SnapAction, "snap_action"))
    from_status: Mapped[SnapStatus | None] = mapped_column(str_enum(SnapStatus, "snap_from"))
    to_status: Mapped[SnapStatus | None] = mapped_column(str_enum(SnapStatus, "snap_to"))
    note: Mapped[str | None] = mapped_column(CleanString(500, multiline=True))
    # The update that caused it: the same update handled twice records one event.
    update_key: Mapped[str | None] = mapped_column(String(64), unique=True)
