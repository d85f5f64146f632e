"""The FAQ's tables: the entries (content, order, counters) and the votes on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

import bot.db.users.models  # noqa: F401  (votes point at users)
from bot.db.base import Base, holds_personal, str_enum
from bot.db.types import BigIntId, CleanString, UTCDateTime
from knowledge.faq.model import Topic


class FaqEntryRow(Base):
    __tablename__ = "faq_entries"
    __table_args__ = (
        CheckConstraint("shown >= 0", name="ck_faq_shown"),
        CheckConstraint("helpful >= 0", name="ck_faq_helpful"),
        CheckConstraint("unhelpful >= 0", name="ck_faq_unhelpful"),
        Index("ix_faq_entries_position", "position"),
        Index("ix_faq_entries_topic", "topic", "position"),
        holds_personal(False),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # stable across re-imports
    topic: Mapped[Topic] = mapped_column(str_enum(Topic, "faq_topic"))
    questions_zh: Mapped[list[str]] = mapped_column(JSON)
    questions_en: Mapped[list[str]] = mapped_column(JSON)
    answer_zh: Mapped[str] = mapped_column(CleanString(600, multiline=True))
    answer_en: Mapped[str] = mapped_column(CleanString(1200, multiline=True))
    source_zh: Mapped[str] = mapped_column(CleanString(120))
    source_en: Mapped[str] = mapped_column(CleanString(240))
    action: Mapped[str] = mapped_column(String(64), default="")  # "": none
    tags: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)  # the order of the file
    # A 32-bit hash of the content and position: what an import compares, and what the
    # fingerprint sums.
    checksum: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # content last changed
    shown: Mapped[int] = mapped_column(Integer, default=0)
    helpful: Mapped[int] = mapped_column(Integer, default=0)
    unhelpful: Mapped[int] = mapped_column(Integer, default=0)


class FaqVoteRow(Base):
    __tablename__ = "faq_votes"
    __table_args__ = (
        UniqueConstraint("user_id", "faq_key", name="uq_faq_votes_user_key"),
        holds_personal(True),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    # NULL once the voter erased their data: the vote still counts, nobody is named.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    faq_key: Mapped[str] = mapped_column(
        ForeignKey("faq_entries.key", ondelete="CASCADE"), index=True
    )
    helpful: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # cast or last turned
