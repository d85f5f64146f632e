"""The outbox: every message the bot sends on its own, as a row with a due time and a status.

A feature (or a broadcast) queues rows in its own transaction; one sender (several on
PostgreSQL) claims due rows in batches, sends them under Telegram's limits and records each
outcome. The unique `dedupe_key` is what makes "queue it" idempotent: a job run twice, a
second scheduler or a retried transaction queues a message once.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, holds_personal, str_enum
from bot.db.types import BigIntId, CleanString, UTCDateTime


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its not_before time
    SENDING = "sending"  # claimed by a sender; back to pending when its lease runs out
    SENT = "sent"
    FAILED = "failed"  # refused for good (a 400) or out of attempts: the reason is kept
    BLOCKED = "blocked"  # the user blocked the bot (this row, and their other pending ones)
    HELD = "held"  # its broadcast is paused
    CANCELLED = "cancelled"  # its broadcast was cancelled, or the user opted out of its kind


class MessageKind(enum.StrEnum):
    """What a message is; bulk kinds can be opted out of and wait for quiet hours to end."""

    REMINDER = "reminder"  # a checkup reminder
    OFFER = "offer"  # a waitlist seat held for the driver
    CLOSURE = "closure"  # a checkup day closed by its provider
    BROADCAST = "broadcast"  # an admin's notice (bulk, opt-out "notices")
    THEME = "theme"  # the theme of the month (bulk, opt-out "themes")
    ACTIVITY = "activity"  # a reminder the day before an activity (bulk, opt-out "themes")
    REPORT = "report"  # a report to an admin (a broadcast's end report)
    CASE = "case"  # a complaint's news: to its driver, its handlers or the admins' group
    POINTS = "points"  # points given or taken by an admin, to the person
    SNAP = "snap"  # a snap report card, or news of a report to its reporter and followers
    TASK_OFFER = "task_offer"  # a new volunteer task, to the volunteers who asked for them
    TASK = "task"  # a task's card, reminders and news to those who took it and its publisher
    VOUCHER = "voucher"  # a shop voucher's news (about to expire, refunded)
    SIGNUP = "signup"  # a reminder to someone signed up for an activity


class Priority(enum.IntEnum):
    """Lower goes first (so the claim's index is in plain ascending order)."""

    PERSONAL = 0  # a reminder 2 h before never waits behind a broadcast
    BULK = 10


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        # The claim walks this index in its order (the most urgent due rows first) and stops at
        # the batch size: no sort of everything that waits, however long the queue.
        Index("ix_outbox_due", "status", "priority", "not_before", "id"),
        holds_personal(True),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # The person it is for, when it is for one (a group's message has none): their
    # opt-outs, a block found on send, and /deleteme reach their rows through it.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, "message_kind"))
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    # What the message is about, for the feature that queued it (e.g. the waitlist entry whose
    # seat passes on when the driver cannot be told).
    ref: Mapped[str | None] = mapped_column(String(64))
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"), index=True)
    priority: Mapped[int] = mapped_column(SmallInteger, default=Priority.BULK)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(CleanString(300))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)  # a forum group's topic
    # The content, rendered in the recipient's language when queued (Telegram HTML).
    text: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[str | None] = mapped_column(String(512))  # a file_id, or a local path
    document: Mapped[str | None] = mapped_column(String(512))  # a local path
    document_name: Mapped[str | None] = mapped_column(String(128))
    # Inline keyboard rows: [[{"text": ..., "url": ...} | {"text": ..., "callback_data": ...}]]
    buttons: Mapped[list[list[dict[str, Any]]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
