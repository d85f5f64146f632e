"""志愿任务 volunteer tasks: the task an admin published, the places volunteers took, and who
asked to hear of new tasks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

import bot.db.users.models  # noqa: F401  (tasks, places and subscriptions point at users)
from bot.db.base import Base, holds_personal, str_enum
from bot.db.tasks.statuses import DisputeReason, TakerStatus, TaskAudience, TaskStatus
from bot.db.types import BigIntId, CleanString, UTCDateTime


class TaskRow(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        # The database keeps the count of places honest, whatever races the service loses.
        CheckConstraint("taken >= 0 AND taken <= places", name="ck_task_places"),
        Index("ix_tasks_open", "status", "starts_at"),
        holds_personal(True),  # its publisher
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    # The publish form's token: Publish pressed twice publishes one task.
    publish_key: Mapped[str] = mapped_column(String(64), unique=True)
    publisher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(CleanString(80))
    description: Mapped[str] = mapped_column(CleanString(1000, multiline=True))
    place: Mapped[str] = mapped_column(CleanString(120))
    city: Mapped[str | None] = mapped_column(CleanString(64))  # NULL: every city
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    places: Mapped[int] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)
    points: Mapped[int] = mapped_column(Integer)
    audience: Mapped[TaskAudience] = mapped_column(str_enum(TaskAudience, "task_audience"))
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus, "task_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The card in the admins' group; `card_version` counts changes, `card_shown` what it shows.
    card_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    card_version: Mapped[int] = mapped_column(Integer, default=1)
    card_shown: Mapped[int] = mapped_column(Integer, default=0)


class TakerRow(Base):
    """One person's place on a task; one row per (task, person), reused if they take it again."""

    __tablename__ = "task_takers"
    __table_args__ = (
        UniqueConstraint("task_id", "user_id"),
        Index("ix_task_takers_user", "user_id", "task_id"),
        holds_personal(True),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # NULL: erased
    status: Mapped[TakerStatus] = mapped_column(str_enum(TakerStatus, "task_taker_status"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dispute_reason: Mapped[DisputeReason | None] = mapped_column(
        str_enum(DisputeReason, "task_dispute_reason")
    )
    dispute_note: Mapped[str | None] = mapped_column(CleanString(300, multiline=True))
    # Reminders queued: 0 none, 1 the day before, 2 the one shortly before the start.
    reminded: Mapped[int] = mapped_column(SmallInteger, default=0)


class TaskSubscriptionRow(Base):
    """Someone who asked to hear of new tasks (opt-in: no row, no offers)."""

    __tablename__ = "task_subscriptions"
    __table_args__ = holds_personal(True)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
