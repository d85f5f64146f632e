"""Complaints (诉求): offices and their routing, handlers, cases, their evidence, audit events,
extensions and deadline alerts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

import bot.db.users.models  # noqa: F401  (cases, handlers and events point at users)
from bot.db.base import Base, holds_personal, str_enum
from bot.db.complaints.statuses import (
    CaseAction,
    CaseStatus,
    Deadline,
    EvidenceKind,
    ExtensionStatus,
)
from bot.db.types import BigIntId, CleanString, UTCDateTime
from knowledge.complaints.categories import Category


class OfficeRow(Base):
    """承办单位, from the offices file; one that left the file stays (inactive) for its cases."""

    __tablename__ = "complaint_offices"
    __table_args__ = holds_personal(False)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(CleanString(80))
    name_en: Mapped[str | None] = mapped_column(CleanString(80))
    city: Mapped[str | None] = mapped_column(CleanString(32))
    phone: Mapped[str | None] = mapped_column(CleanString(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class RouteRow(Base):
    """A category (NULL: any) in a city (NULL: any) goes to an office."""

    __tablename__ = "complaint_routes"
    __table_args__ = holds_personal(False)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    category: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(CleanString(32))
    office_id: Mapped[str] = mapped_column(ForeignKey("complaint_offices.id"))


class DeadlineRow(Base):
    """Working days per category ("*": the default)."""

    __tablename__ = "complaint_deadlines"
    __table_args__ = holds_personal(False)

    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    accept: Mapped[int] = mapped_column(Integer)
    respond: Mapped[int] = mapped_column(Integer)
    resolve: Mapped[int] = mapped_column(Integer)


class CalendarDayRow(Base):
    """A day the offices file marks: a holiday (workday false) or a make-up working day."""

    __tablename__ = "complaint_calendar"
    __table_args__ = holds_personal(False)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean)


class HandlerRow(Base):
    """A handler (承办人) and the office they work for; set by admins."""

    __tablename__ = "complaint_handlers"
    __table_args__ = holds_personal(True)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("complaint_offices.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseRow(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_user", "user_id", "id"),
        Index("ix_complaints_status", "status", "office_id"),
        Index("ix_complaints_owner", "owner_id", "status"),
        Index("ix_complaints_created", "created_at"),
        holds_personal(True),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # SQ-2026-000123
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The filing form's token: the same confirm pressed twice files one case.
    filing_key: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[Category] = mapped_column(str_enum(Category, "complaint_category"))
    description: Mapped[str] = mapped_column(CleanString(2000, multiline=True), default="")
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)  # the amount at stake
    other_party: Mapped[str | None] = mapped_column(CleanString(120))
    happened: Mapped[str | None] = mapped_column(CleanString(64))  # when, in the driver's words
    city: Mapped[str | None] = mapped_column(CleanString(32))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    contact_phone: Mapped[str | None] = mapped_column(CleanString(32))
    # Anonymous to the office: it never sees the driver's name or phone.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus, "case_status"))
    office_id: Mapped[str | None] = mapped_column(ForeignKey("complaint_offices.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # 首办负责
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accept_due: Mapped[datetime] = mapped_column(UTCDateTime)
    respond_due: Mapped[datetime] = mapped_column(UTCDateTime)
    resolve_due: Mapped[datetime] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(CleanString(2000, multiline=True))
    no_fault: Mapped[bool] = mapped_column(Boolean, default=False)  # 无责说明
    rating: Mapped[int | None] = mapped_column(Integer)
    solved: Mapped[bool | None] = mapped_column(Boolean)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)  # some deadline was missed
    review_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    review: Mapped[str | None] = mapped_column(CleanString(2000, multiline=True))
    # The card in the admins' group, edited in place; `card_version` counts changes and
    # `card_shown` the version the card shows, so a failed edit is retried by a job.
    card_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    card_version: Mapped[int] = mapped_column(Integer, default=1)
    card_shown: Mapped[int] = mapped_column(Integer, default=0)
    erased: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class EvidenceRow(Base):
    """A photo, document or voice note of a case, kept as Telegram's file id."""

    __tablename__ = "complaint_evidence"
    __table_args__ = holds_personal(True)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_events.id"))
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind, "evidence_kind"))
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(CleanString(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EventRow(Base):
    """The audit trail: who did what to a case, when, from which status to which."""

    __tablename__ = "complaint_events"
    __table_args__ = (Index("ix_complaint_events_case", "complaint_id", "id"), holds_personal(True))

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # NULL: the system
    action: Mapped[CaseAction] = mapped_column(str_enum(CaseAction, "case_action"))
    from_status: Mapped[CaseStatus | None] = mapped_column(str_enum(CaseStatus, "case_from"))
    to_status: Mapped[CaseStatus | None] = mapped_column(str_enum(CaseStatus, "case_to"))
    note: Mapped[str | None] = mapped_column(CleanString(2000, multiline=True))
    office_id: Mapped[str | None] = mapped_column(String(32))
    assignee_id: Mapped[int | None] = mapped_column(BigInteger)
    # The update that caused it: the same update handled twice records one event.
    update_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class ExtensionRow(Base):
    """A handler's request for more time; an admin approves or refuses it."""

    __tablename__ = "complaint_extensions"
    __table_args__ = holds_personal(True)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(CleanString(500, multiline=True))
    status: Mapped[ExtensionStatus] = mapped_column(str_enum(ExtensionStatus, "extension_status"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where the request was posted, so the decision can mark it done.
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)


class AlertRow(Base):
    """A deadline reminder, overdue notice or escalation that was queued: each goes once per
    deadline (an extension makes a new deadline, with alerts of its own)."""

    __tablename__ = "complaint_alerts"
    __table_args__ = (
        UniqueConstraint("complaint_id", "kind", "deadline", "due_at", name="uq_complaint_alert"),
        holds_personal(True),  # of a person's case, though it holds only times
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    kind: Mapped[str] = mapped_column(String(16))  # remind / overdue / escalate
    deadline: Mapped[Deadline] = mapped_column(str_enum(Deadline, "deadline_kind"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
