"""Texts the bot did not understand, kept so the phrasings can grow from what drivers type
(`python -m bot intents misses FILE`). Anonymous on purpose: no user, and long digit runs
(phone numbers, plates' digits, ids) are masked before the row is written."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, holds_personal
from bot.db.types import BigIntId, UTCDateTime

TEXT_MAX = 200


class IntentMissRow(Base):
    __tablename__ = "intent_misses"
    __table_args__ = (Index("ix_intent_misses_at", "at"), holds_personal(False))

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(String(TEXT_MAX))
    # "none": nothing recognised; "choice": offered choices and none was sure.
    outcome: Mapped[str] = mapped_column(String(16))
    # What the choices were ("faq:call-12348 nearest"), to see what competes.
    guesses: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
