"""Admin broadcasts: what was written, to whom, when, and how far it has gone. Each recipient
is an outbox row pointing here, so the counts are read from the outbox."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, holds_personal, str_enum
from bot.db.types import BigIntId, UTCDateTime


class BroadcastStatus(enum.StrEnum):
    DRAFT = "draft"  # being composed
    SCHEDULED = "scheduled"  # confirmed, waiting for its time
    RUNNING = "running"  # recipients queued in the outbox, being sent
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


class BroadcastRow(Base):
    __tablename__ = "broadcasts"
    # Its author is a person; the drivers it reached are outbox rows.
    __table_args__ = holds_personal(True)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[BroadcastStatus] = mapped_column(
        str_enum(BroadcastStatus, "broadcast_status"), default=BroadcastStatus.DRAFT
    )
    text_zh: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str | None] = mapped_column(Text)  # None: the one text goes to everyone
    photo: Mapped[str | None] = mapped_column(String(512))  # Telegram file_id
    # Link buttons: [{"text": ..., "url": ...}]
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Who gets it: {"kind": "all" | "city" | "occupation" | "role" | "language", "value": ...}
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recipients: Mapped[int] = mapped_column(Integer, default=0)  # rows queued at the start
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The one status message edited in place while it runs (in the author's chat).
    status_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # A digest of what that message shows: an edit that would change nothing is skipped
    # (Telegram refuses it), across restarts too.
    status_shown: Mapped[str | None] = mapped_column(String(40))
    # ✖ was tapped: the status message asks "cancel it?" until this is a minute old.
    cancel_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
